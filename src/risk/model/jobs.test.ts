// The model in the product, on both databases and over HTTP: panel upload (streamed, checked, size-limited),
// runs queued as background jobs in a worker thread with persisted progress, results identical to the
// library's (metrics, ROC, recall at k, ranking with contributions), downloads, errors that name the
// column, permissions, and runs left behind by a dead process reported as interrupted.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { buildTestApp } from '../../../test/support/app.ts';
import { describeEachDatabase } from '../../../test/support/db.ts';
import { multipartBody } from '../../../test/support/evidence.ts';
import { bearer, createUsersWithTokens } from '../../../test/support/fixtures.ts';
import type { Role } from '../../auth/permissions.ts';
import { runBacktest } from './backtest.ts';
import { trainOptionsOf } from './job.ts';
import { ModelRunner, PanelTooLargeError, runOptions, storePanel } from './jobs.ts';
import { backtestCurves, backtestSummary } from './outputs.ts';
import { panelToCsv, parsePanel } from './panel.ts';
import { generatePanel } from './synthetic.ts';

const API = '/api/v1/risk/model';
// Small on purpose: 40 units × 50 years, a short backtest with few boosting rounds.
const CSV = panelToCsv(generatePanel({ units: 40, from: 1975, to: 2024, onsetRate: 0.02, seed: 3 }));
const RUN = {
  unit: 'country',
  time: 'year',
  outcome: 'mk_onset_2y',
  horizon: 2,
  folds: 3,
  rounds: 30,
  seed: 7,
  backtest: { from: 2014, to: 2019 },
  forecast: { at: null },
};

describeEachDatabase('risk model runs', (getDb) => {
  let app: FastifyInstance;
  let tokens: Record<Role, string>;
  let panelId: string;

  before(async () => {
    tokens = await createUsersWithTokens(getDb());
    app = await buildTestApp(getDb());
  });
  after(async () => {
    await app?.close();
  });

  const upload = (csv: string | Buffer, role: Role | null = 'analyst', name = 'panel.csv') => {
    const body = multipartBody(Buffer.from(csv), name, 'text/csv');
    return app.inject({
      method: 'POST',
      url: `${API}/panels`,
      payload: body.payload,
      headers: { ...body.headers, ...(role ? bearer(tokens[role]) : {}) },
    });
  };
  const post = (url: string, payload: object, role: Role = 'analyst') =>
    app.inject({ method: 'POST', url, payload, headers: bearer(tokens[role]) });
  const get = (url: string, role: Role = 'analyst') => app.inject({ url, headers: bearer(tokens[role]) });

  async function finished(id: string) {
    for (;;) {
      const run = (await get(`${API}/runs/${id}`)).json();
      if (run.status === 'succeeded' || run.status === 'failed') return run;
      await sleep(200);
    }
  }

  it('lets only analysts and admins upload panels and run models (analysis.run)', async () => {
    assert.equal((await upload(CSV, null)).statusCode, 401);
    for (const role of ['viewer', 'documenter', 'organiser'] as const) {
      assert.equal((await upload(CSV, role)).statusCode, 403, role);
      assert.equal((await get(`${API}/runs`, role)).statusCode, 403, role);
    }
    const res = await upload(CSV, 'admin');
    assert.equal(res.statusCode, 201, res.body);
  });

  it('stores a panel as it streams in, with its columns, row count and hash', async () => {
    const res = await upload(CSV);
    assert.equal(res.statusCode, 201, res.body);
    const panel = res.json();
    panelId = panel.id;
    assert.equal(panel.rows, CSV.trim().split('\n').length - 1);
    assert.deepEqual(panel.columns.slice(0, 3), ['country', 'year', 'mk_onset_2y']);
    assert.equal(panel.columns.length, 43);
    assert.match(panel.sha256, /^[0-9a-f]{64}$/);
    const list = (await get(`${API}/panels`)).json().items;
    assert.ok(list.some((p: { id: string }) => p.id === panelId));
  });

  it('refuses malformed panels with a message naming the fault, and stores nothing', async () => {
    const before = (await get(`${API}/panels`)).json().items.length;
    const cases: [string, RegExp][] = [
      ['', /empty/],
      ['country,year,country\nA,2000,1\n', /column 'country' appears twice/],
      ['country,,y\nA,2000,1\n', /column 2 of the header has no name/],
      ['country,year,y\nA,2000,1\nB,2001\n', /well-formed CSV.*line 3/i],
      ['country,year,y\n', /header but no rows/],
    ];
    for (const [csv, message] of cases) {
      const res = await upload(csv);
      assert.equal(res.statusCode, 400, `${JSON.stringify(csv)}: ${res.body}`);
      assert.equal(res.json().errors[0].field, 'file');
      assert.match(res.json().errors[0].message, message);
    }
    const latin1 = Buffer.from('country,year,y\nS\xe3o Tom\xe9,2000,1\n', 'latin1');
    assert.match((await upload(latin1)).json().errors[0].message, /not UTF-8/);
    assert.equal((await get(`${API}/panels`)).json().items.length, before);
  });

  it('refuses a panel over the size limit (413) before storing anything', async () => {
    const db = getDb();
    const count = async () =>
      (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM risk_model_panels'))[0]?.n;
    const before = await count();
    const analyst = {
      kind: 'user' as const,
      user: { id: '00000000-0000-0000-0000-000000000000', email: 'a@x', role: 'analyst' as const },
      via: 'token' as const,
    };
    await assert.rejects(
      storePanel(db, analyst, {
        stream: Readable.from([Buffer.from(CSV.slice(0, 5000))]),
        fileName: 'big.csv',
        maxBytes: 1000,
      }),
      (err: unknown) => err instanceof PanelTooLargeError && err.status === 413,
    );
    assert.equal(await count(), before);
  });

  it('checks the chosen columns against the header when the run is asked for (400 naming the field)', async () => {
    let res = await post(`${API}/runs`, { ...RUN, panelId, outcome: 'onset' });
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json().errors[0].field, 'outcome');
    assert.match(res.json().errors[0].message, /no column 'onset'.*country, year, mk_onset_2y/);
    res = await post(`${API}/runs`, { ...RUN, panelId, backtest: null, forecast: null });
    assert.equal(res.json().errors[0].field, 'backtest');
    res = await post(`${API}/runs`, { ...RUN, panelId, backtest: { from: 2020, to: 2010 } });
    assert.equal(res.json().errors[0].field, 'backtest.to');
    res = await post(`${API}/runs`, { ...RUN, panelId: '00000000-0000-4000-8000-000000000000' });
    assert.equal(res.json().errors[0].field, 'panelId');
    assert.throws(
      () => runOptions({ ...RUN, panelId, exclude: ['nope'] }, ['country', 'year', 'mk_onset_2y', 'x']),
      /exclude\.0/,
    );
  });

  it('runs a backtest and a forecast as a job: progress, then the same results as the library', async () => {
    const res = await post(`${API}/runs`, { ...RUN, panelId });
    assert.equal(res.statusCode, 202, res.body);
    const queued = res.json();
    assert.match(queued.status, /queued|running/);
    assert.equal(res.headers.location, `${API}/runs/${queued.id}`);
    const run = await finished(queued.id);
    assert.equal(run.status, 'succeeded', run.error);
    assert.equal(run.progress.phase, 'done');
    assert.equal(run.progress.done, run.progress.total);
    assert.equal(run.progress.total, 1 + 6 + 1);
    const { backtest, forecast } = run.result;

    // The job's numbers are the library's numbers on the same panel and options.
    const panel = parsePanel(CSV, { unit: 'country', time: 'year', outcome: 'mk_onset_2y' });
    const options = runOptions(
      { ...RUN, panelId },
      panel.predictors.concat(['country', 'year', 'mk_onset_2y']),
    );
    const direct = await runBacktest(panel, { ...trainOptionsOf(options), from: 2014, to: 2019 });
    const summary = backtestSummary(direct, options.models, 'ensemble');
    assert.equal(backtest.metrics.auc, summary.auc);
    assert.equal(backtest.metrics.recallTop30, summary.recallTop30);
    assert.ok(backtest.metrics.auc > 0.5, `AUC ${backtest.metrics.auc}`);
    const curves = backtestCurves(direct, 'ensemble');
    assert.deepEqual(backtest.roc, curves.roc);
    assert.deepEqual(backtest.recallAtK, curves.recallAtK);
    assert.deepEqual(backtest.roc[0], [0, 0]);
    assert.deepEqual(backtest.roc.at(-1), [1, 1]);
    assert.equal(backtest.recallAtK.length, 50);
    for (let k = 1; k < 50; k++) assert.ok(backtest.recallAtK[k] >= backtest.recallAtK[k - 1]);
    assert.equal(backtest.recallAtK[29], backtest.metrics.recallTop30);
    assert.equal(backtest.perYear.length + backtest.metrics.skippedYears.length, 6);

    assert.equal(forecast.at, 2024);
    assert.equal(forecast.trainedThrough, 2022);
    assert.equal(forecast.ranking.length, forecast.units);
    forecast.ranking.forEach(
      (
        u: { rank: number; risk: number; baseline: number; contributions: { contribution: number }[] },
        i: number,
      ) => {
        assert.equal(u.rank, i + 1);
        assert.ok(u.contributions.length > 0 && u.contributions.length <= 8);
        if (i > 0) assert.ok(u.risk <= forecast.ranking[i - 1].risk);
      },
    );

    const csv = await get(`${API}/runs/${queued.id}/forecasts.csv`);
    assert.equal(csv.statusCode, 200);
    assert.match(csv.headers['content-type'] as string, /text\/csv/);
    assert.match(csv.headers['content-disposition'] as string, /forecasts\.csv/);
    const lines = csv.body.trim().split('\n');
    assert.equal(lines[0], 'unit,time,risk,rank,outcome,risk_elastic_net,risk_boosting');
    assert.equal(lines.length - 1, direct.forecasts.length);
    const ranking = await get(`${API}/runs/${queued.id}/ranking.csv`);
    assert.equal(ranking.body.trim().split('\n').length - 1, forecast.units);
    // baseline + Σ contributions = log-odds of the risk, for the ranking's first unit.
    const [header, first] = ranking.body.split('\n') as [string, string];
    const cols = header.split(',');
    const vals = first.split(',');
    const risk = Number(vals[cols.indexOf('risk')]);
    let logit = Number(vals[cols.indexOf('baseline')]);
    cols.forEach((c, j) => {
      if (c.startsWith('contrib_')) logit += Number(vals[j]);
    });
    assert.ok(Math.abs(logit - Math.log(risk / (1 - risk))) < 0.01, `${logit} vs ${risk}`);
    const metrics = JSON.parse((await get(`${API}/runs/${queued.id}/metrics.json`)).body);
    assert.equal(metrics.auc, backtest.metrics.auc);
    assert.equal(metrics.options.outcome, 'mk_onset_2y');

    const listed = (await get(`${API}/runs`)).json().items;
    assert.equal(listed[0].id, queued.id);
    assert.equal(listed[0].status, 'succeeded');
  });

  it('fails a run on bad values with a message naming the column, and keeps no result', async () => {
    // A count column is not a binary outcome: refused when the run reads the panel.
    const bad = await post(`${API}/runs`, {
      ...RUN,
      panelId,
      outcome: 'protest_events',
      exclude: ['mk_onset_2y'],
    });
    const run = await finished(bad.json().id);
    assert.equal(run.status, 'failed');
    assert.equal(run.errorField, 'protest_events');
    assert.match(run.error, /must be binary/);
    assert.equal(run.result, null);
    assert.equal((await get(`${API}/runs/${run.id}/forecasts.csv`)).statusCode, 404);
  });

  it('reports a run whose process died as interrupted, and starts queued runs at start', async () => {
    const db = getDb();
    const [row] = await db.query<{ id: string }>(
      `INSERT INTO risk_model_runs (panel_id, status, options, started_at, lease_until, created_by_label)
       SELECT panel_id, 'running', options, now() - interval '1 hour', now() - interval '1 minute', 'test'
       FROM risk_model_runs LIMIT 1 RETURNING id`,
    );
    const runner = new ModelRunner(db, 1);
    assert.equal(await runner.recover(), 1);
    const run = (await get(`${API}/runs/${row!.id}`)).json();
    assert.equal(run.status, 'failed');
    assert.match(run.error, /interrupted/);
    await runner.close();
  });
});
