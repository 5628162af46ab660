// Streaming JSON: walks a whole JSON document chunk by chunk and hands over only the values asked for,
// each parsed on its own with JSON.parse. A Telegram export or a saved API response of any size is read
// in memory bounded by its largest single item (one message, one tweet), not by the file.
//
// The handler decides, for every value met at a level it descends into, whether to descend into it
// (objects and arrays), capture it (its text is collected and parsed) or skip it (only scanned for its
// end). Only the levels descended into are checked for syntax here; captured values are checked by
// JSON.parse, and skipped values only for balanced brackets and strings.

export type JsonPathPart = string | number;
export type JsonDecision = 'descend' | 'capture' | 'skip';
export type JsonValueKind = 'object' | 'array' | 'scalar';

export interface JsonStreamHandler {
  /** What to do with the value that starts at `path` (keys and array indexes from the root). */
  decide(path: readonly JsonPathPart[], kind: JsonValueKind): JsonDecision;
  /** A captured value, parsed; `line` is the 1-based line it starts on. */
  value(path: readonly JsonPathPart[], value: unknown, line: number): void;
  /** A captured value that JSON.parse rejected. */
  invalid(path: readonly JsonPathPart[], message: string, line: number): void;
  /** A container that was descended into has closed. */
  close?(path: readonly JsonPathPart[]): void;
}

export class JsonStreamError extends Error {
  override name = 'JsonStreamError';
  constructor(
    message: string,
    readonly line: number,
    /** The document had ended and another value followed it. */
    readonly afterEnd = false,
  ) {
    super(message);
  }
}

// What the structure expects next (at the levels descended into).
const VALUE = 0;
const VALUE_OR_CLOSE = 1;
const KEY = 2;
const KEY_OR_CLOSE = 3;
const COLON = 4;
const COMMA_OR_CLOSE = 5;
const END = 6;

// What is being read.
const STRUCTURE = 0;
const KEY_STRING = 1;
const CONTAINER = 2;
const STRING = 3;
const LITERAL = 4;

const QUOTE = 34;
const BACKSLASH = 92;

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

export class JsonStreamScanner {
  private expect = VALUE;
  private mode = STRUCTURE;
  /** Kinds of the containers descended into ('{' or '['), and the current key or index in each. */
  private readonly kinds: number[] = [];
  private readonly indexes: number[] = [];
  readonly path: JsonPathPart[] = [];
  // The value or key being read: whether it is kept, its text so far, where it began.
  private capturing = false;
  private parts: string[] = [];
  private from = 0;
  private valueLine = 0;
  // Inside a skipped or captured container.
  private depth = 0;
  private inString = false;
  private escaped = false;
  // Line counting, done lazily up to `counted` in the current chunk.
  private line: number;
  private counted = 0;
  private chunk = '';
  private started = false;

  constructor(
    private readonly handler: JsonStreamHandler,
    startLine = 1,
  ) {
    this.line = startLine;
  }

  /** Feeds the next piece of the document. Throws JsonStreamError on a syntax error in the structure. */
  write(text: string): void {
    let s = text;
    if (!this.started && s.length > 0) {
      this.started = true;
      if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
    }
    this.chunk = s;
    this.counted = 0;
    this.from = 0;
    const n = s.length;
    let i = 0;
    while (i < n) {
      switch (this.mode) {
        case STRUCTURE:
          i = this.structure(s, i, n);
          break;
        case KEY_STRING: {
          const end = this.scanString(s, i, n);
          if (end < 0) i = n;
          else {
            this.parts.push(s.slice(this.from, end));
            this.keyRead();
            i = end;
          }
          break;
        }
        case CONTAINER:
          i = this.container(s, i, n);
          break;
        case STRING: {
          const end = this.scanString(s, i, n);
          if (end < 0) i = n;
          else {
            this.valueRead(s, end);
            i = end;
          }
          break;
        }
        case LITERAL: {
          let k = i;
          while (k < n) {
            const c = s.charCodeAt(k);
            if (c === 44 || c === 125 || c === 93 || isSpace(c)) break;
            k++;
          }
          if (k < n) this.valueRead(s, k);
          i = k;
          break;
        }
      }
    }
    if (this.mode === KEY_STRING || (this.capturing && this.mode !== STRUCTURE)) {
      this.parts.push(s.slice(this.from));
    }
    this.lineAt(n);
    this.chunk = '';
  }

  /** Ends the document: throws JsonStreamError when it stopped in the middle of a value. */
  end(): void {
    if (this.mode === LITERAL) {
      this.chunk = '';
      this.counted = 0;
      this.from = 0;
      this.valueRead('', 0);
    }
    if (this.mode !== STRUCTURE || this.kinds.length > 0) {
      throw new JsonStreamError('unexpected end of the document', this.line);
    }
  }

  private lineAt(i: number): number {
    const s = this.chunk;
    let k = s.indexOf('\n', this.counted);
    while (k >= 0 && k < i) {
      this.line++;
      k = s.indexOf('\n', k + 1);
    }
    this.counted = i;
    return this.line;
  }

  private fail(message: string, i: number, afterEnd = false): never {
    throw new JsonStreamError(message, this.lineAt(i), afterEnd);
  }

  /** The structure at levels descended into: one token at a time. */
  private structure(s: string, start: number, n: number): number {
    let i = start;
    while (i < n && isSpace(s.charCodeAt(i))) i++;
    if (i >= n) return n;
    const c = s.charCodeAt(i);
    const top = this.kinds.length - 1;
    if ((this.expect === VALUE_OR_CLOSE && c === 93) || (this.expect === KEY_OR_CLOSE && c === 125)) {
      return this.closeContainer(i);
    }
    switch (this.expect) {
      case VALUE_OR_CLOSE:
      case VALUE: {
        if (top >= 0 && this.kinds[top] === 91) this.path[top] = this.indexes[top] as number;
        const kind: JsonValueKind = c === 123 ? 'object' : c === 91 ? 'array' : 'scalar';
        if (
          kind === 'scalar' &&
          c !== QUOTE &&
          c !== 45 &&
          !(c >= 48 && c <= 57) &&
          c !== 116 &&
          c !== 102 &&
          c !== 110
        )
          this.fail(`unexpected '${s[i]}'`, i);
        const decision = this.handler.decide(this.path, kind);
        if (decision === 'descend' && kind !== 'scalar') {
          this.kinds.push(c);
          this.indexes.push(0);
          this.path.push(kind === 'array' ? 0 : '');
          this.expect = kind === 'array' ? VALUE_OR_CLOSE : KEY_OR_CLOSE;
          return i + 1;
        }
        this.capturing = decision !== 'skip';
        this.parts = [];
        this.from = i;
        this.valueLine = this.lineAt(i);
        if (kind !== 'scalar') {
          this.mode = CONTAINER;
          this.depth = 1;
          this.inString = false;
          this.escaped = false;
          return i + 1;
        }
        if (c === QUOTE) {
          this.mode = STRING;
          this.escaped = false;
          return i + 1;
        }
        this.mode = LITERAL;
        return i;
      }
      case KEY_OR_CLOSE:
      case KEY:
        if (c !== QUOTE) this.fail(`expected a key, found '${s[i]}'`, i);
        this.mode = KEY_STRING;
        this.escaped = false;
        this.parts = [];
        this.from = i;
        return i + 1;
      case COLON:
        if (c !== 58) this.fail(`expected ':', found '${s[i]}'`, i);
        this.expect = VALUE;
        return i + 1;
      case COMMA_OR_CLOSE: {
        const kind = this.kinds[top];
        if (c === 44) {
          if (kind === 91) {
            this.indexes[top] = (this.indexes[top] as number) + 1;
            this.expect = VALUE;
          } else this.expect = KEY;
          return i + 1;
        }
        if ((c === 125 && kind === 123) || (c === 93 && kind === 91)) return this.closeContainer(i);
        return this.fail(
          `expected ',' or the end of ${kind === 91 ? 'an array' : 'an object'}, found '${s[i]}'`,
          i,
        );
      }
      default:
        return this.fail(`unexpected '${s[i]}' after the end of the document`, i, true);
    }
  }

  private closeContainer(i: number): number {
    this.kinds.pop();
    this.indexes.pop();
    this.path.pop();
    this.handler.close?.(this.path);
    this.expect = this.kinds.length === 0 ? END : COMMA_OR_CLOSE;
    return i + 1;
  }

  private keyRead(): void {
    const raw = this.parts.join('');
    this.parts = [];
    let key: string;
    if (raw.includes('\\')) {
      try {
        key = JSON.parse(raw) as string;
      } catch {
        this.fail('invalid key', this.from);
      }
    } else key = raw.slice(1, -1);
    this.path[this.path.length - 1] = key;
    this.mode = STRUCTURE;
    this.expect = COLON;
  }

  /** A skipped or captured value ended just before `end` in the current chunk. */
  private valueRead(s: string, end: number): void {
    this.mode = STRUCTURE;
    this.expect = this.kinds.length === 0 ? END : COMMA_OR_CLOSE;
    if (!this.capturing) return;
    this.capturing = false;
    this.parts.push(s.slice(this.from, end));
    const raw = this.parts.length === 1 ? (this.parts[0] as string) : this.parts.join('');
    this.parts = [];
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (err) {
      this.handler.invalid(this.path, (err as Error).message, this.valueLine);
      return;
    }
    this.handler.value(this.path, value, this.valueLine);
  }

  /** Scans a string body from `start`; returns the index after its closing quote, or -1 at chunk end. */
  private scanString(s: string, start: number, n: number): number {
    let i = start;
    if (this.escaped) {
      if (i >= n) return -1;
      this.escaped = false;
      i++;
    }
    for (;;) {
      const q = s.indexOf('"', i);
      const stop = q < 0 ? n : q;
      let k = stop - 1;
      while (k >= i && s.charCodeAt(k) === BACKSLASH) k--;
      const odd = (stop - 1 - k) % 2 === 1;
      if (q < 0) {
        this.escaped = odd;
        return -1;
      }
      if (!odd) return q + 1;
      i = q + 1;
    }
  }

  /** Inside a skipped or captured object or array: only strings and brackets matter. */
  private container(s: string, start: number, n: number): number {
    let i = start;
    if (this.inString) {
      const end = this.scanString(s, i, n);
      if (end < 0) return n;
      this.inString = false;
      i = end;
    }
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c === QUOTE) {
        const end = this.scanString(s, i + 1, n);
        if (end < 0) {
          this.inString = true;
          return n;
        }
        i = end;
        continue;
      }
      if (c === 123 || c === 91) this.depth++;
      else if (c === 125 || c === 93) {
        this.depth--;
        if (this.depth === 0) {
          this.valueRead(s, i + 1);
          return i + 1;
        }
      }
      i++;
    }
    return n;
  }
}
