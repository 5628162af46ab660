// Risk-model benchmark: the full honest backtest of issue 8 on the synthetic panel (31 forecast years,
// ~9,500 country-years, 40 predictors, elastic net and gradient boosting, both with time-respecting
// cross-validation every year), through the real command. Prints wall time and the backtest metrics.
//   node --import tsx bench/risk.ts [--runs 1] [--workers 2] [--seed 42]
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { panelToCsv } from '../src/risk/model/panel.ts';
import { generatePanel } from '../src/risk/model/synthetic.ts';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const RUNS = Number(arg('runs', '1'));
const WORKERS = arg('workers', '2');
const SEED = Number(arg('seed', '42'));
const OUT = join('bench', 'out', 'risk');
mkdirSync(OUT, { recursive: true });
const panel = generatePanel({ seed: SEED });
const file = join(OUT, `panel-${SEED}.csv`);
writeFileSync(file, panelToCsv(panel));
let positives = 0;
for (const v of panel.y) if (v === 1) positives++;
const args = [
  'bin/vigil.js',
  'risk',
  'backtest',
  '--panel',
  file,
  '--unit',
  'country',
  '--time',
  'year',
  '--outcome',
  'mk_onset_2y',
  '--horizon',
  '2',
  '--from',
  '1994',
  '--to',
  '2024',
  '--out',
  join(OUT, 'backtest'),
  '--workers',
  WORKERS,
  '--quiet',
];
console.log(
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}`,
);
console.log(
  `data: ${panel.y.length} rows, ${panel.predictors.length} predictors, ${positives} positive rows (seed ${SEED})`,
);
console.log(`command: node ${args.join(' ')}\n`);
const load = loadavg();
const times: number[] = [];
let summary: Record<string, unknown> = {};
for (let run = 0; run < RUNS; run++) {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  times.push((performance.now() - started) / 1000);
  if (result.status !== 0) {
    console.error(result.stderr);
    process.exit(1);
  }
  summary = JSON.parse(result.stdout) as Record<string, unknown>;
}
times.sort((a, b) => a - b);
console.log(`| wall time (s), median of ${RUNS} | min–max |\n| ---: | ---: |`);
console.log(
  `| ${times[Math.floor(times.length / 2)]?.toFixed(1)} | ${times[0]?.toFixed(1)}–${times[times.length - 1]?.toFixed(1)} |\n`,
);
const byModel = summary.byModel as Record<string, Record<string, number>>;
console.log('| model | AUC | recall top 10 | top 20 | top 30 | precision top 30 | Brier |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const [name, m] of Object.entries(byModel)) {
  console.log(
    `| ${name} | ${m.auc} | ${m.recallTop10} | ${m.recallTop20} | ${m.recallTop30} | ${m.precisionTop30} | ${m.brier} |`,
  );
}
console.log(
  `\nscored rows ${summary.rows}, positives ${summary.positives}, years ${summary.years}; ` +
    `CPU time of the last run ${summary.cpuSeconds} s (all threads); load average before: ${load.map((l) => l.toFixed(1)).join(' ')}`,
);
