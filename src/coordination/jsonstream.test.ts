// The streaming JSON scanner, and whole-document inputs (Telegram exports, Twitter/X v2 responses) read
// through it in bounded memory.
import assert from 'node:assert/strict';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { gzipSync } from 'node:zlib';
import { TELEGRAM, TWITTER_V2 } from './fixtures.ts';
import { type JsonPathPart, JsonStreamError, JsonStreamScanner } from './jsonstream.ts';
import { readPosts } from './read.ts';
import type { Post } from './types.ts';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-coord-jsonstream-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Captures every element of the top-level array `items`, fed in pieces of `size` characters. */
function itemsOf(text: string, size: number): { values: unknown[]; lines: number[]; other: unknown[] } {
  const values: unknown[] = [];
  const lines: number[] = [];
  const other: unknown[] = [];
  const scanner = new JsonStreamScanner({
    decide: (path: readonly JsonPathPart[], kind) => {
      if (path.length === 0) return 'descend';
      if (path[0] === 'items') return path.length === 1 && kind === 'array' ? 'descend' : 'capture';
      return path[0] === 'skipped' ? 'skip' : 'capture';
    },
    value: (path, value, line) => {
      if (path[0] === 'items') {
        values.push(value);
        lines.push(line);
      } else other.push(value);
    },
    invalid: (_path, message) => {
      throw new Error(message);
    },
  });
  for (let i = 0; i < text.length; i += size) scanner.write(text.slice(i, i + size));
  scanner.end();
  return { values, lines, other };
}

describe('streaming JSON scanner', () => {
  const items = [
    { text: 'quote " and backslash \\ and \\" both', n: -1.5e3 },
    ['nested', ['[', ']', '{', '}'], { deep: { deeper: [1, 2, 3] } }],
    'a string with \\\\ two backslashes\\\\',
    12345,
    true,
    null,
    { unicode: 'é ü 🙂 \u2028', esc: '\n\t\u0001' },
  ];
  const doc = JSON.stringify(
    { skipped: { big: ['x', { y: '}]"' }] }, items, tail: { done: true }, last: 7 },
    null,
    2,
  );

  it('hands over the same values as JSON.parse, whatever the chunk boundaries', () => {
    for (const size of [1, 2, 3, 5, 7, 16, 64, 100000]) {
      const { values, other } = itemsOf(doc, size);
      assert.deepEqual(values, items, `chunks of ${size}`);
      assert.deepEqual(other, [{ done: true }, 7], `chunks of ${size}`);
    }
  });

  it('gives the line each value starts on', () => {
    const { lines } = itemsOf(doc, 3);
    const expected = items.map((_, i) => {
      const at = doc.indexOf(
        JSON.stringify(items[i], null, 2).split('\n')[0] as string,
        doc.indexOf('"items"'),
      );
      return doc.slice(0, at).split('\n').length;
    });
    assert.equal(lines[0], expected[0]);
    assert.ok(lines.every((l, i) => i === 0 || l > (lines[i - 1] as number)));
  });

  it('reports a broken structure with its line, and a truncated document', () => {
    assert.throws(
      () => itemsOf('{\n"items": [1, 2]\n"x": 1}', 4),
      (err: unknown) => err instanceof JsonStreamError && err.line === 3,
    );
    assert.throws(() => itemsOf('{"items": [1, 2', 4), JsonStreamError);
    assert.throws(() => itemsOf('{"items": [{"a": 1}', 4), JsonStreamError);
  });
});

async function readFile(name: string): Promise<{ posts: Post[]; errors: number; format: string }> {
  const file = join(dir, name);
  const posts: Post[] = [];
  const stats = await readPosts([file], { format: 'auto', strict: false }, (p) => posts.push(p));
  return { posts, errors: stats.malformed, format: stats.formats[file] ?? '' };
}

describe('whole JSON documents are streamed', () => {
  it('reads a v2 response whose includes come after data (a second pass), gzipped and not', async () => {
    const text = JSON.stringify(TWITTER_V2, null, 2);
    assert.ok(text.indexOf('"data"') < text.indexOf('"includes"'));
    await writeFile(join(dir, 'v2.json'), text);
    await writeFile(join(dir, 'v2.json.gz'), gzipSync(text));
    for (const name of ['v2.json', 'v2.json.gz']) {
      const { posts, format } = await readFile(name);
      assert.equal(format, 'twitter-v2');
      assert.equal(posts.length, 3);
      assert.equal(posts[0]?.authorName, 'TwitterDev');
      assert.equal(posts[0]?.followers, 527960);
    }
  });

  it('reads a minified response on one line, and a single-tweet lookup', async () => {
    const { data, includes } = TWITTER_V2;
    await writeFile(join(dir, 'lookup.json'), JSON.stringify({ data: data[0], includes }, null, 1));
    const lookup = await readFile('lookup.json');
    assert.equal(lookup.posts.length, 1);
    assert.equal(lookup.posts[0]?.authorName, 'TwitterDev');
  });

  it('keeps the items before a syntax error and reports the error with its line', async () => {
    const text = JSON.stringify(TELEGRAM, null, 1);
    const cut = text.lastIndexOf('"id": 3');
    await writeFile(join(dir, 'broken.json'), `${text.slice(0, cut)}"id" 3}]}`);
    const { posts, errors } = await readFile('broken.json');
    assert.equal(posts.length, 1);
    assert.equal(errors, 1);
  });

  it('yields the first message of a large Telegram export long before the file is read, in bounded memory', async () => {
    const file = join(dir, 'big-export.json');
    const out = createWriteStream(file);
    const write = (s: string): Promise<void> =>
      new Promise((resolve) => (out.write(s) ? resolve() : out.once('drain', () => resolve())));
    const messages = 100_000;
    await write(
      '{\n "about": "export",\n "chats": {\n  "about": "chats",\n  "list": [\n   {\n    "name": "Big",\n    "type": "public_channel",\n    "id": 777,\n    "messages": [\n',
    );
    let batch: string[] = [];
    for (let m = 0; m < messages; m++) {
      const message = {
        id: m + 1,
        type: 'message',
        date: '2022-03-01T10:05:00',
        date_unixtime: String(1646129100 + m),
        from: `Member ${m % 500}`,
        from_id: `user${m % 500}`,
        text: [`message ${m} about the crossing "road" \\ and `, { type: 'hashtag', text: '#Road' }],
        text_entities: [
          { type: 'plain', text: `message ${m} about the crossing "road" \\ and ` },
          { type: 'hashtag', text: '#Road' },
        ],
      };
      batch.push(`${m ? ',\n' : ''}     ${JSON.stringify(message, null, 1).replace(/\n/g, '\n     ')}`);
      if (batch.length === 1000) {
        await write(batch.join(''));
        batch = [];
      }
    }
    await write(batch.join(''));
    await write('\n    ]\n   }\n  ]\n }\n}\n');
    await new Promise<void>((resolve) => out.end(() => resolve()));
    const size = (await stat(file)).size;
    assert.ok(size > 40 << 20, `file of ${size} bytes`);

    let bytesAtFirstPost = -1;
    let bytesRead = 0;
    let posts = 0;
    let last: Post | null = null;
    // Memory still held, not garbage not yet collected (how much of that there is depends on when the
    // collector last ran, which made a bound on the plain heap size flaky): a full collection before
    // each sample, through V8's own collector made callable here.
    setFlagsFromString('--expose-gc');
    const collect = runInNewContext('gc') as () => void;
    collect();
    const heapBefore = process.memoryUsage().heapUsed;
    let heapPeak = heapBefore;
    const stats = await readPosts(
      [file],
      { format: 'auto', strict: false, onBytes: (done) => (bytesRead = done) },
      (post) => {
        if (posts === 0) bytesAtFirstPost = bytesRead;
        posts++;
        last = post;
        if (posts % 10000 === 0) {
          collect();
          heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
        }
      },
    );
    assert.equal(stats.formats[file], 'telegram');
    assert.equal(posts, messages);
    assert.equal(stats.malformed, 0);
    assert.equal((last as Post | null)?.id, `777:${messages}`);
    assert.deepEqual((last as Post | null)?.hashtags, ['road']);
    // Incremental: the first post comes within the first read chunks, not after the whole file.
    assert.ok(
      bytesAtFirstPost > 0 && bytesAtFirstPost <= 4 << 20,
      `first post after ${bytesAtFirstPost} bytes`,
    );
    // Bounded: holding the document (or its parsed form) would take several times the file size.
    assert.ok(heapPeak - heapBefore < size / 8, `heap grew by ${heapPeak - heapBefore} for ${size} bytes`);
  });
});
