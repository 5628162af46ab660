// `vigil risk …` end to end on a small generated panel: generate, backtest (the real process), train,
// forecast with contributions, and the errors a user sees.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Command } from 'commander';
import { parse } from 'csv-parse/sync';
import { runVigil } from '../../test/support/app.ts';
import { registerRiskCommands } from './cli.ts';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-risk-cli-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const program = new Command('vigil').exitOverride();
  let stderr = '';
  const capture = (c: Command): void => {
    c.exitOverride().configureOutput({ writeErr: (s) => (stderr += s), writeOut: () => {} });
    for (const sub of c.commands) capture(sub);
  };
  registerRiskCommands(program);
  capture(program);
  const log = console.log;
  const err = console.error;
  let stdout = '';
  console.log = (...parts: unknown[]) => {
    stdout += `${parts.join(' ')}\n`;
  };
  console.error = (...parts: unknown[]) => {
    stderr += `${parts.join(' ')}\n`;
  };
  try {
    await program.parseAsync(args, { from: 'user' });
  } finally {
    console.log = log;
    console.error = err;
  }
  return { stdout, stderr };
}

const COLS = ['--unit', 'country', '--time', 'year', '--outcome', 'mk_onset_2y'];

describe('vigil risk', () => {
  it('generate-panel, then backtest in a real process: forecasts.csv and the metrics as JSON', async () => {
    const panel = join(dir, 'panel.csv');
    const gen = await run([
      'risk',
      'generate-panel',
      '--out',
      panel,
      '--units',
      '30',
      '--from',
      '1980',
      '--to',
      '2024',
      '--onset-rate',
      '0.02',
      '--seed',
      '5',
    ]);
    assert.match(gen.stdout, /wrote .*panel\.csv: 1\d{3} rows, 40 predictors/);
    const out = join(dir, 'bt');
    const result = await runVigil([
      'risk',
      'backtest',
      '--panel',
      panel,
      ...COLS,
      '--horizon',
      '2',
      '--from',
      '2014',
      '--to',
      '2024',
      '--folds',
      '3',
      '--rounds',
      '30',
      '--workers',
      '2',
      '--out',
      out,
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /year 2024 \(\d+\/11 done\): trained on/);
    const metrics = JSON.parse(result.stdout);
    for (const key of ['auc', 'recallTop10', 'recallTop20', 'recallTop30', 'precisionTop30', 'brier']) {
      assert.equal(typeof metrics[key], 'number', key);
    }
    assert.deepEqual(Object.keys(metrics.byModel), ['ensemble', 'elastic-net', 'boosting']);
    const rows = parse(await readFile(join(out, 'forecasts.csv'), 'utf8'), { columns: true }) as Record<
      string,
      string
    >[];
    assert.equal(rows.length, 30 * 11);
    assert.deepEqual(Object.keys(rows[0] ?? {}).slice(0, 4), ['unit', 'time', 'risk', 'rank']);
    assert.equal(rows.filter((r) => r.time === '2024' && r.rank === '1').length, 1);
    assert.ok(rows.every((r) => Number(r.risk) > 0 && Number(r.risk) < 1));
    // Outcomes of the last two years are not known yet: forecast, not scored.
    assert.ok(rows.filter((r) => r.time === '2024').every((r) => r.outcome === 'NA'));
    const saved = JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8'));
    assert.equal(saved.perYear.length, 11);

    // The same backtest in-process with one worker gives the same forecasts (determinism).
    const out1 = join(dir, 'bt1');
    await run([
      'risk',
      'backtest',
      '--panel',
      panel,
      ...COLS,
      '--from',
      '2014',
      '--to',
      '2024',
      '--folds',
      '3',
      '--rounds',
      '30',
      '--workers',
      '1',
      '--quiet',
      '--out',
      out1,
    ]);
    assert.equal(
      await readFile(join(out1, 'forecasts.csv'), 'utf8'),
      await readFile(join(out, 'forecasts.csv'), 'utf8'),
    );
  });

  it('train, then forecast the latest year with each predictor’s contribution', async () => {
    const panel = join(dir, 'panel.csv');
    const model = join(dir, 'model.json');
    const trained = await run([
      'risk',
      'train',
      '--panel',
      panel,
      ...COLS,
      '--folds',
      '3',
      '--rounds',
      '30',
      '--quiet',
      '--out',
      model,
    ]);
    const summary = JSON.parse(trained.stdout);
    assert.equal(summary.trainedThrough, 2022);
    assert.ok(summary.elasticNet.lambda > 0 && summary.boosting.rounds >= 1);
    const csv = join(dir, 'forecast.csv');
    const fc = await run([
      'risk',
      'forecast',
      '--model',
      model,
      '--panel',
      panel,
      '--top',
      '5',
      '--out',
      csv,
    ]);
    assert.match(fc.stdout, /Forecast for 2024 \(model trained through 2022/);
    assert.match(fc.stdout, /\n {3}1 {2}U\d{3}/);
    const rows = parse(await readFile(csv, 'utf8'), { columns: true }) as Record<string, string>[];
    assert.equal(rows.length, 30);
    assert.ok('contrib_civil_war' in (rows[0] ?? {}));
    const json = JSON.parse(
      (await run(['risk', 'forecast', '--model', model, '--panel', panel, '--at', '2020', '--json'])).stdout,
    );
    assert.equal(json.time, 2020);
    assert.equal(json.units[0].rank, 1);
    assert.equal(json.units[0].contributions.length, 3);
  });

  it('errors name the column, row or option at fault', async () => {
    const bad = join(dir, 'bad.csv');
    await writeFile(bad, 'country,year,mk_onset_2y,x\nA,2000,0,1\nA,2000,1,2\n');
    await assert.rejects(
      run(['risk', 'backtest', '--panel', bad, ...COLS, '--from', '2000', '--to', '2001', '--out', dir]),
      /duplicate unit-time row: unit 'A', time 2000 appears on lines 2 and 3/,
    );
    await writeFile(bad, 'country,year,mk_onset_2y,x\nA,2000,yes,1\n');
    await assert.rejects(
      run(['risk', 'train', '--panel', bad, ...COLS, '--out', join(dir, 'm.json')]),
      /'mk_onset_2y' must be binary.*'yes'/,
    );
    await assert.rejects(
      run(['risk', 'backtest', '--panel', bad, ...COLS, '--from', '2000', '--to', '1990', '--out', dir]),
      /--to \(1990\) must not be before --from/,
    );
    // Through the real command: `vigil: …` on stderr and exit code 1.
    const result = await runVigil([
      'risk',
      'train',
      '--panel',
      join(dir, 'panel.csv'),
      '--unit',
      'country',
      '--time',
      'year',
      '--outcome',
      'onset',
      '--out',
      join(dir, 'm.json'),
    ]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^vigil: outcome: .*has no column 'onset' \(the outcome column\)/);
  });
});
