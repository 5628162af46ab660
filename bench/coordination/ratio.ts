// The 5 M / 1 M time ratio, measured so that both sizes see the same machine. On a machine shared with
// others the same 1 M run takes 15 s or 22 s from one minute to the next; a 5 M run and a 1 M run made
// minutes apart then say more about when each ran than about the engine. Two ways:
//
// - bracketed (the default): 1 M, 5 M, 1 M, 5 M, ..., 1 M, one at a time, each with both cores; each
//   5 M run is compared with the mean of the two 1 M runs around it, so that a drift over the minutes
//   cancels to first order. The median of those ratios is the result. This is the ratio as a user sees
//   it. (When reading ran on one thread, the work beside the analysis - compiling hot functions, marking
//   the heap - ran free on the second core, a larger part of a 1 M run than of a 5 M run, and the wall
//   ratio came out above the CPU ratio; reading threads now keep both cores busy at both sizes.)
// - together (--together): the 5 M analysis runs on one core (taskset, where there is one) while 1 M
//   analyses run one after another on the other, compared with the mean of the 1 M runs that ended
//   before it. Both see the same minutes and one core each: the ratio of single-core times (each run's
//   reading threads then share its one core). Unpinned, the 1 M runs' extra threads took part of the
//   5 M run's core and the ratio came out higher.
//
//   node --import tsx bench/coordination/run.ts --posts 1000000   (generates the data, once)
//   node --import tsx bench/coordination/run.ts --posts 5000000
//   node --import tsx bench/coordination/ratio.ts [--seed 7] [--pairs 3] [--together]
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

interface ChildResult {
  wall: number;
  cpu: number;
  /** The engine's own seconds per phase. */
  stats: { seconds: Record<string, number> };
}

/** `core`: the processor to pin the analysis to (with taskset), or null to let it run anywhere. */
function analysis(
  file: string,
  outDir: string,
  core: number | null = null,
): { child: ChildProcess; result: Promise<ChildResult> } {
  const command = [process.execPath, '--import', 'tsx', 'bench/coordination/run.ts', '--child', file, outDir];
  if (core !== null) command.unshift('taskset', '--cpu-list', String(core));
  const child = spawn(command[0] as string, command.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const result = new Promise<ChildResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`analysis of ${file} failed with status ${code}`));
      else resolve(JSON.parse(out) as ChildResult);
    });
  });
  return { child, result };
}

const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
const median = (xs: number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
const round = (x: number): number => Number(x.toFixed(2));
const brief = (r: ChildResult) => ({ wall: round(r.wall), cpu: round(r.cpu) });

/** Each phase's 5 M seconds over the mean of its 1 M seconds: which phases grow faster than the data. */
function ratioByPhase(large: ChildResult, small: ChildResult[]): Record<string, number> {
  return Object.fromEntries(
    Object.entries(large.stats.seconds).map(([phase, seconds]) => [
      phase,
      round(seconds / mean(small.map((r) => r.stats.seconds[phase] ?? 0))),
    ]),
  );
}

async function bracketed(small: string, large: string, seed: number, pairs: number): Promise<object> {
  const run = async (file: string, label: string): Promise<ChildResult> => {
    const result = await analysis(file, `bench/out/ratio-${label}-s${seed}-result`).result;
    process.stderr.write(`${label}: ${result.wall.toFixed(2)} s wall, ${result.cpu.toFixed(2)} s CPU\n`);
    return result;
  };
  const smallRuns = [await run(small, '1000000')];
  const brackets: { large: ChildResult; around: ChildResult[] }[] = [];
  for (let i = 0; i < pairs; i++) {
    const largeRun = await run(large, '5000000');
    const after = await run(small, '1000000');
    brackets.push({ large: largeRun, around: [smallRuns[smallRuns.length - 1] as ChildResult, after] });
    smallRuns.push(after);
  }
  const wallRatios = brackets.map((b) => b.large.wall / mean(b.around.map((r) => r.wall)));
  const cpuRatios = brackets.map((b) => b.large.cpu / mean(b.around.map((r) => r.cpu)));
  // The phases of the bracket whose ratio is nearest the median (an even count's median is between two).
  const mid = median(wallRatios);
  const nearest = wallRatios.reduce(
    (best, r, i) => (Math.abs(r - mid) < Math.abs((wallRatios[best] as number) - mid) ? i : best),
    0,
  );
  const middle = brackets[nearest] as (typeof brackets)[0];
  return {
    command: `node --import tsx bench/coordination/ratio.ts --seed ${seed} --pairs ${pairs}`,
    small: smallRuns.map(brief),
    large: brackets.map((b) => brief(b.large)),
    ratiosWall: wallRatios.map(round),
    ratiosCpu: cpuRatios.map(round),
    ratioWall: round(median(wallRatios)),
    ratioCpu: round(median(cpuRatios)),
    ratioByPhase: ratioByPhase(middle.large, middle.around),
  };
}

async function together(small: string, large: string, seed: number): Promise<object> {
  // Each size on a core of its own: otherwise the 1 M runs' extra threads take part of the 5 M run's.
  const pin = existsSync('/usr/bin/taskset');
  const big = analysis(large, `bench/out/ratio-5000000-s${seed}-result`, pin ? 0 : null);
  let bigDone = false;
  const bigResult = big.result.finally(() => {
    bigDone = true;
  });
  const smallRuns: ChildResult[] = [];
  while (!bigDone) {
    const run = await analysis(small, `bench/out/ratio-1000000-s${seed}-result`, pin ? 1 : null).result;
    // Only runs that ended while the 5 M run was still going saw the same machine throughout.
    if (!bigDone) smallRuns.push(run);
    process.stderr.write(
      `1 M: ${run.wall.toFixed(2)} s${bigDone ? ' (ended after the 5 M run, not counted)' : ''}\n`,
    );
  }
  const bigRun = await bigResult;
  if (smallRuns.length === 0) throw new Error('no 1 M run ended during the 5 M run');
  return {
    command: `node --import tsx bench/coordination/ratio.ts --seed ${seed} --together`,
    pinned: pin,
    large: brief(bigRun),
    small: smallRuns.map(brief),
    ratioWall: round(bigRun.wall / mean(smallRuns.map((r) => r.wall))),
    ratioCpu: round(bigRun.cpu / mean(smallRuns.map((r) => r.cpu))),
    ratioByPhase: ratioByPhase(bigRun, smallRuns),
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const option = (name: string, fallback: number): number => {
    const at = args.indexOf(name);
    return at >= 0 ? Number(args[at + 1]) : fallback;
  };
  const seed = option('--seed', 7);
  const pairs = option('--pairs', 3);
  if (!Number.isInteger(pairs) || pairs < 1) throw new Error('--pairs must be a whole number of at least 1');
  const small = `bench/out/coord-1000000-s${seed}.jsonl`;
  const large = `bench/out/coord-5000000-s${seed}.jsonl`;
  for (const file of [small, large]) {
    if (!existsSync(file))
      throw new Error(`${file} is missing: generate it with run.ts first (see the header)`);
  }
  const result = args.includes('--together')
    ? await together(small, large, seed)
    : await bracketed(small, large, seed, pairs);
  console.log(JSON.stringify(result, null, 2));
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
