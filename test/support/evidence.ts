// Helpers for the evidence tests: a situation with a published and a draft incident, multipart bodies,
// images with GPS tags, and the rows a failed upload must not leave behind.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Queryable } from '../../src/db/types.ts';
import { insertIncident } from '../../src/evidence/incidents.ts';
import { insertSituation } from '../../src/situations/service.ts';

export const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `vigil-${prefix}-`));
}

export async function seedSituation(db: Queryable, slug = 'test-vault') {
  const situation = await insertSituation(db, {
    slug,
    name: 'Vault test situation',
    startsOn: '2023-01-01',
    visibility: 'public',
  });
  const incident = (status: 'draft' | 'published') =>
    insertIncident(
      db,
      situation.id,
      {
        title: `A ${status} incident`,
        category: 'test',
        start: '2023-09-19',
        confidence: 'medium',
        status,
        sources: [{ url: 'https://example.org/source' }],
      },
      { userId: null, label: 'test' },
    );
  return { situation, published: await incident('published'), draft: await incident('draft') };
}

export const BOUNDARY = 'vigil-test-boundary';

/** A multipart/form-data body with one file (and optional fields before it). */
export function multipartBody(
  data: Buffer,
  filename: string,
  contentType: string,
  fields: Record<string, string> = {},
): { payload: Buffer; headers: Record<string, string> } {
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(
      Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
    );
  }
  parts.push(
    Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: ${contentType}\r\n\r\n`,
    ),
    data,
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  );
  return {
    payload: Buffer.concat(parts),
    headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
  };
}

/** A JPEG carrying a camera make/model, a capture time and GPS coordinates in its EXIF. */
export async function jpegWithGps(width = 320, height = 240): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      pixels[i] = (x * 255) / width;
      pixels[i + 1] = (y * 255) / height;
      pixels[i + 2] = x > width / 2 ? 200 : 40;
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 92 })
    .withExif({
      IFD0: { Make: 'TestCam', Model: 'Witness X1' },
      IFD2: { DateTimeOriginal: '2023:09:19 10:15:00' },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: '39/1 48/1 30/1',
        GPSLongitudeRef: 'E',
        GPSLongitude: '46/1 45/1 10/1',
      },
    } as never)
    .toBuffer();
}

/** Files in the blob store (originals and copies), excluding its temporary folder. */
export function blobFiles(blobDir: string): string[] {
  try {
    return readdirSync(join(blobDir, 'sha256'), { recursive: true })
      .map(String)
      .filter((p) => /[0-9a-f]{64}$/.test(p));
  } catch {
    return [];
  }
}

export function tmpFiles(blobDir: string): string[] {
  try {
    return readdirSync(join(blobDir, 'tmp'));
  } catch {
    return [];
  }
}

export async function counts(db: Queryable) {
  const [row] = await db.query<{ items: number; custody: number; pub: number }>(
    `SELECT (SELECT count(*)::int FROM evidence_items) AS items, (SELECT count(*)::int FROM custody_log) AS custody,
       (SELECT count(*)::int FROM evidence_publishable) AS pub`,
  );
  return row!;
}

/** Runs the static ffmpeg shipped with @ffmpeg-installer/ffmpeg (fixtures for the audio/video tests). */
export function ffmpeg(args: string[]): void {
  const path = (createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path: string }).path;
  const result = spawnSync(path, ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args], {
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`ffmpeg failed: ${result.stderr}`);
}

export const FIXTURE_LOCATION = '+40.1234+045.5678/';

/**
 * A one-second video or audio file carrying a location (ISO 6709: the MP4 `loci`/MOV `©xyz` atom), a camera
 * make and model and a creation time, as phones write them.
 */
export function mediaWithLocation(dir: string, kind: 'mp4' | 'mov' | 'm4a' | 'mp3'): Buffer {
  const out = join(dir, `fixture.${kind}`);
  const video = kind === 'mp4' || kind === 'mov';
  ffmpeg([
    ...(video ? ['-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=10'] : []),
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440',
    '-t',
    '1',
    ...(video ? ['-c:v', 'mpeg4'] : []),
    '-c:a',
    kind === 'mp3' ? 'libmp3lame' : 'aac',
    '-metadata',
    `location=${FIXTURE_LOCATION}`,
    '-metadata',
    'make=TestCam',
    '-metadata',
    'model=Witness X1',
    '-metadata',
    `comment=GPS ${FIXTURE_LOCATION}`,
    '-metadata',
    'creation_time=2023-09-19T10:15:00Z',
    out,
  ]);
  return readFileSync(out);
}

/** A PDF with an Info dictionary (Author, Creator, Producer), an XMP packet with GPS, and one sentence. */
export async function pdfWithMetadata(sentence: string): Promise<Buffer> {
  const { PDFDocument, PDFName, StandardFonts } = await import('pdf-lib');
  const doc = await PDFDocument.create();
  doc.setAuthor('Witness Name');
  doc.setCreator('PhoneScanner 3 (Witness X1)');
  doc.setProducer('PhoneScanner PDF');
  doc.setTitle('Statement');
  const page = doc.addPage([400, 200]);
  page.drawText(sentence, { x: 10, y: 100, size: 10, font: await doc.embedFont(StandardFonts.Helvetica) });
  const xmp =
    '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">' +
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description ' +
    'xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="40,7.404N" exif:GPSLongitude="45,34.068E"/>' +
    '</rdf:RDF></x:xmpmeta><?xpacket end="w"?>';
  const metadata = doc.context.stream(xmp, { Type: 'Metadata', Subtype: 'XML' });
  doc.catalog.set(PDFName.of('Metadata'), doc.context.register(metadata));
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}
