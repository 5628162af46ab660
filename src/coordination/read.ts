// Streaming input: files are read chunk by chunk (gzip detected by its magic bytes, not the name), the
// format is recognised from the name or the first bytes, and every record goes through an adapter.
// Malformed records are counted with their line numbers; `strict` makes the first one fatal.
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { parse as parseCsv } from 'csv-parse';
import {
  type Converted,
  convertJsonValue,
  DocumentPosts,
  fromNormalised,
  fromTwitterArchive,
  isTwitterArchiveHeader,
} from './adapters.ts';
import type { FeatureSink, PostSource } from './engine.ts';
import { JsonStreamError, JsonStreamScanner } from './jsonstream.ts';
import {
  invalidJsonLine,
  isBlank,
  JsonLineJobs,
  JsonLineParsers,
  type ParsedLines,
} from './parallel-read.ts';
import type { InputFormat, Post, ReadStats } from './types.ts';

export class CoordinationInputError extends Error {
  override name = 'CoordinationInputError';
}

export interface ReadOptions {
  format: InputFormat;
  strict: boolean;
  /** Called with the number of (compressed) bytes read so far across all files, and the total. */
  onBytes?: (done: number, total: number) => void;
  /** When given, records (lines, rows, document items; numbered from 0 across files) for which it
   * returns false are passed over without being parsed where the format allows. */
  selectRecord?: (record: number) => boolean;
  /** When given, JSON Lines files of at least `minBytes` are parsed by `threads` reading threads and their
   * posts delivered to `sink` as feature batches (only when no `selectRecord` is given). */
  parallel?: { threads: number; minBytes: number; sink: FeatureSink; jobBytes?: number };
}

/** Receives a post with the number of the record it came from and its position within that record. */
export type PostSink = (post: Post, record: number, position: number) => void;

const MAX_MALFORMED_SAMPLES = 100;
/** A first line this long without a line break is not JSON Lines: it is streamed as one document. */
const MAX_FIRST_LINE = 8 << 20;
/** Files smaller than this are parsed on the reading thread alone: starting reading threads (about a
 * tenth of a second each) would take longer than they save. */
const PARALLEL_MIN_BYTES = 16 << 20;
export const MAX_READ_THREADS = 4;

export function emptyReadStats(): ReadStats {
  return { files: [], posts: 0, malformed: 0, malformedSamples: [], skipped: 0, formats: {} };
}

/** Streams every post of `files` into `onPost`, in file order. Posts are not kept. */
export async function readPosts(files: string[], options: ReadOptions, onPost: PostSink): Promise<ReadStats> {
  const stats = emptyReadStats();
  const counter = { record: 0 };
  let totalBytes = 0;
  for (const file of files) {
    try {
      totalBytes += (await stat(file)).size;
    } catch {
      throw new CoordinationInputError(`cannot read input file '${file}'`);
    }
  }
  let bytesBefore = 0;
  // Reading threads are started for the first file that uses them and serve every file after it.
  let parsers: JsonLineParsers | null = null;
  const parallel = options.parallel;
  const threaded: ThreadedLines | null =
    parallel && parallel.threads > 0 && !options.selectRecord
      ? {
          sink: parallel.sink,
          parsers: () => {
            parsers ??= new JsonLineParsers(parallel.threads, parallel.sink.options, parallel.jobBytes);
            return parsers;
          },
        }
      : null;
  try {
    for (const file of files) {
      stats.files.push(file);
      const size = (await stat(file)).size;
      const threadedFile = threaded !== null && size >= (parallel?.minBytes ?? 0) ? threaded : null;
      await readOneFile(file, options, stats, counter, onPost, threadedFile, (done) =>
        options.onBytes?.(bytesBefore + done, totalBytes),
      );
      bytesBefore += size;
      options.onBytes?.(bytesBefore, totalBytes);
    }
  } finally {
    await (parsers as JsonLineParsers | null)?.close();
  }
  return stats;
}

/** Reading threads for the JSON Lines of a file (started on first use), and where their batches go. */
interface ThreadedLines {
  parsers: () => JsonLineParsers;
  sink: FeatureSink;
}

async function isGzip(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const buf = Buffer.alloc(2);
    const { bytesRead } = await handle.read(buf, 0, 2, 0);
    return bytesRead === 2 && buf[0] === 0x1f && buf[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

function formatFromName(file: string): 'csv' | 'tsv' | 'json' | null {
  const name = basename(file).toLowerCase().replace(/\.gz$/, '');
  if (name.endsWith('.csv')) return 'csv';
  if (name.endsWith('.tsv')) return 'tsv';
  if (/\.(json|jsonl|ndjson)$/.test(name)) return 'json';
  return null;
}

async function readOneFile(
  file: string,
  options: ReadOptions,
  stats: ReadStats,
  counter: { record: number },
  onPost: PostSink,
  threaded: ThreadedLines | null,
  onBytes: (done: number) => void,
): Promise<void> {
  const select = options.selectRecord;
  const gzip = await isGzip(file);
  let bytes = 0;
  const { chunks, close } = openText(file, gzip, (n) => {
    bytes += n;
    onBytes(bytes);
  });
  const decoder = new StringDecoder('utf8');

  // The record and position of the post being reported.
  let record = 0;
  let position = 0;
  const report = (line: number, c: Converted): void => {
    if ('post' in c) {
      stats.posts++;
      onPost(c.post, record, position++);
    } else if ('skip' in c) {
      stats.skipped++;
    } else {
      stats.malformed++;
      if (options.strict) throw new CoordinationInputError(`${file}:${line}: ${c.error}`);
      if (stats.malformedSamples.length < MAX_MALFORMED_SAMPLES) {
        stats.malformedSamples.push({ file, line, reason: c.error });
      }
    }
  };

  let mode: 'csv' | 'tsv' | 'json' | null =
    options.format === 'csv' || options.format === 'twitter-ioa'
      ? 'csv'
      : options.format === 'auto'
        ? formatFromName(file)
        : 'json';
  // JSON state: line-delimited until the first line turns out not to be a whole value; then the rest is
  // one document, streamed through a scanner (never held whole). JSON Lines are split on bytes: a line is
  // decoded only when it is parsed (a second pass passes most lines over undecoded), and no string the
  // size of a chunk is made (such strings stay in memory until a full collection).
  let jsonMode: 'lines' | 'document' | null = null;
  /** The bytes of a line not yet ended, in pieces (joined once, when its end comes). */
  const carry: Buffer[] = [];
  let carryBytes = 0;
  let lineNo = 0;
  const reportDocument = (c: Converted, line: number): void => {
    record = counter.record++;
    position = 0;
    if (select && !select(record)) return;
    report(line, c);
  };
  const documentPosts = new DocumentPosts(reportDocument);
  let scanner: JsonStreamScanner | null = null;
  let documentFailed = false;
  /** Whether the document was started by a first line too long to wait for its end. */
  let documentFromLongLine = false;
  const writeDocument = (text: string): void => {
    if (documentFailed || scanner === null) return;
    try {
      scanner.write(text);
    } catch (err) {
      if (!(err instanceof JsonStreamError)) throw err;
      documentFailed = true;
      report(
        err.line,
        err.afterEnd && documentFromLongLine
          ? {
              error: `the first line, longer than ${MAX_FIRST_LINE >> 20} MiB, was read as one JSON document, but another value follows it: the rest of the file was not read (JSON Lines whose first line is this long are not supported; put a shorter line first or split the file)`,
            }
          : { error: `invalid JSON document (${err.message.slice(0, 80)})` },
      );
    }
  };
  const startDocument = (firstLine: number, text: string): void => {
    jsonMode = 'document';
    scanner = new JsonStreamScanner(documentPosts, firstLine);
    writeDocument(text);
  };
  // CSV state.
  let csv: ReturnType<typeof parseCsv> | null = null;
  let header: string[] | null = null;
  let csvDone: Promise<void> | null = null;

  /** Handles the line in bytes [start, end) of `bytes`; returns true when it turned out to start a whole
   * document. */
  const handleJsonLine = (bytes: Buffer, start: number, end: number): boolean => {
    lineNo++;
    if (isBlank(bytes, start, end)) return false;
    // Until the first line has parsed, it is not known whether this is JSON Lines at all.
    if (jsonMode === 'lines' && select && !select(counter.record)) {
      counter.record++;
      return false;
    }
    const line = bytes.toString('utf8', start, end);
    let value: unknown;
    try {
      value = JSON.parse(line.trim());
    } catch (err) {
      if (jsonMode === null) {
        // A pretty-printed document (Telegram export, saved API response): streamed from here on.
        startDocument(lineNo, `${line}\n`);
        return true;
      }
      record = counter.record++;
      report(lineNo, { error: invalidJsonLine(err) });
      return false;
    }
    jsonMode = 'lines';
    const at = lineNo;
    record = counter.record++;
    position = 0;
    if (select && !select(record)) return false;
    convertJsonValue(value, (c) => report(at, c));
    return false;
  };

  /** The line carried over from earlier chunks, joined with `tail` (its end), and forgotten. */
  const takeCarry = (tail: Buffer): Buffer => {
    carry.push(tail);
    const line = Buffer.concat(carry, carryBytes + tail.length);
    carry.length = 0;
    carryBytes = 0;
    return line;
  };

  /** Splits a chunk of JSON into lines; from a line that starts a document on, text goes to the scanner. */
  const feedJsonLines = (chunk: Buffer): void => {
    let from = 0;
    if (carryBytes > 0) {
      const end = chunk.indexOf(10);
      if (end === -1) {
        carry.push(Buffer.from(chunk));
        carryBytes += chunk.length;
      } else {
        const line = takeCarry(chunk.subarray(0, end));
        if (handleJsonLine(line, 0, line.length)) {
          writeDocument(decoder.write(chunk.subarray(end + 1)));
          return;
        }
        from = end + 1;
      }
    }
    if (carryBytes === 0) {
      for (;;) {
        const end = chunk.indexOf(10, from);
        if (end === -1) break;
        if (handleJsonLine(chunk, from, end)) {
          // The rest of this chunk belongs to the document.
          writeDocument(decoder.write(chunk.subarray(end + 1)));
          return;
        }
        from = end + 1;
      }
      if (from < chunk.length) {
        carry.push(Buffer.from(chunk.subarray(from)));
        carryBytes += chunk.length - from;
      }
    }
    if (jsonMode === null && carryBytes > MAX_FIRST_LINE) {
      // One huge line (a minified API response): a document, streamed rather than held.
      const text = decoder.write(takeCarry(Buffer.alloc(0)));
      documentFromLongLine = true;
      startDocument(lineNo + 1, text);
    }
  };

  // Parallel JSON Lines: once the first line has shown the file to be JSON Lines, the rest goes to the
  // reading threads, and their posts to the sink as feature batches.
  let jobs: JsonLineJobs | null = null;
  const takeParsed = (parsed: ParsedLines): void => {
    for (const { line, error } of parsed.reports) report(lineNo + line, { error });
    stats.posts += parsed.batch.count;
    stats.skipped += parsed.skipped;
    threaded?.sink.onBatch(parsed.batch, counter.record);
    lineNo += parsed.lines;
    counter.record += parsed.records;
  };

  let csvError: unknown = null;
  const guard = (fn: () => void): void => {
    if (csvError !== null) return;
    try {
      fn();
    } catch (err) {
      csvError = err;
    }
  };
  const startCsv = (delimiter: string): void => {
    const parser = parseCsv({
      bom: true,
      delimiter,
      info: true,
      skip_records_with_error: true,
      skip_empty_lines: true,
      relax_quotes: true,
    });
    csv = parser;
    parser.on('skip', (err: Error & { lines?: number }) =>
      guard(() =>
        report(typeof err.lines === 'number' ? err.lines : 0, {
          error: `malformed CSV row (${err.message})`,
        }),
      ),
    );
    parser.on('data', (item: { record: string[]; info: { lines: number } }) =>
      guard(() => handleCsvRecord(item.record, item.info.lines)),
    );
    csvDone = new Promise<void>((resolve, reject) => {
      parser.on('end', resolve);
      parser.on('error', reject);
    });
    csvDone.catch(() => {});
  };

  let archive = false;
  const handleCsvRecord = (cells: string[], line: number): void => {
    if (header === null) {
      header = cells.map((h) =>
        h
          .replace(/^\uFEFF/, '')
          .trim()
          .toLowerCase(),
      );
      archive =
        options.format === 'twitter-ioa' || (options.format !== 'csv' && isTwitterArchiveHeader(header));
      stats.formats[file] = archive ? 'twitter-ioa' : 'csv';
      return;
    }
    record = counter.record++;
    position = 0;
    if (select && !select(record)) return;
    // Columns are addressed by name, so a spreadsheet's unnamed index column is simply never read.
    const row: Record<string, unknown> = {};
    for (let i = 0; i < header.length; i++) {
      const name = header[i];
      if (name !== undefined && name !== '') row[name] = cells[i];
    }
    report(line, archive ? fromTwitterArchive(row) : fromNormalised(row));
  };

  // Until the first character that is not white space, the format is not known: bytes wait here.
  const head: Buffer[] = [];
  const headDecoder = new StringDecoder('utf8');
  const feed = async (chunk: Buffer): Promise<void> => {
    if (mode === null) {
      head.push(Buffer.from(chunk));
      const first = headDecoder.write(chunk).trimStart()[0];
      if (first === undefined) return;
      mode = first === '{' || first === '[' ? 'json' : 'csv';
      chunk = Buffer.concat(head);
      head.length = 0;
    }
    if (mode === 'json') {
      stats.formats[file] ??= options.format === 'auto' ? 'json' : options.format;
      if (jobs !== null) await jobs.write(chunk);
      else if (jsonMode === 'document') writeDocument(decoder.write(chunk));
      else {
        feedJsonLines(chunk);
        if (jsonMode === 'lines' && threaded !== null) {
          jobs = new JsonLineJobs(threaded.parsers(), takeParsed);
          if (carryBytes > 0) await jobs.write(takeCarry(Buffer.alloc(0)));
        }
      }
      return;
    }
    if (csv === null) startCsv(mode === 'tsv' ? '\t' : ',');
    const parser = csv as unknown as NodeJS.WritableStream;
    if (!parser.write(decoder.write(chunk))) {
      await new Promise<void>((resolve) => parser.once('drain', () => resolve()));
    }
    if (csvError !== null) throw csvError;
  };

  try {
    for await (const chunk of chunks) {
      if (!gzip) {
        bytes += chunk.length;
        onBytes(bytes);
      }
      await feed(chunk);
    }
    if (mode === 'json') {
      // Set by `feed` (which the compiler cannot see).
      const parallelJobs = jobs as JsonLineJobs | null;
      if (parallelJobs !== null) await parallelJobs.end();
      else if (jsonMode === 'document') writeDocument(decoder.end());
      else if (carryBytes > 0) {
        const line = takeCarry(Buffer.alloc(0));
        if (handleJsonLine(line, 0, line.length)) writeDocument(decoder.end());
      }
      if (scanner !== null) {
        const documentScanner: JsonStreamScanner = scanner;
        if (!documentFailed) {
          try {
            documentScanner.end();
          } catch (err) {
            if (!(err instanceof JsonStreamError)) throw err;
            documentFailed = true;
            report(err.line, { error: `invalid JSON document (${err.message.slice(0, 80)})` });
          }
        }
        documentPosts.finish();
        stats.formats[file] = documentPosts.format;
        if (documentPosts.needsDataPass && !documentFailed) {
          // The tweets came before their users: read them again, now that the users are known.
          await readDocumentData(file, gzip, documentPosts.dataPass(reportDocument));
        }
      }
    } else if (mode !== null) {
      if (csv === null) startCsv(mode === 'tsv' ? '\t' : ',');
      const parser = csv as unknown as NodeJS.WritableStream;
      const rest = decoder.end();
      if (rest !== '') parser.write(rest);
      parser.end();
      await csvDone;
      if (csvError !== null) throw csvError;
    }
  } catch (err) {
    close();
    if (err instanceof CoordinationInputError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR') {
      report(lineNo, { error: 'corrupt gzip data' });
      return;
    }
    throw err;
  }
}

/** Bytes read from a plain file at a time, into one buffer. */
const READ_SIZE = 1 << 20;

/**
 * Opens a file as chunks of bytes, gunzipped when it is gzip; `onRaw` sees the compressed bytes read.
 * A plain file is read into one buffer over and over: a chunk is valid until the next is asked for, and
 * whoever keeps bytes copies them. (A fresh megabyte a chunk outlived the young generation while its
 * lines were handled, and only full collections took those back: dozens of them per run.)
 */
function openText(
  file: string,
  gzip: boolean,
  onRaw: (bytes: number) => void,
): { chunks: AsyncIterable<Buffer>; close: () => void } {
  if (!gzip) {
    const controller = new AbortController();
    return { chunks: fileChunks(file, controller.signal), close: () => controller.abort() };
  }
  // zlib holds on to what it is given, so its input is a stream of fresh chunks (small ones, for the same
  // reason as above), and so is its output.
  const raw = createReadStream(file, { highWaterMark: 1 << 16 });
  // Count compressed bytes on their way into gunzip (pipe already puts `raw` in flowing mode).
  raw.on('data', (chunk) => onRaw(chunk.length));
  const source = raw.pipe(createGunzip());
  raw.on('error', (err) => source.destroy(err));
  return { chunks: source, close: () => raw.destroy() };
}

/** A plain file's bytes in chunks of READ_SIZE, through two buffers: the next chunk is read while the
 * reader parses this one. A chunk is valid until the next is asked for: its buffer is then read into. */
async function* fileChunks(file: string, signal: AbortSignal): AsyncGenerator<Buffer> {
  const handle = await open(file, 'r');
  let current = Buffer.allocUnsafeSlow(READ_SIZE);
  let spare = Buffer.allocUnsafeSlow(READ_SIZE);
  let pending: Promise<{ bytesRead: number }> | null = handle.read(current, 0, READ_SIZE, null);
  try {
    while (!signal.aborted) {
      const { bytesRead }: { bytesRead: number } = await pending;
      pending = null;
      if (bytesRead === 0) return;
      pending = handle.read(spare, 0, READ_SIZE, null);
      yield current.subarray(0, bytesRead);
      [current, spare] = [spare, current];
    }
  } finally {
    // A read still in flight when the reader stops (close waits for it anyway) is awaited here: its
    // failure no longer matters, and left alone it would be an unhandled rejection.
    await pending?.catch(() => undefined);
    await handle.close();
  }
}

/** The second pass over a v2 response whose `data` came before `includes`: only the tweets. */
async function readDocumentData(file: string, gzip: boolean, handler: DocumentPosts): Promise<void> {
  const { chunks, close } = openText(file, gzip, () => {});
  const decoder = new StringDecoder('utf8');
  const scanner = new JsonStreamScanner(handler);
  try {
    for await (const chunk of chunks) scanner.write(decoder.write(chunk));
    scanner.write(decoder.end());
    scanner.end();
  } finally {
    close();
  }
}

/** Reading threads by default: one per core, at most MAX_READ_THREADS (the thread that keeps the state
 * takes about a sixth of the first pass's work, so more threads would mostly wait for it); none on one
 * core, where they could only add the cost of passing batches between threads. */
export function defaultReadThreads(cores = availableParallelism()): number {
  return cores < 2 ? 0 : Math.min(cores, MAX_READ_THREADS);
}

/** A PostSource over files: each scan streams them again (the second pass fetches details). The first
 * pass parses JSON Lines files of at least `parallelMinBytes` on `threads` reading threads (0: none). */
export function fileSource(
  files: string[],
  options: {
    format: InputFormat;
    strict: boolean;
    threads?: number;
    parallelMinBytes?: number;
    /** Bytes per job sent to a reading thread (tests make it small to cut a small file into many). */
    jobBytes?: number;
  },
): PostSource {
  const threads = options.threads ?? defaultReadThreads();
  return {
    scan: (onPost, onProgress, selectRecord, features) =>
      readPosts(
        files,
        {
          format: options.format,
          strict: options.strict,
          onBytes: onProgress,
          selectRecord,
          parallel: features && {
            threads,
            minBytes: options.parallelMinBytes ?? PARALLEL_MIN_BYTES,
            sink: features,
            jobBytes: options.jobBytes,
          },
        },
        onPost,
      ),
  };
}
