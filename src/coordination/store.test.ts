// Coordination in the product, on both databases, through the HTTP API: imports (idempotent, malformed
// lines reported, gzip and Telegram), permissions, a run as a job that finds the planted coordinated
// accounts, a crashed worker's run taken up again, the posts behind an edge, links and stances, files.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { defaultConfig, type GeneratedPost, generate } from '../../bench/coordination/generate.ts';
import { buildTestApp } from '../../test/support/app.ts';
import { describeEachDatabase } from '../../test/support/db.ts';
import { multipartBody } from '../../test/support/evidence.ts';
import { bearer, createUsersWithTokens } from '../../test/support/fixtures.ts';
import type { Role } from '../auth/permissions.ts';
import { insertIncident } from '../evidence/incidents.ts';
import { labelledDenialNarratives } from '../risk/framework/coordination.ts';
import { insertSituation } from '../situations/service.ts';
import { claimRun, executeRun, runNextJob } from './jobs.ts';
import type { Community, EdgePosts, Graph, Import, Narrative, Run } from './schema.ts';

const SLUG = 'coordination-test';

/** A planted data set: ~20 000 posts, 1 000 accounts, some of them in coordinated groups. */
function dataset(): { jsonl: string; coordinated: Set<string>; posts: number } {
  const lines: string[] = [];
  const truth = generate(defaultConfig(20_000, 11), (p: GeneratedPost) => lines.push(JSON.stringify(p)));
  return {
    jsonl: `${lines.join('\n')}\n`,
    coordinated: new Set(truth.coordinated.keys()),
    posts: lines.length,
  };
}

const TELEGRAM_EXPORT = {
  name: 'Channel',
  type: 'public_channel',
  id: 42,
  messages: [
    {
      id: 1,
      type: 'service',
      date: '2023-01-01T10:00:00',
      date_unixtime: '1672567200',
      action: 'create_channel',
      text: '',
    },
    {
      id: 2,
      type: 'message',
      date: '2023-01-01T10:05:00',
      date_unixtime: '1672567500',
      from: 'Channel',
      from_id: 'channel42',
      text: 'The road is open, nothing is blocked #lachin',
      text_entities: [],
    },
  ],
};

describeEachDatabase('coordination in a situation', (getDb) => {
  let app: FastifyInstance;
  let tokens: Record<Role, string>;
  const data = dataset();
  const upload = (role: Role | null, body: Buffer, name: string, query = '') => {
    const form = multipartBody(body, name, 'application/octet-stream');
    return app.inject({
      method: 'POST',
      url: `/api/v1/situations/${SLUG}/coordination/imports${query}`,
      payload: form.payload,
      headers: { ...form.headers, ...(role ? bearer(tokens[role]) : {}) },
    });
  };
  const get = (path: string, role: Role | null = 'analyst') =>
    app.inject({
      method: 'GET',
      url: `/api/v1/situations/${SLUG}/coordination${path}`,
      headers: role ? bearer(tokens[role]) : {},
    });
  const send = (method: 'POST' | 'PATCH' | 'DELETE', path: string, body: unknown, role: Role = 'analyst') =>
    app.inject({
      method,
      url: `/api/v1/situations/${SLUG}/coordination${path}`,
      payload: body as object,
      headers: bearer(tokens[role]),
    });
  let run: Run;

  before(async () => {
    const db = getDb();
    tokens = await createUsersWithTokens(db);
    await insertSituation(db, {
      slug: SLUG,
      name: 'Coordination test',
      startsOn: '2024-01-01',
      visibility: 'private',
    });
    app = await buildTestApp(db);
  });
  after(async () => {
    await app?.close();
  });

  it('imports posts once, however often the same file comes, and reports malformed lines', async () => {
    const bad = `${data.jsonl}{"id": "x1", "author": "a"}\nnot json at all\n`;
    const first = await upload('analyst', Buffer.from(bad), 'posts.jsonl');
    assert.equal(first.statusCode, 201, first.body);
    const imported = first.json<Import>();
    assert.equal(imported.status, 'done');
    assert.equal(imported.postsRead, data.posts);
    assert.equal(imported.postsStored, data.posts);
    assert.equal(imported.malformed, 2);
    assert.deepEqual(
      imported.malformedSamples.map((m) => m.line),
      [data.posts + 1, data.posts + 2],
    );
    assert.match(imported.malformedSamples[0]?.reason ?? '', /created_at/);

    // The same posts again, gzipped and under another name: nothing doubles.
    const again = await upload('analyst', gzipSync(Buffer.from(data.jsonl)), 'again.jsonl.gz');
    assert.equal(again.statusCode, 201, again.body);
    assert.equal(again.json<Import>().postsStored, 0);
    assert.equal(again.json<Import>().duplicates, data.posts);

    const telegram = await upload(
      'analyst',
      Buffer.from(JSON.stringify(TELEGRAM_EXPORT, null, 1)),
      'result.json',
    );
    assert.equal(telegram.statusCode, 201, telegram.body);
    assert.equal(telegram.json<Import>().postsStored, 1);
    assert.equal(telegram.json<Import>().skipped, 1);
    assert.equal(telegram.json<Import>().format, 'telegram');

    const overview = await get('');
    assert.equal(overview.statusCode, 200, overview.body);
    assert.equal(overview.json<{ posts: number }>().posts, data.posts + 1);
    assert.equal(overview.json<{ imports: Import[] }>().imports.length, 3);
    assert.equal(imported.progress?.phase, 'done');
  });

  it("records an import's progress, which the client follows by the id it chose", async () => {
    const id = randomUUID();
    const seen: Import[] = [];
    let answered = false;
    const uploading = upload('analyst', Buffer.from(data.jsonl), 'progress.jsonl', `?id=${id}`).finally(
      () => {
        answered = true;
      },
    );
    // Poll as the page does while the upload is in flight.
    while (!answered) {
      const res = await get(`/imports/${id}`);
      if (res.statusCode === 200) seen.push(res.json<Import>());
      else assert.equal(res.statusCode, 404, res.body);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const res = await uploading;
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.json<Import>().id, id);
    const during = seen.filter((i) => i.status === 'importing');
    assert.ok(
      during.some((i) => i.progress?.phase === 'store' && i.progress.done > 0 && i.postsRead === data.posts),
      JSON.stringify(during.map((i) => [i.progress, i.postsRead])),
    );
    assert.ok(during.some((i) => i.progress?.phase === 'read' && i.postsRead > 0));
    const done = (await get(`/imports/${id}`)).json<Import>();
    assert.equal(done.status, 'done');
    assert.deepEqual(done.progress, { phase: 'done', done: data.posts, total: data.posts });
    assert.equal(done.duplicates, data.posts);

    assert.equal((await upload('analyst', Buffer.from(data.jsonl), 'p.jsonl', `?id=${id}`)).statusCode, 409);
    assert.equal((await upload('analyst', Buffer.from(data.jsonl), 'p.jsonl', '?id=nope')).statusCode, 400);
    assert.equal((await get(`/imports/${randomUUID()}`)).statusCode, 404);
    assert.equal((await get(`/imports/${id}`, 'viewer')).statusCode, 403);
  });

  it('keeps coordination to analysts, and a private situation private', async () => {
    assert.equal((await upload('viewer', Buffer.from(data.jsonl), 'p.jsonl')).statusCode, 403);
    assert.equal((await upload('documenter', Buffer.from(data.jsonl), 'p.jsonl')).statusCode, 403);
    assert.equal((await upload(null, Buffer.from(data.jsonl), 'p.jsonl')).statusCode, 404);
    assert.equal((await get('', 'viewer')).statusCode, 403);
    assert.equal((await get('', null)).statusCode, 404);
    assert.equal((await send('POST', '/runs', {}, 'organiser')).statusCode, 403);
    const badOptions = await send('POST', '/runs', { textSimilarity: 3, behaviours: ['co-nothing'] });
    assert.equal(badOptions.statusCode, 400);
    assert.match(badOptions.body, /textSimilarity|behaviours/);
  });

  it('runs the analysis as a job and finds the planted coordinated accounts', async () => {
    const started = await send('POST', '/runs', { window: 60 });
    assert.equal(started.statusCode, 202, started.body);
    run = started.json<Run>();
    assert.equal(run.status, 'queued');
    assert.equal(run.options.windows['co-text'], 60);

    assert.equal(await runNextJob(getDb(), 'test-worker'), true);
    assert.equal(await runNextJob(getDb(), 'test-worker'), false);
    const done = (await get(`/runs/${run.id}`)).json<Run>();
    assert.equal(done.status, 'done', done.error ?? '');
    assert.equal(done.posts, data.posts + 1);
    assert.equal(done.progress?.phase, 'done');
    assert.deepEqual(done.files, [
      'accounts.csv',
      'communities.json',
      'edges.csv',
      'graph.gexf',
      'graph.graphml',
      'narratives.json',
      'summary.md',
    ]);
    assert.ok((done.communities ?? 0) > 0);

    const communities = (await get(`/runs/${run.id}/communities`)).json<{ items: Community[] }>().items;
    const flagged = new Set<string>();
    for (const c of communities) {
      for (const a of c.summary.accounts as { author: string }[]) flagged.add(a.author);
    }
    const truePositives = [...flagged].filter((a) => data.coordinated.has(a)).length;
    const precision = truePositives / flagged.size;
    const recall = truePositives / data.coordinated.size;
    assert.ok(precision >= 0.9, `precision ${precision}`);
    assert.ok(recall >= 0.8, `recall ${recall}`);
    assert.equal(done.flaggedAccounts, flagged.size);

    const narratives = (await get(`/runs/${run.id}/narratives`)).json<{ items: Narrative[] }>().items;
    assert.ok(narratives.length > 0);
    assert.equal(narratives[0]?.stance, 'unassessed');

    const zip = await get(`/runs/${run.id}/export.zip`);
    assert.equal(zip.statusCode, 200);
    assert.equal(zip.headers['content-type'], 'application/zip');
    assert.equal(zip.rawPayload.subarray(0, 2).toString(), 'PK');
    const csv = await get(`/runs/${run.id}/files/accounts.csv`);
    assert.equal(csv.statusCode, 200);
    assert.match(csv.body, /^author,community,score,flagged,reasons/);
    assert.equal((await get(`/runs/${run.id}/files/secrets.txt`)).statusCode, 400);
  });

  it('opens the posts behind an edge', async () => {
    const graph = (await get(`/runs/${run.id}/graph`)).json<Graph>();
    assert.ok(graph.nodes.length > 0 && graph.edges.length > 0);
    const edge = graph.edges[0]!;
    assert.ok(graph.nodes.some((n) => n.id === edge.source));
    const res = await get(
      `/runs/${run.id}/edge?source=${encodeURIComponent(edge.source)}&target=${encodeURIComponent(edge.target)}`,
    );
    assert.equal(res.statusCode, 200, res.body);
    const behind = res.json<EdgePosts>();
    assert.ok(behind.coActions.length >= 3, `${behind.coActions.length} co-actions`);
    const ids = new Set(behind.posts.map((p) => p.id));
    for (const c of behind.coActions) {
      assert.equal(c.posts.length, 2);
      for (const id of c.posts) assert.ok(ids.has(id));
      assert.ok(c.seconds <= 60);
    }
    const authors = new Set(behind.posts.map((p) => p.author));
    assert.deepEqual([...authors].sort(), [edge.source, edge.target].sort());
    const none = await get(`/runs/${run.id}/edge?source=nobody&target=${encodeURIComponent(edge.target)}`);
    assert.equal(none.statusCode, 404);
  });

  it('links a community and a narrative to an incident, and records a stance', async () => {
    const db = getDb();
    const [situation] = await db.query<{ id: string }>('SELECT id FROM situations WHERE slug = $1', [SLUG]);
    const incident = {
      id: await db.transaction((tx) =>
        insertIncident(
          tx,
          situation!.id,
          {
            title: 'Denial campaign about the corridor',
            category: 'other',
            start: '2024-03-04',
            confidence: 'medium',
            sources: [{ url: 'https://example.org/report' }],
          } as never,
          { userId: null, label: 'test' },
        ),
      ),
    };
    const communities = (await get(`/runs/${run.id}/communities`)).json<{ items: Community[] }>().items;
    const community = communities[0]!;
    const linked = await send('POST', '/links', {
      communityId: community.id,
      incidentId: incident.id,
      note: 'same slogans',
    });
    assert.equal(linked.statusCode, 201, linked.body);
    assert.equal(
      linked.json<{ target: { title: string } }>().target.title,
      'Denial campaign about the corridor',
    );
    assert.equal(
      (await send('POST', '/links', { communityId: community.id, incidentId: incident.id }, 'analyst'))
        .statusCode,
      409,
    );
    const both = await send('POST', '/links', {
      communityId: community.id,
      narrativeId: community.id,
      incidentId: incident.id,
    });
    assert.equal(both.statusCode, 400);
    assert.equal(
      (await send('POST', '/links', { communityId: community.id, incidentId: incident.id }, 'viewer'))
        .statusCode,
      403,
    );
    const again = (await get(`/runs/${run.id}/communities`)).json<{ items: Community[] }>().items;
    assert.equal(again.find((c) => c.id === community.id)?.links.length, 1);

    const narratives = (await get(`/runs/${run.id}/narratives`)).json<{ items: Narrative[] }>().items;
    const narrative = narratives[0]!;
    const nlink = await send('POST', '/links', { narrativeId: narrative.id, incidentId: incident.id });
    assert.equal(nlink.statusCode, 201, nlink.body);

    const stance = await send('PATCH', `/narratives/${narrative.id}`, {
      stance: 'denial',
      note: 'denies the blockade',
    });
    assert.equal(stance.statusCode, 200, stance.body);
    const set = stance.json<Narrative>();
    assert.equal(set.stance, 'denial');
    assert.equal(set.stanceNote, 'denies the blockade');
    assert.equal(set.stanceSetBy, 'analyst@example.org');
    assert.equal(set.links.length, 1);
    assert.equal((await send('PATCH', `/narratives/${narrative.id}`, { stance: 'lies' })).statusCode, 400);
    assert.equal(
      (await send('PATCH', `/narratives/${narrative.id}`, { stance: 'other' }, 'viewer')).statusCode,
      403,
    );
    const rows = await getDb().query<{ stance: string }>(
      'SELECT stance FROM coordination_narratives WHERE id = $1',
      [narrative.id],
    );
    assert.equal(rows[0]?.stance, 'denial');

    const removed = await send('DELETE', `/links/${linked.json<{ id: string }>().id}`, undefined);
    assert.equal(removed.statusCode, 204);
  });

  it("carries an analyst's stance over to the same narrative in newer runs, suggested to risk once", async () => {
    const db = getDb();
    const labelled = (await get(`/runs/${run.id}/narratives`))
      .json<{ items: Narrative[] }>()
      .items.find((n) => n.stance === 'denial')!;
    assert.ok(labelled, 'the previous test labelled a narrative');
    const newer = (await send('POST', '/runs', {})).json<Run>();
    assert.equal(await runNextJob(db, 'stance-worker'), true);
    const second = (await get(`/runs/${newer.id}/narratives`)).json<{ items: Narrative[] }>().items;
    const carried = second.find((n) => n.stanceCarriedFrom !== null);
    assert.ok(carried, 'one narrative took the stance');
    assert.equal(carried.label, labelled.label);
    assert.equal(carried.stance, 'denial');
    assert.equal(carried.stanceNote, 'denies the blockade');
    assert.equal(carried.stanceSetBy, 'analyst@example.org');
    assert.equal(carried.stanceSetAt, labelled.stanceSetAt);
    assert.deepEqual(carried.stanceCarriedFrom, { narrativeId: labelled.id, runId: run.id });
    // Only the same narrative: the others stay unassessed.
    assert.equal(second.filter((n) => n.stance !== 'unassessed').length, 1);

    // The risk module suggests the denial stage once, from the narrative first labelled.
    const [situation] = await db.query<{ id: string }>('SELECT id FROM situations WHERE slug = $1', [SLUG]);
    const denial = await labelledDenialNarratives(db, situation!.id);
    assert.deepEqual(
      denial.map((n) => n.id),
      [labelled.id],
    );

    // An analyst who sets the newer narrative's stance replaces the carried one; a third run carries the
    // latest assessment.
    const changed = (
      await send('PATCH', `/narratives/${carried.id}`, {
        stance: 'downplaying',
        note: 'now says it is minor',
      })
    ).json<Narrative>();
    assert.equal(changed.stanceCarriedFrom, null);
    const third = (await send('POST', '/runs', {})).json<Run>();
    assert.equal(await runNextJob(db, 'stance-worker'), true);
    const latest = (await get(`/runs/${third.id}/narratives`))
      .json<{ items: Narrative[] }>()
      .items.find((n) => n.stanceCarriedFrom !== null)!;
    assert.equal(latest.stance, 'downplaying');
    assert.equal(latest.stanceNote, 'now says it is minor');
    assert.deepEqual(latest.stanceCarriedFrom, { narrativeId: carried.id, runId: newer.id });
  });

  it("takes up a crashed worker's run again, and fails a run that keeps crashing", async () => {
    const db = getDb();
    const queued = (await send('POST', '/runs', { behaviours: ['co-repost', 'co-link'] })).json<Run>();
    const claimed = await claimRun(db, 'worker-that-dies');
    assert.equal(claimed?.id, queued.id);
    // The worker dies: its lease runs out (set here instead of waiting).
    await db.query(`UPDATE coordination_runs SET lease_until = now() - interval '1 second' WHERE id = $1`, [
      queued.id,
    ]);
    assert.equal(await runNextJob(db, 'second-worker'), true);
    const resumed = (await get(`/runs/${queued.id}`)).json<Run>();
    assert.equal(resumed.status, 'done', resumed.error ?? '');
    assert.equal(resumed.attempts, 2);
    // The first worker comes back to life: it no longer holds the run and writes nothing.
    const before = await db.query('SELECT id FROM coordination_communities WHERE run_id = $1 ORDER BY id', [
      queued.id,
    ]);
    await executeRun(db, claimed!, 'worker-that-dies');
    const after = await db.query('SELECT id FROM coordination_communities WHERE run_id = $1 ORDER BY id', [
      queued.id,
    ]);
    assert.deepEqual(after, before);
    assert.equal((await get(`/runs/${queued.id}`)).json<Run>().status, 'done');

    const doomed = (await send('POST', '/runs', {})).json<Run>();
    await db.query(
      `UPDATE coordination_runs SET status = 'running', attempts = 3, lease_owner = 'x',
         lease_until = now() - interval '1 second' WHERE id = $1`,
      [doomed.id],
    );
    assert.equal(await runNextJob(db, 'third-worker'), false);
    const failed = (await get(`/runs/${doomed.id}`)).json<Run>();
    assert.equal(failed.status, 'failed');
    assert.match(failed.error ?? '', /3 times/);
  });
});
