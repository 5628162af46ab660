// The backtest: no leakage (scrambling every outcome later than t - horizon leaves the forecast for t
// unchanged), contributions add up, bad panels are refused with a message naming the fault.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { forecastYear, runBacktest, trainingRows } from './backtest.ts';
import { DEFAULT_BOOST } from './boost.ts';
import { prepare } from './design.ts';
import { PanelError } from './errors.ts';
import { timeFolds } from './folds.ts';
import { type Panel, panelToCsv, parsePanel } from './panel.ts';
import { createRng } from './rng.ts';
import { generatePanel } from './synthetic.ts';
import { DEFAULT_TRAIN, scoreRows, type TrainOptions, trainModels } from './train.ts';

const panel = generatePanel({ units: 40, from: 1975, to: 2024, onsetRate: 0.02, seed: 3 });
const opts: TrainOptions = { ...DEFAULT_TRAIN, folds: 4, boost: { ...DEFAULT_BOOST, maxRounds: 40 } };
const columns = { unit: 'country', time: 'year', outcome: 'mk_onset_2y' };

function withOutcomes(p: Panel, y: Float64Array): Panel {
  return { ...p, y };
}

describe('risk backtest: no leakage', () => {
  it('scrambling the outcomes of every row later than t - horizon leaves the forecast for t unchanged', () => {
    const t = 2012;
    const h = opts.horizon;
    const prep = prepare(panel, opts.policy);
    const original = forecastYear(panel, prep, t, opts);
    const rng = createRng(99);
    const y = new Float64Array(panel.y);
    let changed = 0;
    for (let r = 0; r < y.length; r++) {
      if ((panel.times[r] as number) > t - h) {
        const next = [0, 1, Number.NaN][rng.int(3)] as number;
        if (!Object.is(next, y[r])) changed++;
        y[r] = next;
      }
    }
    assert.ok(changed > 100, 'the scramble changes many outcomes');
    const scrambled = forecastYear(
      withOutcomes(panel, y),
      prepare(withOutcomes(panel, y), opts.policy),
      t,
      opts,
    );
    assert.deepEqual(Array.from(scrambled.rows), Array.from(original.rows));
    assert.deepEqual(Array.from(scrambled.risk), Array.from(original.risk));
    assert.deepEqual(
      Array.from(scrambled.perModel.boosting ?? []),
      Array.from(original.perModel.boosting ?? []),
    );

    // And the test can fail: changing one known outcome (time <= t - h) does change the forecast.
    const y2 = new Float64Array(panel.y);
    const train = trainingRows(panel, prep, t, h);
    const flip = train.find((r) => y2[r] === 1) as number;
    y2[flip] = 0;
    const moved = forecastYear(withOutcomes(panel, y2), prep, t, opts);
    assert.notDeepEqual(Array.from(moved.risk), Array.from(original.risk));
  });

  it('trains on rows up to t - horizon only, and CV folds keep the same gap', () => {
    const prep = prepare(panel, opts.policy);
    const train = trainingRows(panel, prep, 2010, 2);
    assert.ok(Array.from(train).every((r) => (panel.times[r] as number) <= 2008));
    for (const fold of timeFolds(panel.times, panel.y, train, 4, 2)) {
      const maxTrain = Math.max(...Array.from(fold.train, (r) => panel.times[r] as number));
      const minValid = Math.min(...Array.from(fold.valid, (r) => panel.times[r] as number));
      assert.ok(
        maxTrain <= minValid - 2,
        `fold ${fold.from}: trained to ${maxTrain}, validates from ${minValid}`,
      );
    }
  });

  it('runs a small backtest: every forecast year scored, ranks 1..n per year, metrics in range', async () => {
    const result = await runBacktest(panel, { ...opts, models: ['elastic-net'], from: 2000, to: 2020 });
    assert.equal(result.years.length, 21);
    for (const year of result.years) {
      const ranks = result.forecasts.filter((f) => f.time === year.time).map((f) => f.rank);
      assert.deepEqual(
        ranks.sort((a, b) => a - b),
        ranks.map((_, i) => i + 1),
      );
    }
    const m = result.metrics.ensemble;
    assert.ok(m.auc > 0.6 && m.auc <= 1, `AUC ${m.auc}`);
    assert.ok(m.brier > 0 && m.brier < 0.1);
  });
});

describe('risk model: contributions', () => {
  it('baseline plus every contribution is the log-odds of the calibrated risk', () => {
    const prep = prepare(panel, 'impute');
    const rows = trainingRows(panel, prep, 2020, 2);
    const model = trainModels(panel, prep, rows, opts);
    const scoreAt = Int32Array.from(rows.slice(0, 50));
    const scored = scoreRows(model, prep, scoreAt, true);
    const c = scored.contributions;
    assert.ok(c);
    for (let i = 0; i < scoreAt.length; i++) {
      const sum = (c.baseline[i] as number) + (c.byPredictor[i] as Float64Array).reduce((s, v) => s + v, 0);
      const r = scored.risk[i] as number;
      assert.ok(Math.abs(sum - Math.log(r / (1 - r))) < 1e-9, `row ${i}`);
    }
    // The model file round-trips through JSON and scores the same.
    const again = scoreRows(JSON.parse(JSON.stringify(model)), prep, scoreAt);
    assert.deepEqual(Array.from(again.risk), Array.from(scored.risk));
  });

  it('never turns a missing value into zero: imputed values are carried forward or the training median', () => {
    const text = 'c,y,o,x\nA,2000,0,5\nA,2001,0,NA\nB,2000,1,1\nB,2001,0,\nC,2000,0,3\nC,2001,1,NA\n';
    const p = parsePanel(text, { unit: 'c', time: 'y', outcome: 'o' });
    assert.ok(Number.isNaN(p.x[0]?.[1] as number));
    const prep = prepare(p, 'impute');
    assert.deepEqual(Array.from(prep.filled[0] ?? []), [5, 5, 1, 1, 3, 3]);
    assert.deepEqual(Array.from(prepare(p, 'exclude').usable), [1, 0, 1, 0, 1, 0]);
  });
});

describe('risk panel: bad input', () => {
  const ok = 'country,year,y,a,b\nA,2000,0,1,2\nA,2001,1,1,NA\nB,2000,0,,3\n';
  const cols = { unit: 'country', time: 'year', outcome: 'y' };
  const fails = (text: string, c: typeof cols, pattern: RegExp) =>
    assert.throws(
      () => parsePanel(text, c, 'panel.csv'),
      (e: unknown) => e instanceof PanelError && pattern.test(e.message),
    );

  it('reads a valid panel with NA and blanks as missing', () => {
    const p = parsePanel(ok, cols);
    assert.deepEqual(p.predictors, ['a', 'b']);
    assert.ok(Number.isNaN(p.x[1]?.[1] as number) && Number.isNaN(p.x[0]?.[2] as number));
  });
  it('names a missing column and lists the columns there are', () => {
    fails(
      ok,
      { ...cols, outcome: 'onset' },
      /no column 'onset' \(the outcome column\); its columns are: country, year, y, a, b/,
    );
    assert.throws(() => parsePanel(ok, { ...cols, predictors: ['a', 'zz'] }), /no column 'zz'/);
  });
  it('names the row of a non-binary outcome', () => {
    fails(`${ok}C,2000,2,1,1\n`, cols, /must be binary.*row 4 \(line 5, unit 'C', time 2000\) has '2'/);
  });
  it('names duplicate unit-time rows with both lines', () => {
    fails(
      `${ok}A,2001,0,1,1\n`,
      cols,
      /duplicate unit-time row: unit 'A', time 2001 appears on lines 3 and 5/,
    );
  });
  it('names a non-numeric predictor value and a time that is not a whole year', () => {
    fails(`${ok}C,2000,0,high,1\n`, cols, /predictor 'a' must be numeric.*line 5.*'high'/);
    fails(`${ok}C,2000.5,0,1,1\n`, cols, /time '2000.5'/);
  });
  it('refuses fewer positives than folds, naming both numbers', async () => {
    const p = generatePanel({ units: 10, from: 1990, to: 2000, onsetRate: 0.001, seed: 1 });
    const positives = Array.from(p.y).filter((v) => v === 1).length;
    assert.ok(positives < 5);
    await assert.rejects(
      runBacktest(p, { ...opts, folds: 5, from: 1995, to: 2000 }),
      (e: unknown) =>
        e instanceof PanelError &&
        new RegExp(`holds ${positives} positive.*fewer than the 5`).test(e.message),
    );
  });
  it('training that does not converge says so and returns no model', () => {
    const prep = prepare(panel, 'impute');
    const rows = trainingRows(panel, prep, 2020, 2);
    assert.throws(
      () =>
        trainModels(panel, prep, rows, {
          ...opts,
          models: ['elastic-net'],
          enet: { ...opts.enet, maxIter: 1 },
        }),
      /training did not converge: the elastic net did not converge.*no model was returned/,
    );
  });
  it('the synthetic panel round-trips through CSV with NA strings', () => {
    const csv = panelToCsv(panel);
    assert.match(csv, /,NA[,\n]/);
    const back = parsePanel(csv, columns);
    assert.equal(back.y.length, panel.y.length);
    assert.equal(back.predictors.length, 40);
  });
});
