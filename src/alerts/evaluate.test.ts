// Rule evaluation without a database: episodes as of a day, deduplication keys, replay, parameter checks.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../lib/errors.ts';
import type { LifelineSignal } from '../lifeline/signals.ts';
import { type AlertInputs, EMPTY_INPUTS, evaluateRule, replay, replaySteps } from './evaluate.ts';
import type { RuleSpec } from './schema.ts';
import { checkParameters } from './service.ts';

const signal = (s: Partial<LifelineSignal> & Pick<LifelineSignal, 'kind' | 'startsOn'>): LifelineSignal => ({
  situationSlug: 'x',
  endsOn: null,
  value: 1,
  threshold: null,
  unit: 'days',
  subject: 'food',
  message: 'm',
  evidence: [{ ref: 'sup-1', sources: [{ url: 'https://example.org/a', outlet: null }] }],
  ...s,
});

const coverageRule: RuleSpec = {
  id: 'r1',
  name: 'coverage',
  kind: 'lifeline.coverage_below',
  parameters: { threshold: 0.1, minDays: 7 },
  severity: 'critical',
};

const inputs: AlertInputs = {
  ...EMPTY_INPUTS,
  coverageRuns: [
    {
      threshold: 0.1,
      signals: [
        signal({ kind: 'coverage-below', startsOn: '2023-01-01', endsOn: '2023-01-20', value: 0.05 }),
        signal({ kind: 'coverage-below', startsOn: '2023-03-01', endsOn: '2023-03-03', value: 0.05 }),
      ],
    },
  ],
  lifeline: [
    signal({
      kind: 'closure-started',
      startsOn: '2023-02-01',
      endsOn: '2023-02-10',
      value: 10,
      subject: 'road',
    }),
    signal({ kind: 'utility-cut', startsOn: '2023-01-05', endsOn: null, value: 40, subject: 'gas' }),
    signal({
      kind: 'utility-cut-stated',
      startsOn: '2023-01-01',
      endsOn: '2023-03-31',
      value: 60,
      subject: 'gas',
    }),
  ],
  incidents: [
    ...['2023-01-02', '2023-01-09'].map((date, i) => ({
      id: `b${i}`,
      category: 'shelling',
      date,
      title: 't',
      sources: [],
    })),
    ...[1, 2, 3, 4].map((i) => ({
      id: `s${i}`,
      category: 'shelling',
      date: '2023-01-20',
      title: 't',
      sources: [],
    })),
    { id: 'o1', category: 'other', date: '2023-01-20', title: 't', sources: [] },
  ],
  statusChanges: [
    {
      id: 'c1',
      measureId: 'm1',
      measureTitle: 'Resolution',
      category: 'resolution_or_bill',
      status: 'adopted',
      date: '2023-01-19',
      sources: [],
    },
    {
      id: 'c2',
      measureId: 'm2',
      measureTitle: 'Bill',
      category: 'sanction',
      status: 'introduced',
      date: '2023-02',
      sources: [],
    },
  ],
};

describe('alert evaluation', () => {
  it('fires a coverage rule once the condition has held minDays days, with a stable key', () => {
    assert.deepEqual(evaluateRule(coverageRule, inputs, '2023-01-06'), []);
    const [first] = evaluateRule(coverageRule, inputs, '2023-01-07');
    assert.equal(first?.firedOn, '2023-01-07');
    assert.equal(first?.endedOn, null);
    const [later] = evaluateRule(coverageRule, inputs, '2023-01-15');
    assert.equal(later?.key, first?.key, 'the same episode while the condition holds');
    assert.equal(later?.lastHeldOn, '2023-01-15');
    const [after] = evaluateRule(coverageRule, inputs, '2023-02-01');
    assert.equal(after?.endedOn, '2023-01-21');
    assert.equal(after?.autoResolve, true);
    assert.deepEqual(
      after?.evidence.map((e) => e.ref),
      ['sup-1'],
    );
    // The three-day run in March never reaches seven days.
    assert.equal(evaluateRule(coverageRule, inputs, '2023-12-31').length, 1);
  });

  it('fires closures from their first day and ends them after their reported end', () => {
    const rule: RuleSpec = {
      id: 'r2',
      name: 'c',
      kind: 'lifeline.full_closure',
      parameters: {},
      severity: 'critical',
    };
    assert.equal(evaluateRule(rule, inputs, '2023-01-31').length, 0);
    const [open] = evaluateRule(rule, inputs, '2023-02-01');
    assert.equal(open?.firedOn, '2023-02-01');
    assert.equal(open?.endedOn, null);
    assert.equal(evaluateRule(rule, inputs, '2023-02-11')[0]?.endedOn, '2023-02-11');
  });

  it('counts a utility cut from its start and a stated total at the end of its period', () => {
    const rule: RuleSpec = {
      id: 'r3',
      name: 'gas',
      kind: 'lifeline.utility_cut',
      parameters: { utility: 'gas', minDays: 14 },
      severity: 'warning',
    };
    assert.deepEqual(
      evaluateRule(rule, inputs, '2023-01-18').map((e) => e.firedOn),
      ['2023-01-18'],
    );
    const all = evaluateRule(rule, inputs, '2023-04-01');
    assert.deepEqual(
      all.map((e) => [e.key, e.firedOn, e.lastHeldOn]),
      [
        ['utility:gas:2023-01-05', '2023-01-18', '2023-02-13'],
        ['utility-stated:gas:2023-01-01:2023-03-31', '2023-03-31', '2023-03-31'],
      ],
    );
  });

  it('finds a spike against the trailing mean of its own category', () => {
    const rule: RuleSpec = {
      id: 'r4',
      name: 'spike',
      kind: 'incidents.spike',
      parameters: { category: 'shelling', factor: 3, minCount: 3 },
      severity: 'warning',
    };
    const [spike, ...rest] = evaluateRule(rule, inputs, '2023-01-31');
    assert.equal(rest.length, 0);
    assert.equal(spike?.firedOn, '2023-01-20');
    assert.equal(spike?.value, 4);
    assert.deepEqual(
      spike?.evidence.map((e) => e.ref),
      ['s1', 's2', 's3', 's4'],
    );
    const strict: RuleSpec = { ...rule, parameters: { category: 'shelling', factor: 100, minCount: 3 } };
    assert.equal(evaluateRule(strict, inputs, '2023-01-31').length, 0);
  });

  it('raises one alert per status change, filtered by status and category', () => {
    const rule: RuleSpec = {
      id: 'r5',
      name: 'm',
      kind: 'measure.status_change',
      parameters: { statuses: ['adopted'] },
      severity: 'info',
    };
    assert.deepEqual(
      evaluateRule(rule, inputs, '2023-12-31').map((e) => e.key),
      ['measure-change:c1'],
    );
    const all = evaluateRule({ ...rule, parameters: {} }, inputs, '2023-12-31');
    assert.deepEqual(
      all.map((e) => e.firedOn),
      ['2023-01-19', '2023-02-01'],
    );
  });

  it('replays day by day: each episode once, with the day it was first raised', () => {
    const rows = replay([coverageRule], inputs, '2023-01-01', '2023-03-31');
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.firedOn, '2023-01-07');
    assert.equal(rows[0]?.lastHeldOn, '2023-01-20');
    assert.equal(rows[0]?.daysHeld, 14);
  });

  it('rejects invalid parameters naming the field', () => {
    const reason = (kind: Parameters<typeof checkParameters>[0], p: unknown) => {
      try {
        checkParameters(kind, p);
        return null;
      } catch (error) {
        assert.ok(error instanceof ValidationError);
        return error.errors.map((e) => e.field);
      }
    };
    assert.deepEqual(reason('lifeline.coverage_below', { threshold: 2, minDays: 7 }), [
      'parameters.threshold',
    ]);
    assert.deepEqual(reason('lifeline.coverage_below', { threshold: 0.1 }), ['parameters.minDays']);
    assert.deepEqual(reason('lifeline.utility_cut', { utility: 'water', minDays: 3 }), [
      'parameters.utility',
    ]);
    assert.deepEqual(reason('lifeline.full_closure', { extra: 1 }), ['parameters.extra']);
    assert.deepEqual(reason('incidents.spike', { category: 'x', factor: 0.5, minCount: 1 }), [
      'parameters.factor',
    ]);
    assert.equal(reason('incidents.spike', { category: 'x', factor: 3, minCount: 2 }), null);
  });

  it('raises a new coordination community above a size once, not when a later run finds it again', () => {
    const community = (id: string, runId: string, detectedOn: string, size: number, accounts: string[]) => ({
      id,
      runId,
      number: 1,
      label: `community ${id}`,
      size,
      flaggedAccounts: size - 1,
      detectedOn,
      accounts,
    });
    const facts: AlertInputs = {
      ...EMPTY_INPUTS,
      communities: [
        community('c1', 'run1', '2023-03-01', 12, ['a', 'b', 'c', 'd']),
        community('c2', 'run1', '2023-03-01', 3, ['x', 'y', 'z']),
        // run 2 finds c1's accounts again (3 of 4 shared), and a new large community
        community('c3', 'run2', '2023-03-08', 15, ['a', 'b', 'c', 'e']),
        community('c4', 'run2', '2023-03-08', 20, ['p', 'q', 'r', 's']),
      ],
    };
    const rule: RuleSpec = {
      id: 'r6',
      name: 'community',
      kind: 'coordination.community',
      parameters: { minSize: 10 },
      severity: 'warning',
    };
    assert.deepEqual(
      evaluateRule(rule, facts, '2023-03-07').map((e) => e.key),
      ['community:c1'],
    );
    const all = evaluateRule(rule, facts, '2023-12-31');
    assert.deepEqual(
      all.map((e) => [e.key, e.firedOn, e.value]),
      [
        ['community:c1', '2023-03-01', 12],
        ['community:c4', '2023-03-08', 20],
      ],
    );
    assert.deepEqual(all[0]?.evidence, [{ kind: 'coordination', ref: 'c1', sources: [] }]);
    const flagged: RuleSpec = { ...rule, parameters: { minSize: 2, minFlagged: 14 } };
    assert.deepEqual(
      evaluateRule(flagged, facts, '2023-12-31').map((e) => e.key),
      ['community:c4'],
    );
  });

  it("raises a risk factor's rise between consecutive assessments (or any change, per parameter)", () => {
    const assessment = (id: string, assessedOn: string, levels: Record<number, string>) => ({
      id,
      assessedOn,
      title: id,
      factors: [1, 2, 3].map((factor) => ({
        factor,
        title: `Factor ${factor}`,
        level: levels[factor] ?? 'unknown',
      })),
    });
    const facts: AlertInputs = {
      ...EMPTY_INPUTS,
      assessments: [
        assessment('a1', '2023-01-01', { 1: 'absent', 2: 'present' }),
        assessment('a2', '2023-02-01', { 1: 'present', 2: 'absent', 3: 'absent' }),
        assessment('a3', '2023-03-01', { 1: 'strongly-present', 2: 'absent', 3: 'absent' }),
      ],
    };
    const rise: RuleSpec = {
      id: 'r7',
      name: 'risk',
      kind: 'risk.factor_change',
      parameters: { change: 'rise' },
      severity: 'critical',
    };
    assert.deepEqual(
      evaluateRule(rise, facts, '2023-12-31').map((e) => [e.key, e.firedOn]),
      [
        ['risk-factor:a2:1', '2023-02-01'],
        ['risk-factor:a3:1', '2023-03-01'],
      ],
    );
    assert.deepEqual(evaluateRule(rise, facts, '2023-01-31'), [], 'one assessment: nothing to compare');
    const [first] = evaluateRule(rise, facts, '2023-02-01');
    assert.match(first!.message, /Factor 1\) went from absent .* to present/);
    assert.deepEqual(
      first!.evidence.map((e) => e.ref),
      ['a2', 'a1'],
    );
    // Any change: also the fall of factor 2 and factor 3 going from unknown to absent.
    const any: RuleSpec = { ...rise, parameters: { change: 'any', factors: [2, 3] } };
    assert.deepEqual(
      evaluateRule(any, facts, '2023-12-31').map((e) => e.key),
      ['risk-factor:a2:2', 'risk-factor:a2:3'],
    );
  });

  it('raises a public report awaiting moderation and ends it the day it is decided', () => {
    const facts: AlertInputs = {
      ...EMPTY_INPUTS,
      reports: [
        { id: 'p1', receivedOn: '2023-05-01', decidedOn: '2023-05-04' },
        { id: 'p2', receivedOn: '2023-05-02', decidedOn: null },
        { id: 'p3', receivedOn: '2023-05-03', decidedOn: '2023-05-03' },
      ],
    };
    const rule: RuleSpec = {
      id: 'r8',
      name: 'reports',
      kind: 'reports.pending',
      parameters: {},
      severity: 'info',
    };
    const asOf3 = evaluateRule(rule, facts, '2023-05-03');
    assert.deepEqual(
      asOf3.map((e) => [e.key, e.firedOn, e.endedOn]),
      [
        ['report:p1', '2023-05-01', null],
        ['report:p2', '2023-05-02', null],
        ['report:p3', '2023-05-03', '2023-05-03'],
      ],
    );
    assert.equal(asOf3[0]?.autoResolve, true);
    assert.doesNotMatch(JSON.stringify(asOf3), /what|place/i, 'no content of the report');
    const later = evaluateRule(rule, facts, '2023-05-10');
    assert.deepEqual(
      later.map((e) => [e.key, e.lastHeldOn, e.endedOn]),
      [
        ['report:p1', '2023-05-04', '2023-05-04'],
        ['report:p2', '2023-05-10', null],
        ['report:p3', '2023-05-03', '2023-05-03'],
      ],
    );
    const waiting: RuleSpec = { ...rule, parameters: { waitingDays: 5 } };
    assert.deepEqual(
      evaluateRule(waiting, facts, '2023-05-10').map((e) => [e.key, e.firedOn, e.value]),
      [['report:p2', '2023-05-07', 8]],
    );
  });

  it('replays step by day, saying on which day each alert was first raised', () => {
    const steps = [...replaySteps([coverageRule], inputs, '2023-01-01', '2023-01-10')];
    assert.equal(steps.length, 10);
    assert.deepEqual(
      steps.map((s) => s.raised.length),
      [0, 0, 0, 0, 0, 0, 1, 0, 0, 0],
    );
    assert.equal(steps[6]?.day, '2023-01-07');
    assert.equal(steps[9]?.index, 10);
    assert.equal(steps[9]?.days, 10);
  });

  it('rejects invalid parameters of the new kinds naming the field', () => {
    const fields = (kind: Parameters<typeof checkParameters>[0], p: unknown) => {
      try {
        checkParameters(kind, p);
        return null;
      } catch (error) {
        assert.ok(error instanceof ValidationError);
        return error.errors.map((e) => e.field);
      }
    };
    assert.deepEqual(fields('coordination.community', { minSize: 1 }), ['parameters.minSize']);
    assert.deepEqual(fields('risk.factor_change', { change: 'fall' }), ['parameters.change']);
    assert.deepEqual(fields('risk.factor_change', { change: 'rise', factors: [15] }), [
      'parameters.factors.0',
    ]);
    assert.deepEqual(fields('reports.pending', { waitingDays: -1 }), ['parameters.waitingDays']);
    assert.equal(fields('reports.pending', {}), null);
  });
});
