// Reading JSON Lines on several threads must give the engine exactly what one thread gives it: the same
// posts with the same record numbers (the second pass finds its posts by them), the same malformed lines
// with the same line numbers, the same first fatal line under --strict.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { defaultConfig, generate } from '../../bench/coordination/generate.ts';
import { type AnalysisResult, analyze } from './engine.ts';
import { TELEGRAM } from './fixtures.ts';
import { fileText, outputFiles } from './output.ts';
import { CoordinationInputError, defaultReadThreads, fileSource } from './read.ts';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-coord-parallel-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Generated posts as JSON Lines, with what real files hold between them: blank and CRLF-ended lines,
 * broken JSON, records missing a field, a line holding an array of two posts, a Telegram export on one
 * line (service messages are skipped records), non-ASCII text, and no line break at the end. */
function mixedJsonLines(): string {
  const lines: string[] = [];
  generate(defaultConfig(12000, 11), (p) => lines.push(JSON.stringify(p)));
  const out: string[] = [];
  lines.forEach((line, i) => {
    if (i % 997 === 5) out.push('');
    if (i % 1499 === 7) out.push('{"id": "broken", "author": ');
    if (i % 2003 === 9) out.push(JSON.stringify({ id: `nf${i}`, created_at: '2024-03-04T12:00:00Z' }));
    if (i % 1777 === 3) out.push(`[${line}, ${JSON.stringify({ ...JSON.parse(line), id: `dup${i}` })}]`);
    if (i === 4321) out.push(JSON.stringify(TELEGRAM));
    if (i % 1201 === 1) {
      const post = JSON.parse(line) as { text?: string };
      post.text = `Ёлка «праздник» — ${post.text ?? ''} 🎄`;
      out.push(JSON.stringify(post));
      return;
    }
    out.push(i % 3 === 0 ? `${line}\r` : line);
  });
  return out.join('\n');
}

/** Everything a run produces, except how long its phases took. */
function comparable(result: AnalysisResult): string {
  const { seconds: _seconds, ...stats } = result.stats;
  const files = outputFiles(result)
    .filter(([name]) => name !== 'summary.md')
    .map(([name, make]) => [name, fileText(make())]);
  return JSON.stringify({ read: result.read, stats, files });
}

describe('reading JSON Lines on several threads', () => {
  it('uses one reading thread per core by default, at most four, and none on a single core', () => {
    assert.deepEqual(
      [1, 2, 3, 4, 8, 64].map((cores) => defaultReadThreads(cores)),
      [0, 2, 3, 4, 4, 4],
    );
  });

  it('gives the same analysis as one thread, malformed lines and their numbers included, plain and gzipped', async () => {
    const content = mixedJsonLines();
    const plain = join(dir, 'posts.jsonl');
    const gzipped = join(dir, 'posts.jsonl.gz');
    await writeFile(plain, content);
    await writeFile(gzipped, gzipSync(content));

    const one = await analyze(fileSource([plain], { format: 'auto', strict: false, threads: 0 }));
    assert.ok(one.read.posts > 12000, 'the generated posts and the extra ones are read');
    assert.ok(one.read.malformed >= 12, 'broken lines and records missing a field are counted');
    assert.ok(one.read.skipped > 0, "the Telegram export's service message is skipped");
    assert.ok(
      one.accounts.some((a) => a.flagged),
      'the planted groups are found',
    );
    const reference = comparable(one);

    // Small jobs cut the file into dozens, spread over two threads and taken back in order.
    for (const [file, threads] of [
      [plain, 2],
      [plain, 3],
      [gzipped, 2],
    ] as const) {
      const many = await analyze(
        fileSource([file], {
          format: 'auto',
          strict: false,
          threads,
          parallelMinBytes: 0,
          jobBytes: 64 << 10,
        }),
      );
      const expected = file === plain ? reference : reference.replaceAll(plain, gzipped);
      assert.equal(comparable(many), expected, `${threads} threads reading ${file}`);
    }
  });

  it('keeps reading several files in order, numbering records across them', async () => {
    const lines: string[] = [];
    generate(defaultConfig(6000, 5), (p) => lines.push(JSON.stringify(p)));
    const first = join(dir, 'first.jsonl');
    const second = join(dir, 'second.jsonl');
    await writeFile(first, `${lines.slice(0, 2500).join('\n')}\n`);
    await writeFile(second, `${lines.slice(2500).join('\n')}\n`);
    const one = await analyze(fileSource([first, second], { format: 'auto', strict: false, threads: 0 }));
    const many = await analyze(
      fileSource([first, second], {
        format: 'auto',
        strict: false,
        threads: 2,
        parallelMinBytes: 0,
        jobBytes: 32 << 10,
      }),
    );
    assert.equal(comparable(many), comparable(one));
  });

  it('--strict stops at the first malformed line, with its number, though later jobs are already parsed', async () => {
    const lines: string[] = [];
    generate(defaultConfig(8000, 3), (p) => lines.push(JSON.stringify(p)));
    lines.splice(6000, 0, '{"id": "x", "author": "y", "created_at": "soon"}');
    lines.splice(7000, 0, 'not json');
    const file = join(dir, 'strict.jsonl');
    await writeFile(file, lines.join('\n'));
    for (const threads of [0, 2]) {
      await assert.rejects(
        analyze(
          fileSource([file], {
            format: 'auto',
            strict: true,
            threads,
            parallelMinBytes: 0,
            jobBytes: 16 << 10,
          }),
        ),
        (error: unknown) =>
          error instanceof CoordinationInputError &&
          error.message === `${file}:6001: invalid created_at 'soon'`,
        `${threads} threads`,
      );
    }
  });

  it('reads a file whose first line is a whole document on one thread, as before', async () => {
    const file = join(dir, 'telegram.json');
    await writeFile(file, JSON.stringify(TELEGRAM, null, 2));
    const one = await analyze(fileSource([file], { format: 'auto', strict: false, threads: 0 }));
    const many = await analyze(
      fileSource([file], { format: 'auto', strict: false, threads: 2, parallelMinBytes: 0 }),
    );
    assert.ok(one.read.posts > 0);
    assert.equal(comparable(many), comparable(one));
  });
});
