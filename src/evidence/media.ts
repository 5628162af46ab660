// What the bytes are: the MIME type sniffed from their content (never from the name), the metadata
// an image carries (EXIF/XMP/GPS, read from the sealed original), a perceptual hash for
// near-duplicates, and a publishable copy re-encoded without any metadata.
import { extname } from 'node:path';

// The codecs load on first use: the server and the `vigil` command start without paying for them.
const loadSharp = async () => (await import('sharp')).default;
const loadExifr = async () => (await import('exifr')).default;

const BY_EXTENSION: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
  '.heic': 'image/heic',
  '.pdf': 'application/pdf',
  '.mp4': 'video/mp4',
  '.mov': 'video/quicktime',
  '.webm': 'video/webm',
  '.mkv': 'video/x-matroska',
  '.mp3': 'audio/mpeg',
  '.m4a': 'audio/mp4',
  '.wav': 'audio/wav',
  '.ogg': 'audio/ogg',
  '.zip': 'application/zip',
  '.txt': 'text/plain',
  '.html': 'text/html',
  '.htm': 'text/html',
  '.json': 'application/json',
  '.csv': 'text/csv',
};

const ALIASES: Record<string, string> = {
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'audio/x-wav': 'audio/wav',
  'audio/vnd.wave': 'audio/wav',
  'audio/mp3': 'audio/mpeg',
};

const GENERIC = new Set(['', 'application/octet-stream', 'binary/octet-stream', 'application/x-download']);

function normaliseMime(mime: string | null | undefined): string | null {
  const base = (mime ?? '').split(';')[0]!.trim().toLowerCase();
  if (GENERIC.has(base)) return null;
  return ALIASES[base] ?? base;
}

/** What the sender claims: the part's Content-Type, or else the name's extension. */
export function claimedType(name: string | null, contentType: string | null): string | null {
  return normaliseMime(contentType) ?? (name ? (BY_EXTENSION[extname(name).toLowerCase()] ?? null) : null);
}

function looksLikeText(head: Buffer): boolean {
  if (head.length === 0) return false;
  if (head.includes(0)) return false;
  // A cut in the middle of a multi-byte character at the end of the sample is fine.
  return new TextDecoder('utf-8', { fatal: false }).decode(head).includes('\uFFFD') === false;
}

/** The MIME type of the bytes, from their first bytes. */
export async function sniffMime(head: Buffer): Promise<string> {
  const { fileTypeFromBuffer } = await import('file-type');
  // A damaged container (a ZIP whose directory is cut off…) makes the sniffer throw: judge it by its bytes below.
  const found = await fileTypeFromBuffer(head).catch(() => undefined);
  if (found) return found.mime;
  if (looksLikeText(head)) {
    const start = head.subarray(0, 512).toString('utf8').trimStart().toLowerCase();
    if (start.startsWith('<!doctype html') || start.startsWith('<html')) return 'text/html';
    return 'text/plain';
  }
  return 'application/octet-stream';
}

/** True when the claim names a type and the bytes are something else (text claims on text bytes agree). */
export function isMismatch(claimed: string | null, sniffed: string): boolean {
  if (!claimed) return false;
  if (claimed === sniffed) return false;
  const textual = (m: string) => m.startsWith('text/') || m === 'application/json';
  if (textual(claimed) && sniffed.startsWith('text/')) return false;
  return true;
}

const IMAGE_TYPES = new Set([
  'image/jpeg',
  'image/png',
  'image/webp',
  'image/tiff',
  'image/gif',
  'image/heic',
  'image/avif',
]);
export const isImage = (mime: string) => IMAGE_TYPES.has(mime);

/** Values exifr returns that JSON cannot hold as they are (byte arrays, dates) made plain. */
function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return { bytes: Buffer.from(value).toString('base64') };
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

export interface ImageFacts {
  metadata: Record<string, unknown>;
  capturedAt: string | null;
  gps: { lat: number; lon: number } | null;
}

/** EXIF/XMP/IPTC/GPS of an image, as written in the file (no translation), and the capture time. */
export async function readImageMetadata(path: string): Promise<ImageFacts> {
  let raw: Record<string, unknown> | undefined;
  const exifr = await loadExifr();
  try {
    raw = await exifr.parse(path, {
      tiff: true,
      exif: true,
      gps: true,
      xmp: true,
      iptc: true,
      icc: false,
      reviveValues: false,
      translateValues: false,
      translateKeys: true,
      mergeOutput: true,
    });
  } catch (error) {
    return { metadata: { unreadable: (error as Error).message }, capturedAt: null, gps: null };
  }
  const metadata = (plain(raw ?? {}) as Record<string, unknown>) ?? {};
  const lat = typeof raw?.latitude === 'number' ? raw.latitude : null;
  const lon = typeof raw?.longitude === 'number' ? raw.longitude : null;
  const when = (raw?.DateTimeOriginal ?? raw?.CreateDate ?? raw?.DateTime) as string | undefined;
  let capturedAt: string | null = null;
  const match =
    typeof when === 'string' ? /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(when) : null;
  if (match) {
    const offset = raw?.OffsetTimeOriginal ?? raw?.OffsetTime;
    capturedAt = `${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6]}${
      typeof offset === 'string' && /^[+-]\d{2}:\d{2}$/.test(offset) ? offset : ''
    }`;
  }
  return { metadata, capturedAt, gps: lat !== null && lon !== null ? { lat, lon } : null };
}

/** 64-bit difference hash: 9×8 grey thumbnail, one bit per horizontal neighbour comparison. */
export async function differenceHash(path: string): Promise<string | null> {
  const sharp = await loadSharp();
  try {
    const pixels = await sharp(path, { limitInputPixels: 2 ** 28 })
      .rotate()
      .greyscale()
      .resize(9, 8, { fit: 'fill' })
      .raw()
      .toBuffer();
    let bits = 0n;
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 8; x++) {
        bits = (bits << 1n) | (pixels[y * 9 + x]! > pixels[y * 9 + x + 1]! ? 1n : 0n);
      }
    }
    return bits.toString(16).padStart(16, '0');
  } catch {
    return null;
  }
}

export function hammingDistance(a: string, b: string): number {
  let x = BigInt(`0x${a}`) ^ BigInt(`0x${b}`);
  let count = 0;
  while (x) {
    count += Number(x & 1n);
    x >>= 1n;
  }
  return count;
}

/**
 * An image re-encoded from its pixels only: oriented by its EXIF first, then written without any
 * EXIF, XMP, IPTC, ICC or GPS data. Null when the bytes cannot be decoded as an image.
 */
export async function publishableImage(
  path: string,
  mime: string,
): Promise<{ data: Buffer; mime: string } | null> {
  const sharp = await loadSharp();
  try {
    const image = sharp(path, { limitInputPixels: 2 ** 28 }).rotate();
    if (mime === 'image/png' || mime === 'image/gif')
      return { data: await image.png().toBuffer(), mime: 'image/png' };
    if (mime === 'image/webp')
      return { data: await image.webp({ quality: 90 }).toBuffer(), mime: 'image/webp' };
    return { data: await image.jpeg({ quality: 90 }).toBuffer(), mime: 'image/jpeg' };
  } catch {
    return null;
  }
}

export function extensionFor(mime: string): string {
  for (const [ext, m] of Object.entries(BY_EXTENSION)) if (m === mime) return ext;
  return '.bin';
}
