// A run's analysis happens in a worker thread, on both databases (PostgreSQL: the thread's own
// connection; PGlite: pages sent from the main thread): the main thread's event loop keeps turning while
// the engine computes, and stopping the worker cancels the analysis without storing anything.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { defaultConfig, type GeneratedPost, generate } from '../../bench/coordination/generate.ts';
import { DATABASE_KINDS, openTestDatabase, type TestDatabase } from '../../test/support/db.ts';
import { insertSituation } from '../situations/service.ts';
import { claimRun, executeRun, type JobOptions } from './jobs.ts';
import { analysisOptions } from './service.ts';
import { importFile } from './store.ts';

const POSTS = 50_000;

/** Waits (up to 5 s) until `done` holds: the worker's directory is removed once it has stopped. */
async function waitFor(done: () => boolean): Promise<void> {
  for (let waited = 0; waited < 5000 && !done(); waited += 50) await new Promise((r) => setTimeout(r, 50));
}

for (const kind of DATABASE_KINDS) {
  describe(`coordination run in a worker thread [${kind}]`, { timeout: 600_000 }, () => {
    let test: TestDatabase;
    let dir: string;
    let situationId: string;
    let runId: string;
    let posts = 0;
    // PostgreSQL: the analysis thread opens its own connection to the test database.
    // The runs' temporary directories go here, so that the tests can see them removed.
    let tempParent: string;
    const threadOptions = (): JobOptions => ({
      databaseUrl: kind === 'postgres' ? test.location : null,
      tempParent,
    });

    before(async () => {
      test = await openTestDatabase(kind);
      dir = mkdtempSync(join(tmpdir(), 'vigil-coord-thread-'));
      tempParent = mkdtempSync(join(tmpdir(), 'vigil-coord-thread-temp-'));
      const lines: string[] = [];
      generate(defaultConfig(POSTS, 5), (p: GeneratedPost) => lines.push(JSON.stringify(p)));
      posts = lines.length;
      writeFileSync(join(dir, 'posts.jsonl'), `${lines.join('\n')}\n`);
      const situation = await insertSituation(test.db, {
        slug: 'coordination-thread',
        name: 'Coordination thread',
        startsOn: '2024-01-01',
        visibility: 'private',
      });
      situationId = (situation as { id: string }).id;
      const imported = await importFile(test.db, {
        situationId,
        userId: null,
        fileName: 'posts.jsonl',
        path: join(dir, 'posts.jsonl'),
        format: 'jsonl',
      });
      assert.equal(imported.posts_stored, posts);
      const [run] = await test.db.query<{ id: string }>(
        'INSERT INTO coordination_runs (situation_id, options) VALUES ($1, $2) RETURNING id',
        [situationId, JSON.stringify(analysisOptions({}))],
      );
      runId = (run as { id: string }).id;
    });
    after(async () => {
      await test?.drop();
      rmSync(dir, { recursive: true, force: true });
      rmSync(tempParent, { recursive: true, force: true });
    });

    it('cancels the analysis when its signal aborts, stores nothing and leaves no temporary files', async () => {
      const claimed = await claimRun(test.db, 'worker-that-stops');
      assert.equal(claimed?.id, runId);
      const stop = new AbortController();
      const phases = new Set<string>();
      // Aborted as soon as the engine is past reading: without cancellation the run would finish and store.
      // The run's temporary directory (where the engine counts pairs) exists until the worker is stopped.
      let runDirectories = 0;
      await executeRun(test.db, claimed!, 'worker-that-stops', {
        ...threadOptions(),
        signal: stop.signal,
        onProgress: (phase) => {
          phases.add(phase);
          if (phase === 'analyse' && !stop.signal.aborted) {
            runDirectories = readdirSync(tempParent).length;
            stop.abort();
          }
        },
      });
      assert.equal(runDirectories, 1, 'the run had its temporary directory');
      await waitFor(() => readdirSync(tempParent).length === 0);
      assert.deepEqual(readdirSync(tempParent), []);
      assert.ok(phases.has('analyse'));
      assert.ok(!phases.has('store'), [...phases].join(', '));
      const [row] = await test.db.query<{ status: string; lease_owner: string | null }>(
        'SELECT status, lease_owner FROM coordination_runs WHERE id = $1',
        [runId],
      );
      // Left to whoever cancelled it (`vigil serve` queues it again when it stops).
      assert.deepEqual(row, { status: 'running', lease_owner: 'worker-that-stops' });
      const stored = await test.db.query('SELECT 1 FROM coordination_communities WHERE run_id = $1', [runId]);
      assert.equal(stored.length, 0);
      await test.db.query(
        `UPDATE coordination_runs SET status = 'queued', lease_owner = NULL, lease_until = NULL WHERE id = $1`,
        [runId],
      );
    });

    it('keeps the main event loop turning while the engine computes', async () => {
      const claimed = await claimRun(test.db, 'responsive-worker');
      assert.equal(claimed?.id, runId);
      // Between its first and its last report of the "analyse" phase the engine computes without ever
      // yielding: on this thread no timer could fire in between. In a worker thread this one keeps firing.
      let analysing = false;
      let analyseReports = 0;
      let ticks = 0;
      const timer = setInterval(() => {
        if (analysing) ticks++;
      }, 2);
      try {
        await executeRun(test.db, claimed!, 'responsive-worker', {
          ...threadOptions(),
          onProgress: (phase, done, total) => {
            analysing = phase === 'analyse' && done < total;
            if (phase === 'analyse') analyseReports++;
          },
        });
      } finally {
        clearInterval(timer);
      }
      const [row] = await test.db.query<{ status: string; posts: number; error: string | null }>(
        'SELECT status, posts, error FROM coordination_runs WHERE id = $1',
        [runId],
      );
      assert.equal(row?.status, 'done', row?.error ?? '');
      assert.equal(row?.posts, posts);
      assert.ok(analyseReports >= 2, 'the analysis phase was reported');
      assert.ok(ticks >= 3, `the main thread's timer fired ${ticks} times during the analysis phase`);
      const communities = await test.db.query('SELECT 1 FROM coordination_communities WHERE run_id = $1', [
        runId,
      ]);
      assert.ok(communities.length > 0);
      await waitFor(() => readdirSync(tempParent).length === 0);
      assert.deepEqual(readdirSync(tempParent), []);
    });
  });
}
