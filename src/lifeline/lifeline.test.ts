// The lifeline on both databases: the scenario's derived records, the scenario check (issue 4, part 7),
// the API, writes with their refusals, CSV import/export, signals and the CLI report.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildTestApp } from '../../test/support/app.ts';
import { describeEachDatabase } from '../../test/support/db.ts';
import { bearer, createUsersWithTokens } from '../../test/support/fixtures.ts';
import type { Role } from '../auth/permissions.ts';
import { ANONYMOUS } from '../auth/permissions.ts';
import { BUILT_IN_SCENARIO, importScenario } from '../scenario/service.ts';
import { formatReport } from './cli.ts';
import { computeMetrics } from './service.ts';
import { lifelineSignals } from './signals.ts';

const SLUG = BUILT_IN_SCENARIO;
const BASE = `/api/v1/situations/${SLUG}/lifeline`;
const HRD_182 =
  'https://1lurer.am/en/2023/06/12/Azerbaijani-offenses-against-people-of-Artsakh-are-committed-within-framework-of-state-policy-of-ra/944911';

describeEachDatabase('lifeline', (getDb) => {
  let app: FastifyInstance;
  let tokens: Record<Role, string>;

  before(async () => {
    await importScenario(getDb(), SLUG);
    tokens = await createUsersWithTokens(getDb());
    app = await buildTestApp(getDb());
  });

  it('derives every lifeline record from a scenario row and names it', async () => {
    const observations = (await app.inject({ url: `${BASE}/observations` })).json().items;
    assert.ok(observations.length >= 20);
    for (const o of observations) {
      assert.ok(o.derivedFrom.length > 0, `${o.ref} names its rows`);
      for (const ref of o.derivedFrom) assert.match(ref, /^(sup|nk)-\d{3}$/);
      assert.ok(o.sources.length > 0);
    }
    const disruptions = (await app.inject({ url: `${BASE}/disruptions` })).json().items;
    const gas = disruptions.filter((d: { kind: string }) => d.kind === 'gas');
    assert.deepEqual(gas.map((d: { ref: string }) => d.ref).sort(), [
      'nk-010',
      'nk-019',
      'nk-024',
      'sup-034',
    ]);
    const nk010 = gas.find((d: { ref: string }) => d.ref === 'nk-010');
    assert.equal(nk010.endsOnAlternative, '2022-12-19', 'the contested restoration date is kept');
    const needs = (await app.inject({ url: `${BASE}/needs` })).json();
    assert.deepEqual(
      needs.models.map((m: { ref: string; selected: boolean }) => [m.ref, m.selected]),
      [
        ['sup-024', true],
        ['sup-002', false],
      ],
    );
    assert.deepEqual(
      needs.population.map((p: { persons: number }) => p.persons),
      [145053, 120000, 50],
    );
  });

  it('holds the scenario check: 5,574 t against 72,800 t in 182 days, 7.7%, with sources', async () => {
    const res = await app.inject({ url: `${BASE}/metrics?from=2022-12-12&to=2023-06-11` });
    assert.equal(res.statusCode, 200, res.body);
    const m = res.json();
    assert.equal(m.window.days, 182);
    assert.equal(m.delivered.total, 5574);
    assert.deepEqual(
      m.delivered.used.map((o: { ref: string }) => o.ref),
      ['sup-031'],
    );
    assert.equal(m.delivered.used[0].sources[0].url, HRD_182, 'the delivered figure links its source');
    assert.deepEqual(
      m.delivered.notUsed.map((n: { ref: string }) => n.ref).sort(),
      ['sup-007', 'sup-028'],
      'the 150-day and 24-day totals are not added to the 182-day one',
    );
    assert.equal(m.needed.total, 72_800);
    assert.equal(m.needed.formula, '400 t/day × 182 days = 72,800 t');
    assert.equal(m.needs.ref, 'sup-024');
    assert.equal(
      m.needs.sources[0].url,
      'https://www.artsakhpress.am/eng/news/181271/',
      "the baseline's own source",
    );
    assert.equal(m.coverage.percent, 7.7);
    assert.equal(m.coverage.complete, true);
    assert.equal(m.shortfall.cumulative, 72_800 - 5574);
    assert.deepEqual(m.statedComparison[0], {
      ref: 'sup-031',
      statedExpected: 72_800,
      vigilNeeded: 72_800,
      note: "the source's own expected figure (72,800 t) equals Vigil's (400 t/day × 182 days = 72,800 t)",
    });
    const byKind = Object.fromEntries(m.utilities.map((u: { kind: string }) => [u.kind, u]));
    // Electricity: the dated cut (nk-015, confirmed by sup-035) gives exactly the stated 154 days.
    assert.equal(byKind.electricity.daysConfirmed, 154);
    assert.equal(byKind.electricity.stated[0].days, 154);
    assert.match(byKind.electricity.comparison, /consistent/);
    // Gas: the timeline dates fewer days than the 117 stated; the difference is shown, not hidden.
    assert.equal(byKind.gas.stated[0].days, 117);
    assert.equal(byKind.gas.daysConfirmed, 88);
    assert.equal(byKind.gas.daysWithAlternativeEnds, 91);
    assert.match(
      byKind.gas.comparison,
      /sup-034 states 117 days; the dated intervals give 88–91 \(difference \+26 to \+29 days\)/,
    );
  });

  it('reports closures, blocked convoys with both tonnages, and the last delivery over the whole blockade', async () => {
    const m = await computeMetrics(getDb(), ANONYMOUS, SLUG, { asOf: '2023-08-31' });
    assert.deepEqual(m.window, { from: '2022-12-12', to: '2023-09-30', days: 293 });
    assert.equal(m.closure.daysConfirmed, 95, '15 Jun – 17 Sep 2023 (nk-032 to nk-054)');
    assert.equal(
      m.delivered.total,
      5624,
      'the 182-day total plus the 50 t of 23 Sep, never the nested totals',
    );
    assert.equal(m.delivered.lowerBound, true, '"more than 50 t"');
    assert.equal(m.coverage.complete, false);
    assert.equal(m.lastDelivery.lastOn, '2023-06-11');
    assert.equal(m.lastDelivery.daysSince, 81);
    const convoy = m.blocked.find((f) => f.unit === 't');
    assert.ok(convoy);
    const conflict = convoy.conflicts.find((c) => c.periodStart === '2023-07-26');
    assert.ok(conflict, 'the 400 t and 361 t figures for the convoy are shown side by side');
    assert.deepEqual(conflict.figures.map((o) => o.quantity).sort(), [361, 400]);
    assert.ok(
      m.stockOut.every((s) => !s.computable),
      'no consumption rates are reported in the scenario',
    );
    const text = formatReport(m);
    assert.match(text, /Delivered \(cargo, inbound\): at least 5,624 t/);
    assert.match(text, /not used sup-028: lies within sup-031/);
  });

  it('serves a chart series with period averages labelled as such, closures and utility cuts', async () => {
    const s = (await app.inject({ url: `${BASE}/series?from=2022-12-12&to=2023-09-30` })).json();
    assert.equal(s.days.length, 293);
    assert.deepEqual(s.days[0], {
      date: '2022-12-12',
      delivered: null,
      periodAverage: 30.626374,
      needed: 400,
    });
    assert.equal(s.days.find((d: { date: string }) => d.date === '2023-09-23').delivered, 50);
    assert.deepEqual(
      s.periods.map((p: { ref: string }) => p.ref),
      ['sup-031'],
    );
    assert.ok(
      s.closures.some((c: { ref: string; status: string }) => c.ref === 'nk-032' && c.status === 'closed'),
    );
    assert.ok(s.utilityCuts.some((c: { ref: string }) => c.ref === 'nk-015'));
  });

  it('gives signals as plain data with their evidence', async () => {
    const signals = await lifelineSignals(getDb(), SLUG, {
      coverageBelow: { threshold: 0.5, minDays: 7 },
      closureStarted: true,
      utilityCutLongerThan: { days: 30 },
    });
    const coverageSignal = signals.find((s) => s.kind === 'coverage-below');
    assert.deepEqual(coverageSignal && { ...coverageSignal, message: undefined }, {
      kind: 'coverage-below',
      situationSlug: SLUG,
      startsOn: '2022-12-12',
      endsOn: '2023-06-11',
      value: 0.076566,
      threshold: 0.5,
      unit: 'ratio',
      subject: 'cargo',
      message: undefined,
      evidence: [
        { ref: 'sup-031', sources: [{ url: HRD_182, outlet: 'Public Television of Armenia (1lurer.am)' }] },
        {
          ref: 'sup-024',
          sources: [{ url: 'https://www.artsakhpress.am/eng/news/181271/', outlet: 'Artsakhpress' }],
        },
      ],
    });
    const closure = signals.find((s) => s.kind === 'closure-started' && s.startsOn === '2023-06-15');
    assert.equal(closure?.value, 95);
    assert.ok(
      signals.some((s) => s.kind === 'utility-cut' && s.subject === 'electricity' && s.value === 154),
    );
    assert.ok(signals.some((s) => s.kind === 'utility-cut-stated' && s.subject === 'gas' && s.value === 117));
    const res = await app.inject({ url: `${BASE}/signals?coverageBelow=0.05` });
    assert.ok(
      !res.json().items.some((s: { kind: string }) => s.kind === 'coverage-below'),
      '7.7% is not below 5%',
    );
  });

  it('records new observations in bulk, converting units, only for roles that may write', async () => {
    const observation = {
      ref: 'test-001',
      periodStart: '2023-09-20',
      route: 'aghdam-road',
      commodity: 'food',
      quantity: 2,
      unit: 'truckloads',
      tonnesPerTruckload: 20,
      carriers: ['ICRC'],
      direction: 'in',
      confidence: 'medium',
      sources: [{ url: 'https://example.org/report', outlet: 'Example' }],
    };
    const url = `${BASE}/observations`;
    const payload = { observations: [observation] };
    assert.equal((await app.inject({ method: 'POST', url, payload })).statusCode, 401);
    assert.equal(
      (await app.inject({ method: 'POST', url, payload, headers: bearer(tokens.viewer) })).statusCode,
      403,
    );
    const res = await app.inject({ method: 'POST', url, payload, headers: bearer(tokens.documenter) });
    assert.equal(res.statusCode, 201, res.body);
    const [stored] = res.json().items;
    assert.deepEqual(
      [stored.quantity, stored.unit, stored.conversion, stored.carriers],
      [40, 't', '2 truckloads × 20 t', ['icrc']],
    );
    const m = (await app.inject({ url: `${BASE}/metrics?from=2023-09-20&to=2023-09-20` })).json();
    assert.equal(m.delivered.total, 40);
    assert.equal(
      m.delivered.dailyFiguresSummed,
      1,
      'a one-day figure that overlaps nothing is summed in SQL',
    );
  });

  it('refuses a bad batch with every row and reason, and writes nothing', async () => {
    const ok = {
      periodStart: '2023-02-01',
      route: 'lachin-corridor',
      commodity: 'medicine',
      quantity: 1,
      unit: 't',
      carriers: ['icrc'],
      direction: 'in',
      confidence: 'high',
      sources: [{ url: 'https://example.org/batch' }],
    };
    const before = (await app.inject({ url: `${BASE}/observations` })).json().items.length;
    const res = await app.inject({
      method: 'POST',
      url: `${BASE}/observations`,
      headers: bearer(tokens.analyst),
      payload: {
        observations: [
          ok,
          { ...ok, periodStart: '2023-03-01', unit: 'sacks' },
          { ...ok, periodStart: '2023-03-02', quantity: -5 },
          { ...ok, periodStart: '2023-03-10', periodEnd: '2023-03-05' },
          { ...ok, periodStart: '2023-01-25', periodEnd: '2023-02-03' },
        ],
      },
    });
    assert.equal(res.statusCode, 400);
    const fields = res
      .json()
      .errors.map((e: { field: string; message: string }) => `${e.field}: ${e.message}`);
    assert.ok(
      fields.some((f: string) => /^observations\.1\.unit: unknown unit "sacks"/.test(f)),
      fields.join('\n'),
    );
    assert.ok(fields.some((f: string) => /^observations\.2\.quantity: .*negative/.test(f)));
    assert.ok(fields.some((f: string) => /^observations\.3\.periodEnd: ends .* before it starts/.test(f)));
    assert.ok(
      fields.some((f: string) => /^observations\.4: .*overlaps observations\.0 of the same series/.test(f)),
    );
    assert.equal((await app.inject({ url: `${BASE}/observations` })).json().items.length, before);
  });

  it('imports and exports CSV with HXL hashtags, refusing a file with one bad line as a whole', async () => {
    const csv = (await app.inject({ url: `${BASE}/observations.csv` })).body;
    const [names, tags] = csv.split('\r\n');
    assert.match(names!, /^ref,period_start,period_end,route,commodity,quantity,unit/);
    assert.match(tags!, /^#meta\+id,#date\+start,#date\+end,#loc\+route,#item\+type,#value\+quantity/);
    assert.match(csv, /sup-031,2022-12-12,2023-06-11,lachin-corridor,cargo,5574,t,/);
    const file = [
      'period_start,route,commodity,quantity,unit,carriers,direction,confidence,sources',
      '#date+start,#loc+route,#item+type,#value+quantity,#value+unit,#org+carrier,#meta+direction,#meta+confidence,#meta+source+url',
      '2023-02-10,lachin-corridor,fuel,1500,kg,russian-peacekeepers,in,medium,https://example.org/csv',
      '2023-02-11,lachin-corridor,fuel,3,t,russian-peacekeepers,in,medium,https://example.org/csv',
    ];
    const post = (body: string) =>
      app.inject({
        method: 'POST',
        url: `${BASE}/observations`,
        headers: { ...bearer(tokens.documenter), 'content-type': 'text/csv' },
        body,
      });
    const bad = await post(
      [...file, '2023-02-12,lachin-corridor,fuel,2,barrels,x,in,medium,https://example.org/csv'].join('\r\n'),
    );
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().detail, /line 5\.unit: unknown unit "barrels"/);
    const good = await post(file.join('\r\n'));
    assert.equal(good.statusCode, 201, good.body);
    assert.deepEqual(
      good.json().items.map((o: { quantity: number }) => o.quantity),
      [1.5, 3],
    );
  });

  it('documents the lifeline endpoints in OpenAPI', async () => {
    const doc = (await app.inject({ url: '/api/v1/openapi.json' })).json();
    for (const path of ['metrics', 'series', 'disruptions', 'signals', 'observations', 'needs'])
      assert.ok(doc.paths[`/api/v1/situations/{slug}/lifeline/${path}`], path);
  });
});
