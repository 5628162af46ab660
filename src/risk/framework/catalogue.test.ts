// The catalogue's integrity (14 factors, numbering, citations, the ten stages) and the pure parts:
// factor summaries, diffs, and what lifeline signals suggest.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LifelineSignal } from '../../lifeline/signals.ts';
import {
  FRAMEWORK,
  FRAMEWORK_DOCUMENT,
  findIndicator,
  INDICATOR_IDS,
  STAGE_IDS,
  STAGES,
} from './catalogue.ts';
import type { Assessment, Mark } from './schema.ts';
import { diffMarks, fullMarks, summarizeFactors } from './service.ts';
import { LIFELINE_TARGETS, suggestionsFromLifeline } from './suggestions.ts';

describe('framework catalogue', () => {
  it('has the 8 common and 6 specific risk factors, numbered 1 to 14 in order', () => {
    assert.deepEqual(
      FRAMEWORK.map((f) => f.number),
      Array.from({ length: 14 }, (_, i) => i + 1),
    );
    const groups = FRAMEWORK.map((f) => f.group);
    assert.deepEqual(groups.slice(0, 8), Array(8).fill('common'));
    assert.deepEqual(groups.slice(8), [
      'genocide',
      'genocide',
      'crimes-against-humanity',
      'crimes-against-humanity',
      'war-crimes',
      'war-crimes',
    ]);
  });

  it('numbers indicators as the Framework does: unique, ordered, a prefix of each factor', () => {
    assert.equal(new Set(INDICATOR_IDS).size, INDICATOR_IDS.length);
    for (const f of FRAMEWORK) {
      for (const [k, i] of f.indicators.entries()) assert.equal(i.id, `${f.number}.${k + 1}`);
      assert.ok(f.title.length > 0);
    }
    // Lists known to be the Framework's full list.
    const counts = Object.fromEntries(
      FRAMEWORK.filter((f) => f.complete).map((f) => [f.number, f.indicators.length]),
    );
    assert.deepEqual(counts, { 1: 11, 2: 8, 7: 14, 8: 12, 9: 6 });
    assert.equal(findIndicator('7.10')?.factor.number, 7);
    assert.equal(findIndicator('13.8')?.factor.group, 'war-crimes');
    assert.equal(findIndicator('99.1'), null);
  });

  it('cites the Framework on every factor and indicator', () => {
    assert.equal(FRAMEWORK_DOCUMENT, 'A/70/741–S/2016/71');
    for (const f of FRAMEWORK) {
      assert.equal(f.cite.document, FRAMEWORK_DOCUMENT);
      assert.equal(f.cite.ref, `Risk Factor ${f.number}`);
      for (const i of f.indicators) {
        assert.equal(i.cite.document, FRAMEWORK_DOCUMENT);
        assert.ok(i.cite.ref.endsWith(`indicator ${i.id}`), i.cite.ref);
        assert.ok(i.text.length > 10 && i.text.length < 160, `${i.id} is a concise paraphrase`);
      }
    }
  });

  it('lists the ten stages of genocide in order, each cited', () => {
    assert.deepEqual(STAGE_IDS, [
      'classification',
      'symbolization',
      'discrimination',
      'dehumanization',
      'organization',
      'polarization',
      'preparation',
      'persecution',
      'extermination',
      'denial',
    ]);
    STAGES.forEach((s, i) => {
      assert.equal(s.order, i + 1);
      assert.match(s.cite.document, /Stanton/);
    });
  });
});

function assessment(marks: Mark[]): Assessment {
  return {
    id: 'a',
    situationSlug: 's',
    framework: 'un-foa-2014',
    assessedOn: '2023-01-01',
    title: '',
    summary: '',
    createdBy: 'x',
    createdAt: '',
    updatedAt: '',
    marks,
    factors: summarizeFactors(marks),
  };
}

function withMarks(set: Record<string, Partial<Mark>>): Assessment {
  return assessment(fullMarks([]).map((m) => ({ ...m, ...set[m.indicator] })));
}

describe('summaries and diffs', () => {
  it('summarises each factor by counts and its strongest status', () => {
    const a = withMarks({ '7.10': { status: 'strongly-present' }, '7.1': { status: 'absent' } });
    const f7 = a.factors.find((f) => f.factor === 7)!;
    assert.deepEqual(
      { level: f7.level, strong: f7.stronglyPresent, absent: f7.absent, unknown: f7.unknown },
      { level: 'strongly-present', strong: 1, absent: 1, unknown: 12 },
    );
    assert.equal(a.factors.find((f) => f.factor === 1)!.level, 'unknown');
  });

  it('reports changed statuses, notes and links, and factor levels', () => {
    const before = withMarks({
      '7.10': { status: 'present' },
      '1.1': { status: 'absent' },
      '2.1': { status: 'unknown' },
    });
    const after = withMarks({
      '7.10': { status: 'strongly-present', incidents: ['i1'] },
      '1.1': { status: 'absent', note: 'checked again' },
      '2.1': { status: 'present' },
    });
    const diff = diffMarks(before, after);
    assert.deepEqual(
      diff.changes.map((c) => [c.indicator, c.from, c.to, c.direction, c.noteChanged]),
      [
        ['1.1', 'absent', 'absent', 'changed', true],
        ['2.1', 'unknown', 'present', 'changed', false],
        ['7.10', 'present', 'strongly-present', 'up', false],
      ],
    );
    assert.deepEqual(diff.changes[2]!.linksAdded, { incidents: ['i1'], items: [] });
    assert.deepEqual(
      diff.factors.map((f) => [f.factor, f.from, f.to]),
      [
        [2, 'unknown', 'present'],
        [7, 'present', 'strongly-present'],
      ],
    );
    assert.deepEqual(diffMarks(after, after).changes, []);
  });
});

describe('lifeline suggestions', () => {
  it('map each signal kind to catalogue indicators, with a stable key', () => {
    for (const targets of Object.values(LIFELINE_TARGETS)) {
      for (const t of targets) assert.ok(findIndicator(t), t);
    }
    const signal: LifelineSignal = {
      kind: 'coverage-below',
      situationSlug: 's',
      startsOn: '2022-12-12',
      endsOn: '2023-06-11',
      value: 0.08,
      threshold: 0.5,
      unit: 'ratio',
      subject: 'cargo',
      message: 'coverage of cargo averaged 8.0% over 182 days (threshold 50%)',
      evidence: [{ ref: 'sup-031', sources: [{ url: 'https://example.org/a', outlet: 'A' }] }],
    };
    const drafts = suggestionsFromLifeline([signal]);
    assert.deepEqual(
      drafts.map((d) => [d.target, d.originKey]),
      [
        ['7.10', 'lifeline:coverage-below:cargo:2022-12-12:7.10'],
        ['13.8', 'lifeline:coverage-below:cargo:2022-12-12:13.8'],
      ],
    );
    assert.equal(drafts[0]!.evidence[0]!.ref, 'sup-031');
  });
});
