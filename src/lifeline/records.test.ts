// Writing the lifeline on both databases: the per-day totals stay equal to a recomputation on every kind of
// write; needs models, population, disruptions and stocks through the JSON API with their refusals; and
// deriving the scenario's records again without re-importing.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildTestApp } from '../../test/support/app.ts';
import { describeEachDatabase } from '../../test/support/db.ts';
import { bearer, createUsersWithTokens } from '../../test/support/fixtures.ts';
import type { Role } from '../auth/permissions.ts';
import { ANONYMOUS } from '../auth/permissions.ts';
import type { Queryable } from '../db/types.ts';
import { BUILT_IN_SCENARIO, importScenario } from '../scenario/service.ts';
import { insertSituation } from '../situations/service.ts';
import { computeMetrics } from './service.ts';

const SLUG = BUILT_IN_SCENARIO;
const BASE = `/api/v1/situations/${SLUG}/lifeline`;
const SOURCE = [{ url: 'https://example.org/lifeline-source', outlet: 'Example' }];

/** The per-day totals as stored, and as recomputed from the observations now. */
async function totals(db: Queryable) {
  const stored = await db.query(
    `SELECT situation_id, unit, direction, outcome, day::text, commodity, quantity::text, figures
     FROM lifeline_daily_totals ORDER BY 1, 2, 3, 4, 5, 6`,
  );
  const recomputed = await db.query(
    `SELECT situation_id, unit, direction, outcome, period_start::text AS day, commodity,
       sum(quantity::numeric)::text AS quantity, count(*)::int AS figures
     FROM lifeline_observations WHERE simple
     GROUP BY situation_id, unit, direction, outcome, period_start, commodity ORDER BY 1, 2, 3, 4, 5, 6`,
  );
  return { stored, recomputed };
}

async function assertTotalsExact(db: Queryable, when: string) {
  const { stored, recomputed } = await totals(db);
  assert.deepEqual(stored, recomputed, `per-day totals equal a recomputation ${when}`);
  return stored.length;
}

describeEachDatabase('lifeline writes', (getDb) => {
  let app: FastifyInstance;
  let tokens: Record<Role, string>;
  const post = (path: string, payload: unknown, role: Role | null = 'documenter') =>
    app.inject({
      method: 'POST',
      url: `${BASE}/${path}`,
      payload: payload as object,
      ...(role ? { headers: bearer(tokens[role]) } : {}),
    });

  before(async () => {
    await importScenario(getDb(), SLUG);
    tokens = await createUsersWithTokens(getDb());
    app = await buildTestApp(getDb());
  });

  it('keeps the per-day totals equal to a recomputation through inserts, updates, deletes and re-import', async () => {
    const db = getDb();
    assert.ok((await assertTotalsExact(db, 'after the scenario import')) > 0);
    const daily = (day: string, quantity: number, route = 'aghdam-road') => ({
      periodStart: day,
      route,
      commodity: 'food',
      quantity,
      unit: 'kg',
      carriers: ['icrc'],
      direction: 'in',
      confidence: 'medium',
      sources: [{ url: `https://example.org/daily/${route}` }],
    });
    // Figures that do not sum exactly in binary floating point (0.1 + 0.2), on days of their own.
    const res = await post('observations', {
      observations: [
        daily('2023-08-01', 100),
        daily('2023-08-01', 200, 'lachin-corridor'),
        daily('2023-08-02', 300),
        daily('2023-08-03', 123.456),
      ],
    });
    assert.equal(res.statusCode, 201, res.body);
    await assertTotalsExact(db, 'after JSON inserts');
    const day = async (d: string) =>
      (await app.inject({ url: `${BASE}/series?from=${d}&to=${d}&commodity=food` })).json().days[0].delivered;
    assert.equal(await day('2023-08-01'), 0.3, '0.1 t + 0.2 t on one day, summed exactly');
    // A period total over the same route makes the daily figures overlapping: they leave the direct sums.
    const period = await post('observations', {
      observations: [
        {
          ...daily('2023-08-02', 5000),
          periodEnd: '2023-08-03',
          sources: [{ url: 'https://example.org/period' }],
        },
      ],
    });
    assert.equal(period.statusCode, 201, period.body);
    await assertTotalsExact(db, 'after a period total made daily figures overlap');
    // Updates and deletes by any path (here plain SQL) move the totals too.
    await db.query(
      `UPDATE lifeline_observations SET quantity = quantity + 0.7 WHERE route = 'lachin-corridor' AND period_start = '2023-08-01'`,
    );
    await assertTotalsExact(db, 'after an update');
    assert.equal(await day('2023-08-01'), 1, '0.1 t + 0.9 t');
    await db.query(
      `DELETE FROM lifeline_observations WHERE route = 'aghdam-road' AND period_start = '2023-08-01'`,
    );
    await assertTotalsExact(db, 'after a delete');
    assert.equal(await day('2023-08-01'), 0.9);
    await db.query(
      `DELETE FROM lifeline_observations WHERE route = 'lachin-corridor' AND period_start = '2023-08-01'`,
    );
    await assertTotalsExact(db, "after deleting a day's last figure");
    assert.equal(await day('2023-08-01'), null, 'a day without a figure is not a zero');
    // CSV import, then re-deriving and re-importing the scenario.
    const csv = [
      'period_start,route,commodity,quantity,unit,carriers,direction,confidence,sources',
      '#date+start,#loc+route,#item+type,#value+quantity,#value+unit,#org+carrier,#meta+direction,#meta+confidence,#meta+source+url',
      '2023-08-10,lachin-corridor,fuel,0.1,t,russian-peacekeepers,in,medium,https://example.org/csv-rollup',
    ].join('\r\n');
    const imported = await app.inject({
      method: 'POST',
      url: `${BASE}/observations`,
      headers: { ...bearer(tokens.documenter), 'content-type': 'text/csv' },
      body: csv,
    });
    assert.equal(imported.statusCode, 201, imported.body);
    await assertTotalsExact(db, 'after a CSV import');
    await db.query(
      `UPDATE supply_observations SET value_low = 51, value_high = 51 WHERE external_ref = 'sup-052'`,
    );
    const derived = await post('derive', {});
    assert.equal(derived.statusCode, 200, derived.body);
    await assertTotalsExact(db, 'after re-deriving');
    await importScenario(db, SLUG, { replace: true });
    const n = await assertTotalsExact(db, 'after re-importing the scenario');
    assert.ok(n > 0);
    const metrics = await computeMetrics(db, ANONYMOUS, SLUG, { from: '2022-12-12', to: '2023-06-11' });
    assert.equal(metrics.delivered.total, 5574, 'the scenario check still holds after re-import');
  });

  it('refuses unconvertible units and a period overlapping a stored one of the same series, writing nothing', async () => {
    const base = {
      periodStart: '2023-08-20',
      route: 'lachin-corridor',
      commodity: 'food',
      quantity: 4,
      unit: 't',
      carriers: ['icrc'],
      direction: 'in',
      confidence: 'medium',
      sources: [{ url: 'https://example.org/units' }],
    };
    const stored = await post('observations', {
      observations: [{ ...base, periodStart: '2023-08-21', periodEnd: '2023-08-25' }],
    });
    assert.equal(stored.statusCode, 201, stored.body);
    const res = await post('observations', {
      observations: [
        { ...base, unit: 'truckloads' },
        { ...base, unit: 'kg', tonnesPerTruckload: 20, periodStart: '2023-08-01' },
        { ...base, unit: 'persons', periodStart: '2023-08-02' },
        { ...base, unit: 'barrels', periodStart: '2023-08-03' },
        { ...base, periodStart: '2023-08-24', periodEnd: '2023-08-30' },
        { ...base, quantity: -1, periodStart: '2023-08-04' },
        { ...base, periodStart: '2023-08-06', periodEnd: '2023-08-05' },
        { ...base, unit: 'truckloads', tonnesPerTruckload: 20, periodStart: '2023-08-07' },
      ],
    });
    assert.equal(res.statusCode, 400);
    const errors = res
      .json()
      .errors.map((e: { field: string; message: string }) => `${e.field}: ${e.message}`);
    const expect = [
      /^observations\.0\.unit: truckloads convert to tonnes only with a stated tonnage per truckload$/,
      /^observations\.1\.unit: a tonnage per truckload only applies to the unit truckloads$/,
      /^observations\.2\.unit: persons does not measure food$/,
      /^observations\.3\.unit: unknown unit "barrels"/,
      /^observations\.4: its period overlaps the stored observation .*\(2023-08-21\.\.2023-08-25\) of the same series$/,
      /^observations\.5\.quantity: quantity must not be negative$/,
      /^observations\.6\.periodEnd: ends \(2023-08-05\) before it starts \(2023-08-06\)$/,
    ];
    for (const pattern of expect)
      assert.ok(
        errors.some((e: string) => pattern.test(e)),
        `${pattern} in\n${errors.join('\n')}`,
      );
    assert.equal(errors.length, expect.length, 'the valid row (7 truckloads × 20 t) is not itself refused');
    const written = (await app.inject({ url: `${BASE}/observations?from=2023-08-01&to=2023-08-07` })).json();
    assert.ok(
      !written.items.some(
        (o: { route: string; commodity: string }) => o.commodity === 'food' && o.route === 'lachin-corridor',
      ),
      'nothing of the refused batch is written, not even its valid row',
    );
  });

  it('records needs models and population through the API, and the metrics use the selected model', async () => {
    const model = {
      ref: 'sphere-food',
      commodity: 'cargo',
      model: 'per-person',
      rate: 0.6,
      rateHigh: 0.7,
      selected: true,
      label: 'Sphere food basket',
      assumptions: '2,100 kcal per person per day, about 0.6 kg of dry food',
      sources: SOURCE,
    };
    assert.equal((await post('needs', { models: [model] }, null)).statusCode, 401);
    assert.equal((await post('needs', { models: [model] }, 'viewer')).statusCode, 403);
    assert.equal((await post('needs', { models: [model] }, 'organiser')).statusCode, 403);
    const bad = await post('needs', {
      models: [{ ...model, rateHigh: 0.5, validFrom: '2023-02-01', validTo: '2023-01-01' }],
      population: [
        { onDate: '2023-01-01', persons: 100, personsHigh: 50, sources: SOURCE },
        { onDate: '2023-03-01', persons: 100, sources: SOURCE },
        { onDate: '2023-03-01', persons: 90, sources: SOURCE },
        { onDate: '2023-01-20', persons: 1, sources: SOURCE },
      ],
    });
    assert.equal(bad.statusCode, 400);
    const fields = bad.json().errors.map((e: { field: string }) => e.field);
    assert.deepEqual(fields.sort(), [
      'models.0.rateHigh',
      'models.0.validTo',
      'population.0.personsHigh',
      'population.2.onDate',
      'population.3.onDate',
    ]);
    const noSource = await post('needs', { models: [{ ...model, sources: [] }] });
    assert.equal(noSource.statusCode, 400, 'every record carries its source');
    assert.equal((await app.inject({ url: `${BASE}/needs` })).json().models.length, 2, 'nothing written');

    const res = await post('needs', {
      models: [model],
      population: [{ ref: 'pop-test', onDate: '2023-07-01', persons: 100_000, sources: SOURCE }],
    });
    assert.equal(res.statusCode, 201, res.body);
    const body = res.json();
    assert.deepEqual(body.deselected, ['sup-024'], 'the previously selected baseline is named');
    assert.equal(body.models[0].unit, 'kg/person/day');
    assert.deepEqual(body.models[0].sources, SOURCE);
    const m = (await app.inject({ url: `${BASE}/metrics?from=2023-07-01&to=2023-07-10` })).json();
    assert.equal(m.needs.ref, 'sphere-food');
    assert.equal(m.needed.total, 600, '0.6 kg × 100,000 persons × 10 days = 600 t');
    assert.equal(m.needed.totalHigh, 700);
    assert.deepEqual(m.alternativeNeeds.map((a: { ref: string }) => a.ref).sort(), ['sup-002', 'sup-024']);
  });

  it('records disruptions with their sources, refusing bad dates, wrong statuses and self-overlaps', async () => {
    const cut = {
      ref: 'internet-cut-1',
      kind: 'internet',
      status: 'cut',
      startsOn: '2023-07-01',
      endsOn: '2023-07-05',
      confidence: 'medium',
      sources: SOURCE,
    };
    assert.equal((await post('disruptions', { disruptions: [cut] }, 'viewer')).statusCode, 403);
    const bad = await post('disruptions', {
      disruptions: [
        { ...cut, ref: 'a', endsOn: '2023-06-30' },
        { ...cut, ref: 'b', status: 'closed' },
        { ...cut, ref: 'c', basis: 'stated-total', statedDays: 10 },
        { ...cut, ref: 'd', startsOn: '2023-08-01', endsOn: '2023-08-10' },
        { ...cut, ref: 'e', startsOn: '2023-08-05', endsOn: '2023-08-20' },
      ],
    });
    assert.equal(bad.statusCode, 400);
    const errors = bad
      .json()
      .errors.map((e: { field: string; message: string }) => `${e.field}: ${e.message}`);
    assert.ok(
      errors.some((e: string) => /^disruptions\.0\.endsOn: ends .* before it starts/.test(e)),
      errors,
    );
    assert.ok(
      errors.some((e: string) => /^disruptions\.1\.status: closed does not apply to internet/.test(e)),
    );
    assert.ok(errors.some((e: string) => /^disruptions\.2\.statedDays: 10 days do not fit/.test(e)));
    assert.ok(
      errors.some((e: string) => /^disruptions\.4: .*overlaps disruptions\.3 of the same series/.test(e)),
    );

    const res = await post('disruptions', { disruptions: [cut] });
    assert.equal(res.statusCode, 201, res.body);
    assert.deepEqual(res.json().items[0].sources, SOURCE);
    const again = await post('disruptions', {
      disruptions: [{ ...cut, ref: 'internet-cut-2', startsOn: '2023-07-04', endsOn: '2023-07-08' }],
    });
    assert.equal(again.statusCode, 400);
    assert.match(again.json().detail, /overlaps the stored disruption internet-cut-1/);
    const m = (await app.inject({ url: `${BASE}/metrics?from=2023-07-01&to=2023-07-31` })).json();
    const internet = m.utilities.find((u: { kind: string }) => u.kind === 'internet');
    assert.equal(internet.daysConfirmed, 5);
    assert.deepEqual(
      internet.intervals.map((i: { ref: string }) => i.ref),
      ['internet-cut-1'],
    );
  });

  it('records stocks and estimates the stock-out with its formula', async () => {
    const res = await post('stocks', {
      stocks: [
        {
          ref: 'flour-1',
          commodity: 'flour',
          onDate: '2023-07-01',
          quantity: 1000,
          unit: 't',
          consumptionPerDay: 40,
          unusableBelow: 200,
          sources: SOURCE,
        },
      ],
    });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal((await app.inject({ url: `${BASE}/stocks` })).json().items.at(-1).ref, 'flour-1');
    const m = (await app.inject({ url: `${BASE}/metrics?from=2023-07-01&to=2023-07-31` })).json();
    const flour = m.stockOut.find((s: { ref: string }) => s.ref === 'flour-1');
    assert.deepEqual([flour.computable, flour.days, flour.date], [true, 20, '2023-07-21']);
    assert.equal(flour.formula, '(1,000 − 200) t ÷ (40 − 0) t/day');
    const bad = await post('stocks', { stocks: [{ ...res.json().items[0], ref: 'x', quantity: -1 }] });
    assert.equal(bad.statusCode, 400);
  });

  it('records any records at once, all or none', async () => {
    const res = await post('records', {
      observations: [
        {
          periodStart: '2023-09-01',
          route: 'aghdam-road',
          commodity: 'medicine',
          quantity: 2,
          unit: 't',
          carriers: ['icrc'],
          direction: 'in',
          confidence: 'high',
          sources: SOURCE,
        },
      ],
      stocks: [{ commodity: 'fuel', onDate: '2023-09-01', quantity: 5, unit: 't', sources: SOURCE }],
      disruptions: [
        {
          kind: 'gas',
          status: 'cut',
          startsOn: '2023-09-01',
          endsOn: '2023-08-01',
          confidence: 'low',
          sources: SOURCE,
        },
      ],
    });
    assert.equal(res.statusCode, 400);
    assert.match(res.json().detail, /disruptions\.0\.endsOn/);
    const obs = (await app.inject({ url: `${BASE}/observations?from=2023-09-01&to=2023-09-01` })).json();
    assert.ok(
      !obs.items.some((o: { commodity: string }) => o.commodity === 'medicine'),
      'the valid observation of the refused request is not written',
    );
    assert.equal((await post('records', {})).statusCode, 400);
  });

  it('derives the scenario again without re-importing: idempotent, saying what changed', async () => {
    const db = getDb();
    const first = await post('derive', {});
    assert.equal(first.statusCode, 200, first.body);
    assert.equal(first.json().changed, false, 'nothing to change right after an import');
    assert.equal(first.json().observations.added.length, 0);

    // A supply row is corrected: the derived record follows it, and nothing else moves.
    await db.query(
      `UPDATE supply_observations SET value_low = 5600, value_high = 5600 WHERE external_ref = 'sup-031'`,
    );
    await db.query(`DELETE FROM lifeline_disruptions WHERE external_ref = 'nk-015'`);
    await db.query(
      `INSERT INTO lifeline_stocks (situation_id, external_ref, commodity, on_date, quantity, unit, derived_from, sources)
       SELECT id, 'stale', 'fuel', '2023-01-01', 1, 't', '{sup-999}', '[]' FROM situations WHERE slug = $1`,
      [SLUG],
    );
    const second = (await post('derive', {})).json();
    assert.equal(second.changed, true);
    assert.deepEqual(second.observations.updated, ['sup-031']);
    assert.deepEqual(second.disruptions.added, ['nk-015']);
    assert.deepEqual(second.stocks.removed, ['stale']);
    assert.deepEqual(
      second.kept.map((k: { ref: string }) => k.ref),
      ['sphere-food'],
      'the model selected by hand stays selected',
    );
    const m = (
      await app.inject({ url: `${BASE}/metrics?from=2022-12-12&to=2023-06-11&commodity=cargo` })
    ).json();
    assert.equal(m.delivered.total, 5600);
    assert.equal(m.needs.ref, 'sphere-food');
    const third = (await post('derive', {})).json();
    assert.equal(third.changed, false, 'running it again changes nothing');
    assert.deepEqual(
      [third.observations.updated, third.disruptions.added, third.stocks.removed],
      [[], [], []],
    );
    assert.ok(
      (await app.inject({ url: `${BASE}/disruptions` }))
        .json()
        .items.some((d: { ref: string }) => d.ref === 'internet-cut-1'),
      'records entered by hand are never touched',
    );
    await assertTotalsExact(db, 'after re-deriving');

    assert.equal((await post('derive', {}, 'viewer')).statusCode, 403);
    await insertSituation(db, {
      slug: 'no-rules',
      name: 'No rules',
      startsOn: '2020-01-01',
      endsOn: null,
      visibility: 'public',
    });
    const none = await app.inject({
      method: 'POST',
      url: '/api/v1/situations/no-rules/lifeline/derive',
      headers: bearer(tokens.documenter),
    });
    assert.equal(none.statusCode, 409);
    assert.match(none.json().detail, /no derivation rules/);
  });
});
