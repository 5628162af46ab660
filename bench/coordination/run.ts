// Coordination benchmark: accuracy against planted truth and performance (wall time, peak RSS).
//
//   node --import tsx bench/coordination/run.ts [--posts 1000000] [--accounts N] [--seed 7] [--regenerate]
//     [--live-heap]
//
// Data goes to bench/out/ (git-ignored). The analysis runs in a child process so that its peak RSS is
// its own (not the generator's).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { parse } from 'csv-parse/sync';
import { analyze } from '../../src/coordination/engine.ts';
import { writeOutputs } from '../../src/coordination/output.ts';
import { fileSource } from '../../src/coordination/read.ts';
import { BEHAVIOURS, type Behaviour } from '../../src/coordination/types.ts';
import { defaultConfig, writeDataset } from './generate.ts';

export interface Accuracy {
  flagged: number;
  truePositives: number;
  precision: number;
  recall: number;
  f1: number;
  organicShareOfFlagged: number;
  perBehaviour: Record<Behaviour, { truth: number; detected: number; precision: number; recall: number }>;
}

/** Scores flagged accounts (with the behaviours given as reasons) against the planted groups. */
export function scoreAccounts(
  flagged: { author: string; behaviours: Behaviour[] }[],
  truth: Map<string, { behaviours: Behaviour[] }>,
): Accuracy {
  const tp = flagged.filter((a) => truth.has(a.author)).length;
  const precision = flagged.length ? tp / flagged.length : 1;
  const recall = truth.size ? tp / truth.size : 1;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  const perBehaviour = {} as Accuracy['perBehaviour'];
  for (const beh of BEHAVIOURS) {
    const truthB = [...truth.entries()].filter(([, t]) => t.behaviours.includes(beh)).map(([id]) => id);
    const truthSet = new Set(truthB);
    const detected = flagged.filter((a) => a.behaviours.includes(beh));
    const hits = detected.filter((a) => truthSet.has(a.author)).length;
    const detectedTruth = new Set(detected.map((a) => a.author));
    perBehaviour[beh] = {
      truth: truthB.length,
      detected: detected.length,
      precision: detected.length ? hits / detected.length : 1,
      recall: truthB.length ? truthB.filter((id) => detectedTruth.has(id)).length / truthB.length : 1,
    };
  }
  return {
    flagged: flagged.length,
    truePositives: tp,
    precision,
    recall,
    f1,
    organicShareOfFlagged: flagged.length ? 1 - precision : 0,
    perBehaviour,
  };
}

async function child(file: string, outDir: string, liveHeap: boolean, threads?: number): Promise<void> {
  const started = performance.now();
  // Resident memory seen at progress reports, the largest per phase (MiB): where the memory goes. With
  // --live-heap (the child then runs with --expose-gc), also the heap still in use after a full garbage
  // collection where each phase starts, typed arrays included: what the analysis holds, apart from what
  // the collector has not yet taken back. Those collections cost time: such runs are for memory, not time.
  const rssByPhase: Record<string, number> = {};
  const liveHeapByPhase: Record<string, number> = {};
  const collect = (globalThis as { gc?: () => void }).gc;
  const sample = (phase: string): void => {
    if (liveHeap && collect && !(phase in rssByPhase)) {
      collect();
      const { heapUsed, arrayBuffers } = process.memoryUsage();
      liveHeapByPhase[phase] = Math.round((heapUsed + arrayBuffers) / 2 ** 20);
    }
    const mib = Math.round(process.memoryUsage.rss() / 2 ** 20);
    rssByPhase[phase] = Math.max(rssByPhase[phase] ?? 0, mib);
  };
  const result = await analyze(fileSource([file], { format: 'auto', strict: false, threads }), {}, (phase) =>
    sample(phase),
  );
  sample('result');
  await writeOutputs(result, outDir);
  const wall = (performance.now() - started) / 1000;
  const usage = process.resourceUsage();
  const peakRssMiB = usage.maxRSS / 1024;
  // CPU time (all threads) beside wall time: the machine is shared, and wall time alone says little.
  const cpu = (usage.userCPUTime + usage.systemCPUTime) / 1e6;
  process.stdout.write(
    JSON.stringify({
      wall,
      cpu,
      peakRssMiB,
      rssByPhase,
      liveHeapByPhase,
      stats: result.stats,
      malformed: result.read.malformed,
    }),
  );
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const arg = (name: string, fallback: string): string => {
    const i = args.indexOf(name);
    return i >= 0 ? (args[i + 1] ?? fallback) : fallback;
  };
  if (args[0] === '--child') {
    const threads = args.includes('--threads') ? Number(arg('--threads', '')) : undefined;
    await child(args[1] as string, args[2] as string, args.includes('--live-heap'), threads);
    return;
  }
  const posts = Number(arg('--posts', '1000000'));
  const seed = Number(arg('--seed', '7'));
  // Accounts default to posts / 20; a fixed number shows what grows with posts alone.
  const accounts = args.includes('--accounts') ? Number(arg('--accounts', '')) : null;
  if (accounts !== null && !(Number.isInteger(accounts) && accounts >= 100)) {
    throw new Error('--accounts must be a whole number of at least 100');
  }
  const liveHeap = args.includes('--live-heap');
  const name = `coord-${posts}${accounts === null ? '' : `-a${accounts}`}-s${seed}`;
  const file = `bench/out/${name}.jsonl`;
  if (!existsSync(file) || args.includes('--regenerate')) {
    const t0 = performance.now();
    const config = defaultConfig(posts, seed);
    if (accounts !== null) config.accounts = accounts;
    await writeDataset(config, file);
    console.error(`generated ${file} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  const outDir = `bench/out/${name}-result`;
  const loadBefore = loadavg();
  const t0 = performance.now();
  const run = spawnSync(
    process.execPath,
    [
      ...(liveHeap ? ['--expose-gc'] : []),
      '--import',
      'tsx',
      'bench/coordination/run.ts',
      '--child',
      file,
      outDir,
      ...(liveHeap ? ['--live-heap'] : []),
    ],
    { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const processWall = (performance.now() - t0) / 1000;
  const loadAfter = loadavg();
  if (run.status !== 0) throw new Error(`analysis failed with status ${run.status}`);
  const measured = JSON.parse(run.stdout) as {
    wall: number;
    cpu: number;
    peakRssMiB: number;
    rssByPhase: Record<string, number>;
    liveHeapByPhase: Record<string, number>;
    stats: {
      seconds: Record<string, number>;
      posts: number;
      accounts: number;
      candidatePairs: number;
      candidatePairsExact: boolean;
      storedPairs: number;
      pairWork: number;
    };
  };
  const truthJson = JSON.parse(readFileSync(`${file}.truth.json`, 'utf8')) as {
    coordinated: [string, { group: number; behaviours: Behaviour[] }][];
  };
  const truth = new Map(truthJson.coordinated);
  const rows = parse(readFileSync(`${outDir}/accounts.csv`, 'utf8'), { columns: true }) as Record<
    string,
    string
  >[];
  const flagged = rows
    .filter((r) => r.flagged === 'true')
    .map((r) => ({
      author: r.author as string,
      behaviours: (r.behaviours ?? '').split(' ').filter(Boolean) as Behaviour[],
    }));
  const accuracy = scoreAccounts(flagged, truth);
  const report = {
    command: `node --import tsx bench/coordination/run.ts --posts ${posts}${accounts === null ? '' : ` --accounts ${accounts}`} --seed ${seed}`,
    machine: `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}`,
    posts: measured.stats.posts,
    accounts: measured.stats.accounts,
    coordinatedAccounts: truth.size,
    analysisWallSeconds: Number(measured.wall.toFixed(2)),
    processWallSeconds: Number(processWall.toFixed(2)),
    analysisCpuSeconds: Number(measured.cpu.toFixed(2)),
    loadAverage: {
      before: loadBefore.map((x) => Number(x.toFixed(2))),
      after: loadAfter.map((x) => Number(x.toFixed(2))),
    },
    peakRssMiB: Math.round(measured.peakRssMiB),
    rssByPhaseMiB: measured.rssByPhase,
    ...(liveHeap ? { liveHeapByPhaseMiB: measured.liveHeapByPhase } : {}),
    phases: measured.stats.seconds,
    candidatePairs: measured.stats.candidatePairs,
    candidatePairsExact: measured.stats.candidatePairsExact,
    storedPairs: measured.stats.storedPairs,
    pairWork: measured.stats.pairWork,
    accuracy,
  };
  console.log(JSON.stringify(report, null, 2));
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
