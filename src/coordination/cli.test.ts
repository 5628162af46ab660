// The CLI end to end: options, output files (they parse back), errors, empty input.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { Command, CommanderError } from 'commander';
import { parse as parseCsv } from 'csv-parse/sync';
import { MultiGraph, UndirectedGraph } from 'graphology';
import gexf from 'graphology-gexf';
import graphml from 'graphology-graphml';
import { registerCoordinationCommands } from './cli.ts';
import { OUTPUT_FILES } from './output.ts';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-coord-cli-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const program = new Command('vigil').exitOverride();
  let stderr = '';
  program.configureOutput({ writeErr: (s) => (stderr += s), writeOut: () => {} });
  registerCoordinationCommands(program);
  for (const c of program.commands) {
    c.exitOverride().configureOutput({ writeErr: (s) => (stderr += s) });
    for (const sub of c.commands) sub.exitOverride().configureOutput({ writeErr: (s) => (stderr += s) });
  }
  const log = console.log;
  let stdout = '';
  console.log = (...parts: unknown[]) => {
    stdout += `${parts.join(' ')}\n`;
  };
  try {
    await program.parseAsync(args, { from: 'user' });
  } finally {
    console.log = log;
  }
  return { stdout, stderr };
}

/** Three accounts that co-post a slogan with a link within seconds, ten times, among organic chatter. */
function dataset(): string {
  const t0 = Date.UTC(2024, 2, 4, 8) / 1000;
  const lines: string[] = [];
  let id = 0;
  for (let r = 0; r < 10; r++) {
    for (let m = 0; m < 3; m++) {
      lines.push(
        JSON.stringify({
          id: `c${id++}`,
          platform: 'x',
          author: `team${m}`,
          author_name: `Team "${m}", inc`,
          created_at: new Date((t0 + r * 5000 + m * 11) * 1000).toISOString(),
          text: `nothing is happening at the border everything is calm and normal round ${r} #calm #normal`,
          urls: [`https://www.calm.example/${r}?utm_source=${m}`],
          hashtags: ['calm', 'normal'],
          author_created_at: '2024-01-02',
        }),
      );
    }
  }
  for (let i = 0; i < 120; i++) {
    lines.push(
      JSON.stringify({
        id: `o${i}`,
        author: `org${i % 40}`,
        created_at: t0 + i * 397,
        text: `organic update ${i} on local news and sport results number ${i * 3}`,
        urls: i % 5 ? [] : ['https://news.example/front'],
      }),
    );
  }
  return `${lines.join('\n')}\n`;
}

describe('vigil analyze coordination', () => {
  it('writes every output file, and the graphs parse back with the graphology parsers', async () => {
    const input = join(dir, 'posts.jsonl.gz');
    await writeFile(input, gzipSync(dataset()));
    const out = join(dir, 'out');
    const { stdout } = await run(['analyze', 'coordination', input, '--out', out, '--window', '90']);
    assert.match(stdout, /Flagged 3 accounts in 1 communities/);
    for (const f of OUTPUT_FILES) assert.ok((await readFile(join(out, f), 'utf8')).length > 0, f);

    const accounts = parseCsv(await readFile(join(out, 'accounts.csv'), 'utf8'), { columns: true }) as Record<
      string,
      string
    >[];
    assert.deepEqual(Object.keys(accounts[0] ?? {}).slice(0, 5), [
      'author',
      'community',
      'score',
      'flagged',
      'reasons',
    ]);
    const flagged = accounts
      .filter((a) => a.flagged === 'true')
      .map((a) => a.author)
      .sort();
    assert.deepEqual(flagged, ['team0', 'team1', 'team2']);
    assert.equal(accounts.find((a) => a.author === 'team0')?.author_name, 'Team "0", inc');
    assert.equal(accounts.find((a) => a.author === 'org1')?.flagged, 'false');

    const edges = parseCsv(await readFile(join(out, 'edges.csv'), 'utf8'), { columns: true }) as Record<
      string,
      string
    >[];
    assert.equal(edges.length, 3);
    for (const e of edges) {
      assert.equal(e.significant, 'true');
      assert.ok(Number(e.observed) >= 10);
      assert.ok(Number(e.expected) < Number(e.observed));
      assert.ok(Number(e['co-link_observed']) >= 10);
    }

    const communities = JSON.parse(await readFile(join(out, 'communities.json'), 'utf8'));
    const c = communities.communities[0];
    assert.equal(c.size, 3);
    assert.equal(c.top_links[0].value.startsWith('calm.example/'), true);
    assert.deepEqual(c.top_hashtags.map((h: { value: string }) => h.value).sort(), ['calm', 'normal']);
    assert.equal(c.account_creation.known, 3);
    assert.ok(c.exemplars.length > 0);
    assert.ok(c.activity.counts.reduce((a: number, b: number) => a + b, 0) === 30);

    const narratives = JSON.parse(await readFile(join(out, 'narratives.json'), 'utf8'));
    assert.ok(narratives.narratives.length >= 1);
    assert.equal(narratives.narratives[0].first_post.author, 'team0');
    assert.match(narratives.narratives[0].text, /nothing is happening at the border/);

    const g1 = gexf.parse(UndirectedGraph, await readFile(join(out, 'graph.gexf'), 'utf8'));
    const g2 = graphml.parse(UndirectedGraph, await readFile(join(out, 'graph.graphml'), 'utf8'));
    for (const g of [g1, g2]) {
      assert.equal(g.order, 3);
      assert.equal(g.size, 3);
      assert.equal(Number(g.getNodeAttribute('team0', 'community')), 1);
    }
    const summary = await readFile(join(out, 'summary.md'), 'utf8');
    assert.match(summary, /# Coordination analysis/);
    assert.match(summary, /Flagged accounts: 3 in 1 communities/);
  });

  it('turns an empty input into an empty, valid result', async () => {
    const input = join(dir, 'empty.jsonl');
    await writeFile(input, '');
    const out = join(dir, 'empty-out');
    await run(['analyze', 'coordination', input, '--out', out, '--quiet']);
    const accounts = await readFile(join(out, 'accounts.csv'), 'utf8');
    assert.equal(accounts.trim().split('\n').length, 1);
    assert.deepEqual(JSON.parse(await readFile(join(out, 'communities.json'), 'utf8')), { communities: [] });
    assert.deepEqual(JSON.parse(await readFile(join(out, 'narratives.json'), 'utf8')), { narratives: [] });
    const g = graphml.parse(UndirectedGraph, await readFile(join(out, 'graph.graphml'), 'utf8'));
    assert.equal(g.order, 0);
    // With no edges the GEXF parser cannot tell the edge type, so it wants a mixed graph.
    assert.equal(gexf.parse(MultiGraph, await readFile(join(out, 'graph.gexf'), 'utf8')).order, 0);
  });

  it('reports malformed lines in the summary, and --strict stops at the first with file and line', async () => {
    const input = join(dir, 'bad.jsonl');
    await writeFile(input, `${dataset()}{"id":"x","author":"a"}\nnot json\n`);
    const out = join(dir, 'bad-out');
    const { stdout } = await run(['analyze', 'coordination', input, '--out', out]);
    assert.match(stdout, /2 malformed records skipped/);
    const summary = await readFile(join(out, 'summary.md'), 'utf8');
    assert.match(
      summary,
      /Malformed records skipped: 2 .*bad\.jsonl:151 missing required field 'created_at'/,
    );
    await assert.rejects(run(['analyze', 'coordination', input, '--out', out, '--strict']), (err: Error) => {
      assert.ok(err instanceof CommanderError);
      assert.match(err.message, /bad\.jsonl:151: missing required field 'created_at'/);
      return true;
    });
  });

  it('puts its temporary files in --temp-dir, leaves nothing there, and names a directory it cannot use', async () => {
    const input = join(dir, 'temp-input.jsonl');
    await writeFile(input, dataset());
    const temp = await mkdtemp(join(dir, 'temp-'));
    const { stdout } = await run([
      'analyze',
      'coordination',
      input,
      '--out',
      join(dir, 'temp-out'),
      '--temp-dir',
      temp,
    ]);
    assert.match(stdout, /Flagged 3 accounts/);
    assert.deepEqual(await readdir(temp), []);
    const missing = join(dir, 'no-such-directory');
    await assert.rejects(
      run(['analyze', 'coordination', input, '--out', join(dir, 'temp-out'), '--temp-dir', missing]),
      (err: Error) => {
        assert.ok(err instanceof CommanderError);
        assert.equal(err.exitCode, 1);
        assert.ok(err.message.includes(`in ${missing} (`), err.message);
        assert.match(err.message, /--temp-dir/);
        return true;
      },
    );
  });

  it('rejects bad options with a message naming the option', async () => {
    const input = join(dir, 'posts.jsonl.gz');
    await assert.rejects(
      run(['analyze', 'coordination', input, '--out', dir, '--similarity', '2']),
      /--similarity must be between 0 and 1/,
    );
    await assert.rejects(
      run(['analyze', 'coordination', input, '--out', dir, '--behaviours', 'co-like']),
      /unknown behaviour 'co-like'/,
    );
    await assert.rejects(
      run(['analyze', 'coordination', input, '--out', dir, '--window', 'soon']),
      /--window must be/,
    );
    await assert.rejects(
      run(['analyze', 'coordination', input, '--out', dir, '--threads', '-1']),
      /--threads must be a whole number from 0 to 16 \(got '-1'\)/,
    );
    await assert.rejects(
      run(['analyze', 'coordination', input, '--out', dir, '--threads', '17']),
      /--threads must be a whole number from 0 to 16 \(got '17'\)/,
    );
    await assert.rejects(run(['analyze', 'coordination', input]), /required option '--out <dir>'/);
  });

  it('has help text', async () => {
    const program = new Command('vigil');
    registerCoordinationCommands(program);
    const analyze = program.commands.find((c) => c.name() === 'analyze');
    const help = analyze?.commands.find((c) => c.name() === 'coordination')?.helpInformation() ?? '';
    assert.match(help, /--window <seconds>/);
    assert.match(help, /--strict/);
    assert.match(help, /--quiet/);
    assert.match(help, /--format <format>/);
    assert.match(help, /--temp-dir <dir>/);
    assert.match(help, /--threads <n>/);
  });
});
