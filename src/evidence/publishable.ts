// Publishable copies: what any public page, feed or non-sealed reader gets instead of the sealed original.
// Images are re-encoded from their pixels (media.ts); video and audio are remuxed by ffmpeg without any
// container or stream metadata (location, device, dates), chapters, cover art, subtitle or data tracks
// (where cameras keep GPS telemetry); PDFs lose their Info dictionary, every XMP packet, private
// application data, embedded files and the EXIF/XMP segments of the JPEG images they hold. Every copy is
// read back and checked before it is kept; a file that cannot be copied so is not published, and the
// reason says why.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { BlobStore } from './blobs.ts';
import { isImage, publishableImage } from './media.ts';

const run = promisify(execFile);

export type PublishableCopy =
  | { kind: 'buffer'; data: Buffer; mime: string; method: string }
  | { kind: 'file'; path: string; mime: string; method: string }
  | { kind: 'unavailable'; reason: string };

/** PDFs larger than this are neither copied nor parsed (both need the whole file in memory). */
export const MAX_PDF_BYTES = 256 * 1024 * 1024;
const FFMPEG_TIMEOUT_MS = 15 * 60_000;

/** ffmpeg's muxer for each audio or video type Vigil copies, and the type of the copy. */
const AV_FORMATS: Record<string, { format: string; mime: string; extra?: string[] }> = {
  'video/mp4': { format: 'mp4', mime: 'video/mp4' },
  'video/quicktime': { format: 'mov', mime: 'video/quicktime' },
  'video/x-m4v': { format: 'mp4', mime: 'video/mp4' },
  'video/3gpp': { format: '3gp', mime: 'video/3gpp' },
  'video/webm': { format: 'webm', mime: 'video/webm' },
  'video/x-matroska': { format: 'matroska', mime: 'video/x-matroska' },
  'video/x-msvideo': { format: 'avi', mime: 'video/x-msvideo' },
  'audio/mp4': { format: 'ipod', mime: 'audio/mp4' },
  'audio/x-m4a': { format: 'ipod', mime: 'audio/mp4' },
  'audio/mpeg': { format: 'mp3', mime: 'audio/mpeg', extra: ['-id3v2_version', '0', '-write_id3v1', '0'] },
  'audio/wav': { format: 'wav', mime: 'audio/wav' },
  'audio/x-wav': { format: 'wav', mime: 'audio/wav' },
  'audio/ogg': { format: 'ogg', mime: 'audio/ogg' },
  'audio/opus': { format: 'ogg', mime: 'audio/ogg' },
  'audio/flac': { format: 'flac', mime: 'audio/flac' },
  'audio/x-flac': { format: 'flac', mime: 'audio/flac' },
  'audio/aac': { format: 'adts', mime: 'audio/aac' },
};

/** The only metadata keys a copy may still show: container structure, not facts about the recording. */
const ALLOWED_AV_KEYS = new Set([
  'major_brand',
  'minor_version',
  'compatible_brands',
  'handler_name',
  'vendor_id',
  'duration',
  'encoder',
]);

export const isAudioVideo = (mime: string) => mime in AV_FORMATS;

let ffmpegPath: string | null | undefined;
/** The static ffmpeg shipped with @ffmpeg-installer/ffmpeg, or null when the package is not installed. */
export function ffmpegBinary(): string | null {
  if (ffmpegPath === undefined) {
    try {
      ffmpegPath = (createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path: string }).path;
    } catch {
      ffmpegPath = null;
    }
  }
  return ffmpegPath;
}

/** The metadata ffmpeg reads from a file, as `key: value` lines of every Metadata block (global and streams). */
export async function readAvMetadata(
  path: string,
): Promise<{ entries: [string, string][]; streams: string[] }> {
  const ffmpeg = ffmpegBinary();
  if (!ffmpeg) throw new Error('ffmpeg is not installed');
  // `ffmpeg -i` alone exits 1 ("At least one output file must be specified") after describing the input.
  const result = await run(ffmpeg, ['-hide_banner', '-nostdin', '-i', path], { maxBuffer: 8 * 1024 * 1024 })
    .then(({ stderr }) => stderr)
    .catch((error: { stderr?: string }) => error.stderr ?? '');
  const entries: [string, string][] = [];
  const streams: string[] = [];
  let inMetadata = false;
  let metadataIndent = 0;
  for (const line of result.split('\n')) {
    const indent = line.length - line.trimStart().length;
    const text = line.trim();
    if (/^Stream #/.test(text)) streams.push(text);
    if (text === 'Metadata:') {
      inMetadata = true;
      metadataIndent = indent;
      continue;
    }
    if (inMetadata) {
      const match = /^([^:]+?)\s*:\s?(.*)$/.exec(text);
      if (indent > metadataIndent && match) {
        entries.push([match[1]!.trim(), match[2]!]);
        continue;
      }
      inMetadata = false;
    }
  }
  return { entries, streams };
}

/**
 * The restricted metadata of an audio or video original as ffmpeg reads it (container and stream tags:
 * location, make, model, creation time…, and the stream list), and the capture time it states. Kept with the
 * sealed original, like an image's EXIF; empty when ffmpeg is missing or cannot read the file.
 */
export async function readAvFacts(
  path: string,
): Promise<{ metadata: Record<string, unknown>; capturedAt: string | null }> {
  if (!ffmpegBinary()) return { metadata: {}, capturedAt: null };
  const { entries, streams } = await readAvMetadata(path);
  const metadata: Record<string, unknown> = {};
  for (const [key, value] of entries) {
    // The same tag in several blocks (container, then each stream): later ones are numbered.
    let name = key;
    for (let n = 2; name in metadata && metadata[name] !== value; n++) name = `${key} (${n})`;
    metadata[name] = value;
  }
  if (streams.length) metadata.streams = streams;
  const when = entries.find(([k]) => k === 'creation_time')?.[1] ?? null;
  const match = when
    ? /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2})?$/.exec(when)
    : null;
  return { metadata, capturedAt: match ? `${match[1]}T${match[2]}${match[3] ?? ''}` : null };
}

/**
 * The restricted metadata of a PDF original: its Info dictionary (author, creator, producer, dates…) and
 * whether it holds an XMP packet. Empty for a PDF pdf-lib cannot read (encrypted, damaged, too large).
 */
export async function readPdfFacts(
  path: string,
): Promise<{ metadata: Record<string, unknown>; capturedAt: string | null }> {
  if ((await stat(path)).size > MAX_PDF_BYTES) return { metadata: {}, capturedAt: null };
  const { PDFDocument, PDFName } = await import('pdf-lib');
  try {
    const doc = await PDFDocument.load(await readFile(path), { updateMetadata: false });
    const metadata: Record<string, unknown> = {};
    const text: [string, string | undefined][] = [
      ['Title', doc.getTitle()],
      ['Author', doc.getAuthor()],
      ['Subject', doc.getSubject()],
      ['Keywords', doc.getKeywords()],
      ['Creator', doc.getCreator()],
      ['Producer', doc.getProducer()],
    ];
    for (const [key, value] of text) if (value) metadata[key] = value;
    const created = doc.getCreationDate();
    const modified = doc.getModificationDate();
    if (created) metadata.CreationDate = created.toISOString();
    if (modified) metadata.ModDate = modified.toISOString();
    if (doc.catalog.get(PDFName.of('Metadata')))
      metadata.XMP = 'present (an XMP packet in the document catalog)';
    metadata.Pages = doc.getPageCount();
    return { metadata, capturedAt: null };
  } catch {
    return { metadata: {}, capturedAt: null };
  }
}

async function copyAudioVideo(path: string, mime: string, workDir: string): Promise<PublishableCopy> {
  const target = AV_FORMATS[mime]!;
  const ffmpeg = ffmpegBinary();
  if (!ffmpeg) {
    return {
      kind: 'unavailable',
      reason: `no publishable copy: ffmpeg is not installed (the @ffmpeg-installer/ffmpeg package), so the metadata of this ${mime} file cannot be removed`,
    };
  }
  const out = join(workDir, `copy-${process.pid}-${randomBytes(8).toString('hex')}`);
  try {
    await run(
      ffmpeg,
      [
        '-hide_banner',
        '-loglevel',
        'error',
        '-nostdin',
        '-i',
        path,
        // Video (not attached pictures: cover art can carry EXIF) and audio only: no subtitle, data or
        // timed-metadata tracks, where cameras and phones keep GPS telemetry.
        '-map',
        '0:V?',
        '-map',
        '0:a?',
        '-map_metadata',
        '-1',
        '-map_chapters',
        '-1',
        '-c',
        'copy',
        '-dn',
        '-sn',
        // No encoder version or creation time written by the muxer either.
        '-fflags',
        '+bitexact',
        '-flags:v',
        '+bitexact',
        '-flags:a',
        '+bitexact',
        ...(target.extra ?? []),
        '-f',
        target.format,
        out,
      ],
      { timeout: FFMPEG_TIMEOUT_MS, maxBuffer: 8 * 1024 * 1024 },
    );
  } catch (error) {
    await rm(out, { force: true });
    const detail = ((error as { stderr?: string }).stderr ?? (error as Error).message).trim().split('\n')[0];
    return {
      kind: 'unavailable',
      reason: `no publishable copy: ffmpeg could not copy this ${mime} file without its metadata (${detail})`,
    };
  }
  // Read the copy back: it must hold a stream and no metadata beyond the container's structure.
  const { entries, streams } = await readAvMetadata(out);
  const left = entries.filter(
    ([key, value]) =>
      !ALLOWED_AV_KEYS.has(key.toLowerCase()) || (key === 'encoder' && !/^Lav[fc]/.test(value)),
  );
  if (streams.length === 0 || left.length > 0) {
    await rm(out, { force: true });
    return {
      kind: 'unavailable',
      reason:
        streams.length === 0
          ? `no publishable copy: the ${mime} file holds no audio or video stream ffmpeg can copy`
          : `no publishable copy: metadata remained after copying (${left.map(([k]) => k).join(', ')})`,
    };
  }
  return { kind: 'file', path: out, mime: target.mime, method: 'remuxed by ffmpeg, all metadata removed' };
}

/** A JPEG's bytes without its APPn segments that carry metadata (EXIF/XMP in APP1, IPTC in APP13…). */
export function stripJpegMetadata(jpeg: Uint8Array): Uint8Array {
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) return jpeg;
  const kept: Uint8Array[] = [jpeg.subarray(0, 2)];
  let i = 2;
  while (i + 4 <= jpeg.length && jpeg[i] === 0xff) {
    const marker = jpeg[i + 1]!;
    if (marker === 0xda) break; // start of scan: the rest is image data
    const length = (jpeg[i + 2]! << 8) | jpeg[i + 3]!;
    // APP0 (JFIF), APP2 (ICC colour profile) and APP14 (Adobe colour transform) describe the pixels; other
    // APPn segments and comments describe the camera, the place or the author.
    const drop = (marker >= 0xe1 && marker <= 0xef && marker !== 0xe2 && marker !== 0xee) || marker === 0xfe;
    if (!drop) kept.push(jpeg.subarray(i, i + 2 + length));
    i += 2 + length;
  }
  kept.push(jpeg.subarray(i));
  return Buffer.concat(kept);
}

const PDF_PRIVATE_KEYS = ['Metadata', 'PieceInfo', 'LastModified'];

async function copyPdf(path: string): Promise<PublishableCopy> {
  const size = (await stat(path)).size;
  if (size > MAX_PDF_BYTES) {
    return {
      kind: 'unavailable',
      reason: `no publishable copy: the PDF is larger than ${MAX_PDF_BYTES / 1024 / 1024} MiB`,
    };
  }
  const { PDFDocument } = await import('pdf-lib');
  let doc: Awaited<ReturnType<typeof PDFDocument.load>>;
  try {
    doc = await PDFDocument.load(await readFile(path), { updateMetadata: false });
  } catch (error) {
    const encrypted =
      (error as Error).name === 'EncryptedPDFError' || /encrypt/i.test((error as Error).message);
    return {
      kind: 'unavailable',
      reason: encrypted
        ? 'no publishable copy: the PDF is encrypted, so its metadata cannot be removed'
        : `no publishable copy: the PDF cannot be read (${(error as Error).message.split('\n')[0]})`,
    };
  }
  try {
    return await rewritePdf(doc);
  } catch (error) {
    return {
      kind: 'unavailable',
      reason: `no publishable copy: the PDF cannot be read (${(error as Error).message.split('\n')[0]})`,
    };
  }
}

async function rewritePdf(
  doc: Awaited<ReturnType<typeof import('pdf-lib').PDFDocument.load>>,
): Promise<PublishableCopy> {
  const { PDFDocument, PDFName, PDFDict, PDFStream, PDFRawStream, PDFRef, PDFArray } = await import(
    'pdf-lib'
  );
  if (!doc.catalog) throw new Error('it has no document catalog');
  const ctx = doc.context;
  const info = ctx.trailerInfo.Info;
  if (info instanceof PDFRef) ctx.delete(info);
  ctx.trailerInfo.Info = undefined;
  const name = (n: string) => PDFName.of(n);
  const names = doc.catalog.lookupMaybe(name('Names'), PDFDict);
  names?.delete(name('EmbeddedFiles'));
  for (const [ref, object] of ctx.enumerateIndirectObjects()) {
    const dict = object instanceof PDFDict ? object : object instanceof PDFStream ? object.dict : null;
    if (!dict) continue;
    const type = dict.get(name('Type'));
    if (type === name('Metadata') || type === name('EmbeddedFile') || type === name('Filespec')) {
      ctx.delete(ref);
      continue;
    }
    for (const key of PDF_PRIVATE_KEYS) dict.delete(name(key));
    const filter = dict.get(name('Filter'));
    const dct =
      filter === name('DCTDecode') ||
      (filter instanceof PDFArray && filter.size() === 1 && filter.get(0) === name('DCTDecode'));
    if (dct && object instanceof PDFRawStream) {
      ctx.assign(ref, PDFRawStream.of(dict, stripJpegMetadata(object.contents)));
    }
  }
  for (const key of PDF_PRIVATE_KEYS) doc.catalog.delete(name(key));
  const data = Buffer.from(await doc.save({ useObjectStreams: false, updateFieldAppearances: false }));

  // Read the copy back: no Info dictionary, no /Metadata anywhere, no XMP packet left.
  const check = await PDFDocument.load(data, { updateMetadata: false });
  const left: string[] = [];
  if (check.context.trailerInfo.Info) left.push('Info dictionary');
  for (const [, object] of check.context.enumerateIndirectObjects()) {
    const dict = object instanceof PDFDict ? object : object instanceof PDFStream ? object.dict : null;
    if (dict?.has(name('Metadata')) || dict?.get(name('Type')) === name('Metadata'))
      left.push('XMP metadata');
  }
  if (data.includes('<x:xmpmeta') || data.includes('<?xpacket')) left.push('an XMP packet');
  if (left.length) {
    return { kind: 'unavailable', reason: `no publishable copy: ${[...new Set(left)].join(', ')} remained` };
  }
  return {
    kind: 'buffer',
    data,
    mime: 'application/pdf',
    method: 'rewritten without Info dictionary, XMP metadata, embedded files or image EXIF',
  };
}

/**
 * The publishable copy of a sealed original (at `path`, of type `mime`), or why there is none. Files the
 * copy lands in are created in `workDir`; the caller stores and removes them.
 */
export async function makePublishableCopy(
  path: string,
  mime: string,
  workDir: string,
): Promise<PublishableCopy> {
  if (isImage(mime)) {
    const copy = await publishableImage(path, mime);
    return copy
      ? {
          kind: 'buffer',
          data: copy.data,
          mime: copy.mime,
          method: 're-encoded pixels, all metadata removed',
        }
      : { kind: 'unavailable', reason: `no publishable copy: the ${mime} image cannot be decoded` };
  }
  if (isAudioVideo(mime)) return copyAudioVideo(path, mime, workDir);
  if (mime === 'application/pdf') return copyPdf(path);
  return {
    kind: 'unavailable',
    reason: `no publishable copy: Vigil cannot remove metadata from ${mime} files, so this item is shown only to readers of sealed material`,
  };
}

export interface StoredCopy {
  sha256: string;
  size: number;
  mime: string;
  method: string;
  /** Whether this call wrote the blob (the caller discards it when its row is not written after all). */
  created: boolean;
}

/**
 * Makes the publishable copy of a sealed original (at `path` in the store) and writes it into the blob
 * store; or says why there is none. Temporary files are removed whatever happens.
 */
export async function storePublishableCopy(
  blobs: BlobStore,
  path: string,
  mime: string,
): Promise<{ copy: StoredCopy; note: null } | { copy: null; note: string }> {
  const made = await makePublishableCopy(path, mime, await blobs.workDir());
  if (made.kind === 'unavailable') return { copy: null, note: made.reason };
  try {
    const stored = await blobs.put(
      made.kind === 'buffer' ? [made.data] : createReadStream(made.path, { highWaterMark: 1024 * 1024 }),
    );
    return {
      copy: {
        sha256: stored.sha256,
        size: stored.size,
        mime: made.mime,
        method: made.method,
        created: stored.created,
      },
      note: null,
    };
  } finally {
    if (made.kind === 'file') await rm(made.path, { force: true });
  }
}
