// Metrics against values computed by hand.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allMetrics, auc, brier, precisionAtK, ranksByGroup, recallAtK } from './metrics.ts';

describe('risk metrics', () => {
  it('AUC counts correctly ordered pairs, ties one half, and skips unknown outcomes', () => {
    // Positives score 0.9 and 0.4; negatives 0.8, 0.3, 0.1. Pairs: (0.9 beats all 3) + (0.4 beats 0.3, 0.1) = 5 of 6.
    assert.equal(auc([0.9, 0.8, 0.4, 0.3, 0.1], [1, 0, 1, 0, 0]), 5 / 6);
    // A tie between a positive and a negative counts one half: pairs (0.5=0.5 → 0.5) + (0.5 > 0.2 → 1) = 1.5 of 2.
    assert.equal(auc([0.5, 0.5, 0.2], [1, 0, 0]), 0.75);
    assert.equal(auc([0.9, 0.1, 0.7], [1, 0, Number.NaN]), 1);
    assert.ok(Number.isNaN(auc([0.2, 0.3], [0, 0])));
  });

  it('ranks within each year, ties broken by unit, and recall/precision at k follow the ranks', () => {
    const risk = [0.5, 0.9, 0.1, 0.5, 0.3, 0.2];
    const year = [2000, 2000, 2000, 2000, 2001, 2001];
    const unit = ['b', 'c', 'd', 'a', 'a', 'b'];
    assert.deepEqual(Array.from(ranksByGroup(risk, year, unit)), [3, 1, 4, 2, 1, 2]);
    const ranks = [3, 1, 4, 2, 1, 2];
    const y = [1, 0, 1, 0, 0, 1];
    // Positives at ranks 3, 4 (2000) and 2 (2001): top 2 holds one of three; top 3 two of three.
    assert.equal(recallAtK(ranks, y, 2), 1 / 3);
    assert.equal(recallAtK(ranks, y, 3), 2 / 3);
    // Top-2 slots: 2000 ranks 1, 2 (no positive) and 2001 ranks 1, 2 (one): 1 of 4.
    assert.equal(precisionAtK(ranks, y, 2), 1 / 4);
  });

  it('Brier score is the mean squared error over known outcomes', () => {
    // (0.8-1)^2 = 0.04, (0.2-0)^2 = 0.04, (0.5-1)^2 = 0.25 → 0.33 / 3.
    assert.ok(Math.abs(brier([0.8, 0.2, 0.5, 0.9], [1, 0, 1, Number.NaN]) - 0.11) < 1e-12);
  });

  it('allMetrics counts rows and positives with a known outcome', () => {
    const m = allMetrics([0.9, 0.1, 0.5], [1, 0, Number.NaN], [1, 2, 3]);
    assert.equal(m.rows, 2);
    assert.equal(m.positives, 1);
    assert.equal(m.auc, 1);
    assert.equal(m.recallTop10, 1);
    assert.equal(m.precisionTop30, 0.5);
  });
});
