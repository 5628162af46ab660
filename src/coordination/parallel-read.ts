// Reading JSON Lines on several threads. Parsing a post (JSON.parse, the adapters) and extracting its
// features (hashes, URL normalisation, words, MinHash) are about four fifths of the first pass, and none
// of it needs the engine's state. So the thread that reads a file cuts it into jobs of whole lines, and
// reading threads (parse-thread.mjs) turn each job into a batch of features (features.ts); batches are
// taken back in the order the jobs were sent, so records keep their numbers and the engine sees exactly
// what one thread would have given it.
import { type MessagePort, Worker } from 'node:worker_threads';
import { convertJsonValue } from './adapters.ts';
import { type FeatureBatch, type FeatureOptions, FeatureWriter } from './features.ts';

/** Bytes of whole lines sent to a reading thread at a time (about 3,000 posts of the benchmark's). */
const JOB_BYTES = 1 << 20;
/** Jobs in flight per reading thread: one being parsed, one waiting, so that no thread idles. */
const JOBS_PER_THREAD = 2;

/** What a reading thread made of a job: the posts as features, and what the reader must count. */
export interface ParsedLines {
  batch: FeatureBatch;
  /** Lines in the job (blank ones too), and records (lines that are not blank). */
  lines: number;
  records: number;
  /** Records converted to nothing (adapters' `skip`: service messages and the like). */
  skipped: number;
  /** Malformed records, in order, by line number within the job (from 1). */
  reports: { line: number; error: string }[];
}

/** Whether bytes [start, end) are white space only (as `String.prototype.trim` sees it). */
export function isBlank(bytes: Uint8Array, start: number, end: number): boolean {
  for (let k = start; k < end; k++) {
    const c = bytes[k] as number;
    if (c === 32 || (c >= 9 && c <= 13)) continue;
    // Other white space is not ASCII (a byte-order mark, a no-break space): decoded to tell.
    return c < 128
      ? false
      : Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start)
          .toString('utf8')
          .trim() === '';
  }
  return true;
}

/** The report for a line that is not valid JSON. */
export function invalidJsonLine(error: unknown): string {
  return `invalid JSON (${(error as Error).message.slice(0, 80)})`;
}

/** Parses a job of JSON Lines (the last line may lack its line break) into features. */
export function parseJsonLines(bytes: Uint8Array, writer: FeatureWriter): ParsedLines {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const reports: ParsedLines['reports'] = [];
  let lines = 0;
  let records = 0;
  let skipped = 0;
  let from = 0;
  while (from < text.length) {
    let end = text.indexOf(10, from);
    if (end === -1) end = text.length;
    const line = ++lines;
    if (!isBlank(text, from, end)) {
      const record = records++;
      let value: unknown;
      let parsed = true;
      try {
        value = JSON.parse(text.toString('utf8', from, end).trim());
      } catch (error) {
        parsed = false;
        reports.push({ line, error: invalidJsonLine(error) });
      }
      if (parsed) {
        let position = 0;
        convertJsonValue(value, (c) => {
          if ('post' in c) writer.add(c.post, record, position++);
          else if ('skip' in c) skipped++;
          else reports.push({ line, error: c.error });
        });
      }
    }
    from = end + 1;
  }
  return { batch: writer.take(), lines, records, skipped, reports };
}

type ToParser = { id: number; bytes: Uint8Array };
type FromParser = { id: number; parsed: ParsedLines } | { id: number; error: string };

/** Reading thread: parses the jobs it is sent, one after the other. */
export function serveJsonLineParsing(port: MessagePort, features: FeatureOptions): void {
  const writer = new FeatureWriter(features);
  port.on('message', ({ id, bytes }: ToParser) => {
    let reply: FromParser;
    try {
      reply = { id, parsed: parseJsonLines(bytes, writer) };
    } catch (error) {
      reply = { id, error: (error as Error).stack ?? String(error) };
    }
    const transfer =
      'parsed' in reply
        ? [reply.parsed.batch.ints.buffer as ArrayBuffer, reply.parsed.batch.floats.buffer as ArrayBuffer]
        : [];
    port.postMessage(reply, transfer);
  });
}

/** A pool of reading threads. `close` must be called (they keep the process alive). */
export class JsonLineParsers {
  private readonly workers: Worker[] = [];
  private readonly waiting = new Map<
    number,
    { resolve: (p: ParsedLines) => void; reject: (e: Error) => void }
  >();
  private nextId = 0;
  private failure: Error | null = null;
  private closing = false;

  /** `jobBytes`: whole lines sent to a thread at a time (about; a longer line is sent whole). */
  constructor(
    threads: number,
    features: FeatureOptions,
    readonly jobBytes = JOB_BYTES,
  ) {
    for (let i = 0; i < threads; i++) {
      const worker = new Worker(new URL('./parse-thread.mjs', import.meta.url), { workerData: { features } });
      worker.on('message', (m: FromParser) => {
        const waiter = this.waiting.get(m.id);
        this.waiting.delete(m.id);
        if (!waiter) return;
        if ('error' in m) waiter.reject(new Error(`a reading thread failed: ${m.error}`));
        else waiter.resolve(m.parsed);
      });
      worker.on('error', (error) => this.fail(error));
      worker.on('exit', (code) => {
        if (!this.closing) this.fail(new Error(`a reading thread stopped unexpectedly (exit code ${code})`));
      });
      this.workers.push(worker);
    }
  }

  get threads(): number {
    return this.workers.length;
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.waiting.values()) waiter.reject(error);
    this.waiting.clear();
  }

  /** Parses a job of whole lines; `bytes` must be the whole of its own buffer, which is moved, not copied. */
  parse(bytes: Uint8Array): Promise<ParsedLines> {
    if (this.failure !== null) return Promise.reject(this.failure);
    const id = this.nextId++;
    const worker = this.workers[id % this.workers.length] as Worker;
    const parsed = new Promise<ParsedLines>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    // A job whose reader stopped early (an error elsewhere) may fail with no one waiting for it.
    parsed.catch(() => undefined);
    worker.postMessage({ id, bytes } satisfies ToParser, [bytes.buffer as ArrayBuffer]);
    return parsed;
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}

/**
 * One file's JSON Lines through the pool: bytes are written as they are read, cut into jobs of whole
 * lines, and each job's result is handed to `onParsed` in the order of the file. At most
 * JOBS_PER_THREAD jobs per thread are in flight, so memory stays bounded however large the file.
 */
export class JsonLineJobs {
  /** Bytes of the line not yet ended (copies: the reader reuses its buffers). */
  private pieces: Uint8Array[] = [];
  private pieceBytes = 0;
  private readonly inFlight: Promise<ParsedLines>[] = [];

  constructor(
    private readonly parsers: JsonLineParsers,
    private readonly onParsed: (parsed: ParsedLines) => void,
  ) {}

  /** Takes the next bytes of the file (valid only during the call). */
  async write(chunk: Uint8Array): Promise<void> {
    const lastBreak = chunk.lastIndexOf(10);
    if (lastBreak === -1 || this.pieceBytes + lastBreak + 1 < this.parsers.jobBytes) {
      this.keep(chunk);
      return;
    }
    const job = this.takePieces(chunk.subarray(0, lastBreak + 1));
    this.keep(chunk.subarray(lastBreak + 1));
    await this.send(job);
  }

  /** Sends what is left (a last line without its line break) and waits for every job. */
  async end(): Promise<void> {
    if (this.pieceBytes > 0) await this.send(this.takePieces(new Uint8Array(0)));
    while (this.inFlight.length > 0) this.onParsed(await (this.inFlight.shift() as Promise<ParsedLines>));
  }

  /** The kept bytes followed by `tail`, in a buffer of their own (a job to send); nothing is kept after. */
  private takePieces(tail: Uint8Array): Uint8Array {
    const job = new Uint8Array(this.pieceBytes + tail.length);
    let at = 0;
    for (const piece of this.pieces) {
      job.set(piece, at);
      at += piece.length;
    }
    job.set(tail, at);
    this.pieces = [];
    this.pieceBytes = 0;
    return job;
  }

  private keep(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    // A copy (a Buffer's `slice` would be a view of the reader's buffer).
    this.pieces.push(new Uint8Array(bytes));
    this.pieceBytes += bytes.length;
  }

  private async send(job: Uint8Array): Promise<void> {
    this.inFlight.push(this.parsers.parse(job));
    while (this.inFlight.length > JOBS_PER_THREAD * this.parsers.threads) {
      this.onParsed(await (this.inFlight.shift() as Promise<ParsedLines>));
    }
  }
}
