// The lifeline rules without a database: units, reconciliation, needs, coverage, disruptions, stock-outs, CSV.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../lib/errors.ts';
import { observationsToCsv, parseObservationsCsv } from './csv.ts';
import {
  coverage,
  type Disruption,
  dailySeries,
  daysInclusive,
  disruptionDays,
  type FlowObservation,
  lastDelivery,
  lowCoverageRuns,
  type NeedsModel,
  neededOver,
  reconcile,
  stockOutEstimate,
  unionDays,
} from './metrics.ts';
import { convertQuantity, UnitError } from './units.ts';

let n = 0;
function obs(fields: Partial<FlowObservation>): FlowObservation {
  n++;
  return {
    id: `id-${n}`,
    ref: `r-${n}`,
    derivedFrom: [],
    periodStart: '2023-01-01',
    periodEnd: '2023-01-01',
    route: 'lachin',
    commodity: 'cargo',
    quantity: 1,
    unit: 't',
    quantityGiven: 1,
    unitGiven: 't',
    conversion: null,
    qualifier: null,
    carriers: ['icrc'],
    direction: 'in',
    outcome: 'delivered',
    confidence: 'medium',
    statedExpected: null,
    reportedOn: null,
    note: '',
    sources: [{ url: 'https://example.org/a', outlet: null }],
    ...fields,
  };
}

const baseline: NeedsModel = {
  id: 'm',
  ref: 'sup-024',
  commodity: 'cargo',
  model: 'baseline-rate',
  rate: 400,
  rateHigh: null,
  unit: 't/day',
  validFrom: null,
  validTo: null,
  selected: true,
  label: '400 t/day',
  assumptions: 'a baseline',
  derivedFrom: ['sup-024'],
  sources: [],
};

describe('units', () => {
  it('converts kg, t and truckloads explicitly, and says how', () => {
    assert.deepEqual(convertQuantity(2500, 'kg'), {
      quantity: 2.5,
      unit: 't',
      conversion: '2500 kg × 0.001 = 2.5 t',
    });
    assert.deepEqual(convertQuantity(3, 't'), { quantity: 3, unit: 't', conversion: null });
    assert.deepEqual(convertQuantity(19, 'truckloads', 20), {
      quantity: 380,
      unit: 't',
      conversion: '19 truckloads × 20 t',
    });
    assert.equal(convertQuantity(2, 'm3').quantity, 2000);
  });

  it('refuses an unknown unit, a truckload without tonnage and a negative quantity', () => {
    assert.throws(
      () => convertQuantity(1, 'bags'),
      (e: unknown) => e instanceof UnitError && /unknown unit "bags"/.test(e.message),
    );
    assert.throws(() => convertQuantity(1, 'truckloads'), /stated tonnage/);
    assert.throws(() => convertQuantity(-1, 't'), /negative/);
    assert.throws(() => convertQuantity(1, 't', 20), /only applies to the unit truckloads/);
  });
});

describe('days', () => {
  it('counts both ends and merges overlapping intervals', () => {
    assert.equal(daysInclusive('2022-12-12', '2023-06-11'), 182);
    const w = { from: '2023-01-01', to: '2023-01-31' };
    assert.equal(
      unionDays(
        [
          { start: '2022-12-30', end: '2023-01-03' },
          { start: '2023-01-02', end: '2023-01-05' },
          { start: '2023-01-30', end: '2023-02-05' },
        ],
        w,
      ),
      7,
    );
  });
});

describe('reconcile', () => {
  const window = { from: '2022-12-12', to: '2023-06-11' };

  it('never adds nested aggregates: the widest is used, the others say why', () => {
    const wide = obs({
      ref: 'sup-031',
      periodStart: '2022-12-12',
      periodEnd: '2023-06-11',
      quantity: 5574,
      carriers: ['icrc', 'russian-peacekeepers'],
    });
    const mid = obs({
      ref: 'sup-028',
      periodStart: '2022-12-12',
      periodEnd: '2023-05-10',
      quantity: 4623,
      carriers: ['icrc', 'russian-peacekeepers'],
    });
    const small = obs({
      ref: 'sup-007',
      periodStart: '2022-12-12',
      periodEnd: '2023-01-04',
      quantity: 10,
      carriers: ['icrc'],
    });
    const r = reconcile([small, mid, wide], window);
    assert.equal(r.total, 5574);
    assert.deepEqual(
      r.used.map((o) => o.ref),
      ['sup-031'],
    );
    assert.deepEqual(r.notUsed.map((x) => x.observation.ref).sort(), ['sup-007', 'sup-028']);
    assert.match(r.notUsed[0]!.reason, /lies within sup-031.*never added/);
    assert.equal(r.coveredDays, 182);
  });

  it('adds figures of different carriers or routes, which do not overlap', () => {
    const a = obs({ carriers: ['icrc'], quantity: 10 });
    const b = obs({ carriers: ['russian-peacekeepers'], quantity: 5 });
    const c = obs({ route: 'aghdam', carriers: ['icrc'], quantity: 2 });
    assert.equal(reconcile([a, b, c], window).total, 17);
  });

  it('shows conflicting figures for the same period side by side and says which is used', () => {
    const high = obs({ ref: 'a', quantity: 400, confidence: 'high', outcome: 'blocked' });
    const medium = obs({ ref: 'b', quantity: 361, confidence: 'medium', outcome: 'blocked' });
    const r = reconcile([medium, high], window);
    assert.equal(r.total, 400);
    assert.equal(r.conflicts.length, 1);
    assert.deepEqual(
      r.conflicts[0]!.figures.map((o) => o.quantity),
      [400, 361],
    );
    assert.equal(r.conflicts[0]!.used, 'a');
    assert.equal(r.conflicts[0]!.why, 'higher confidence');
  });

  it('does not split a figure that extends beyond the window, and marks minimums', () => {
    const across = obs({ periodStart: '2022-12-01', periodEnd: '2022-12-20', quantity: 50 });
    const more = obs({ qualifier: 'more than', quantity: 7 });
    const r = reconcile([across, more], window);
    assert.equal(r.total, 7);
    assert.equal(r.lowerBound, true);
    assert.match(r.notUsed[0]!.reason, /never split/);
  });

  it('treats an unknown route or carrier as overlapping everything', () => {
    const known = obs({ quantity: 3 });
    const unknown = obs({ route: null, carriers: [], quantity: 4 });
    const r = reconcile([known, unknown], window);
    assert.equal(r.total, 4, 'the wider report is used, never both');
  });
});

describe('needs, coverage and shortfall', () => {
  it('gives the scenario check: 72,800 t over 182 days, 5,574 t is 7.7%', () => {
    const needed = neededOver(baseline, { from: '2022-12-12', to: '2023-06-11' }, []);
    assert.equal(needed.total, 72_800);
    assert.equal(needed.formula, '400 t/day × 182 days = 72,800 t');
    assert.deepEqual(coverage(5574, needed.total), { ratio: 0.076566, percent: 7.7 });
    assert.deepEqual(coverage(1, 0), { ratio: null, percent: null });
  });

  it('computes per-person needs from the population of each day, and a range from its ends', () => {
    const model: NeedsModel = {
      ...baseline,
      model: 'per-person',
      unit: 'kg/person/day',
      rate: 0.5,
      commodity: 'food',
    };
    const population = [
      {
        onDate: '2023-01-01',
        persons: 1000,
        personsHigh: null,
        qualifier: null,
        note: '',
        derivedFrom: [],
        sources: [],
      },
      {
        onDate: '2023-01-03',
        persons: 100,
        personsHigh: 200,
        qualifier: null,
        note: '',
        derivedFrom: [],
        sources: [],
      },
    ];
    const needed = neededOver(model, { from: '2022-12-31', to: '2023-01-04' }, population);
    assert.equal(needed.days, 4, 'no need is computed before the first population figure');
    assert.equal(needed.total, 1.1);
    assert.equal(needed.totalHigh, 1.2);
  });

  it('counts days since the last delivery, and says when a period total makes it a minimum', () => {
    const daily = obs({ periodStart: '2023-03-01', periodEnd: '2023-03-01' });
    const period = obs({ ref: 'agg', periodStart: '2022-12-12', periodEnd: '2023-06-11' });
    const blocked = obs({ periodStart: '2023-07-26', periodEnd: '2023-07-26', outcome: 'blocked' });
    assert.deepEqual(
      { ...lastDelivery([daily], '2023-03-11'), caveat: null },
      { asOf: '2023-03-11', lastOn: '2023-03-01', daysSince: 10, ref: daily.ref, exact: true, caveat: null },
    );
    const l = lastDelivery([daily, period, blocked], '2023-08-31');
    assert.equal(l.lastOn, '2023-06-11');
    assert.equal(l.daysSince, 81);
    assert.match(l.caveat!, /at least/);
    assert.equal(lastDelivery([], '2023-01-01').daysSince, null);
  });
});

describe('disruption days', () => {
  const d = (fields: Partial<Disruption>): Disruption => ({
    id: 'x',
    ref: 'x',
    kind: 'gas',
    status: 'cut',
    route: null,
    basis: 'interval',
    startsOn: '2023-01-01',
    endsOn: null,
    endsOnAlternative: null,
    confirmedUntil: null,
    statedDays: null,
    confidence: 'medium',
    note: '',
    derivedFrom: [],
    sources: [],
    ...fields,
  });
  const window = { from: '2023-01-01', to: '2023-01-31' };

  it('counts dated days, open intervals to the window end as an upper bound, and contested ends', () => {
    const r = disruptionDays(
      [
        d({ ref: 'a', startsOn: '2023-01-01', endsOn: '2023-01-04', endsOnAlternative: '2023-01-07' }),
        d({ ref: 'b', startsOn: '2023-01-20', confirmedUntil: '2023-01-22' }),
        d({ ref: 'e', kind: 'electricity', startsOn: '2023-01-01', endsOn: '2023-01-31' }),
      ],
      'gas',
      ['cut', 'partial'],
      window,
    );
    assert.equal(r.daysConfirmed, 4 + 3);
    assert.equal(r.daysUpperBound, 4 + 12);
    assert.equal(r.daysWithAlternativeEnds, 7 + 12);
    assert.deepEqual(
      r.intervals.map((i) => i.ref),
      ['a', 'b'],
    );
  });

  it('sets a stated total beside the dated days and shows the difference', () => {
    const stated = d({
      ref: 's',
      basis: 'stated-total',
      statedDays: 20,
      startsOn: window.from,
      endsOn: window.to,
    });
    const r = disruptionDays([d({ ref: 'a', endsOn: '2023-01-10' }), stated], 'gas', ['cut'], window);
    assert.equal(r.stated[0]!.days, 20);
    assert.match(r.comparison!, /s states 20 days; the dated intervals give 10 \(difference \+10 days\)/);
    const same = disruptionDays([d({ ref: 'a', endsOn: '2023-01-20' }), stated], 'gas', ['cut'], window);
    assert.match(same.comparison!, /consistent/);
  });
});

describe('stock-out estimate', () => {
  const stock = {
    ref: 's',
    commodity: 'fuel',
    onDate: '2023-01-01',
    quantity: 100,
    unit: 't',
    consumptionPerDay: 10 as number | null,
    unusableBelow: 20 as number | null,
    note: '',
    derivedFrom: [],
    sources: [],
  };
  it('divides the usable stock by net consumption and shows the formula', () => {
    const r = stockOutEstimate(stock, 2);
    assert.ok(r.computable);
    assert.equal(r.days, 10);
    assert.equal(r.date, '2023-01-11');
    assert.equal(r.formula, '(100 − 20) t ÷ (10 − 2) t/day');
    const rising = stockOutEstimate(stock, 12);
    assert.ok(rising.computable && rising.days === null);
  });
  it('estimates nothing without a consumption rate, and says so', () => {
    const r = stockOutEstimate({ ...stock, consumptionPerDay: null });
    assert.equal(r.computable, false);
    assert.ok(!r.computable && /no consumption rate/.test(r.reason));
  });
});

describe('daily series and low-coverage runs', () => {
  it('keeps daily figures and period averages apart, and finds runs below a threshold', () => {
    const window = { from: '2023-01-01', to: '2023-01-10' };
    const period = obs({ periodStart: '2023-01-01', periodEnd: '2023-01-05', quantity: 100 });
    const days = dailySeries(window, new Map([['2023-01-08', 500]]), [period], baseline, []);
    assert.deepEqual(days[0], { date: '2023-01-01', delivered: null, periodAverage: 20, needed: 400 });
    assert.deepEqual(days[7], { date: '2023-01-08', delivered: 500, periodAverage: null, needed: 400 });
    assert.equal(days[6]!.delivered, null, 'a day without a figure is not a zero');
    assert.deepEqual(lowCoverageRuns(days, 0.5, 3), [
      { startsOn: '2023-01-01', endsOn: '2023-01-05', days: 5, meanCoverage: 0.05 },
    ]);
    assert.deepEqual(lowCoverageRuns(days, 0.5, 6), []);
  });
});

describe('CSV with HXL hashtags', () => {
  const header =
    'period_start,period_end,route,commodity,quantity,unit,tonnes_per_truckload,carriers,direction,confidence,sources\r\n#date+start,#date+end,#loc+route,#item+type,#value+quantity,#value+unit,#value+tonnes_per_truckload,#org+carrier,#meta+direction,#meta+confidence,#meta+source+url\r\n';

  it('reads rows into observations and writes them back in the same format', () => {
    const parsed = parseObservationsCsv(
      `${header}2023-01-01,,lachin,food,19,truckloads,20,ICRC,in,high,https://example.org/a\r\n`,
    );
    assert.equal(parsed.inputs.length, 1);
    assert.deepEqual(parsed.lines, [3]);
    assert.equal(parsed.inputs[0]!.tonnesPerTruckload, 20);
    const csv = observationsToCsv([
      obs({ ref: 'x', note: 'a, "quoted" note', carriers: ['icrc', 'russian-peacekeepers'] }),
    ]);
    const back = parseObservationsCsv(csv);
    assert.equal(back.inputs[0]!.note, 'a, "quoted" note');
    assert.deepEqual(back.inputs[0]!.carriers, ['icrc', 'russian-peacekeepers']);
  });

  it('rejects a missing hashtag row, unknown columns and bad values with the line and reason', () => {
    assert.throws(
      () => parseObservationsCsv('period_start,quantity\r\n2023-01-01,1\r\n'),
      /line 2: column period_start needs the HXL hashtag #date\+start/,
    );
    assert.throws(
      () =>
        parseObservationsCsv(
          `${header}2023-01-01,,lachin,food,lots,t,,icrc,in,high,https://example.org/a\r\n2023-01-01,,lachin,grain,1,t,,icrc,in,high,https://example.org/a\r\n`,
        ),
      (e: unknown) =>
        e instanceof ValidationError &&
        e.errors.some((x) => x.field === 'line 3.quantity' && /not a number/.test(x.message)) &&
        e.errors.some((x) => x.field.startsWith('line 4.commodity')),
    );
  });
});
