// The 5 M / 1 M time ratio, measured so that both sizes see the same machine: the 5 M analysis runs on one
// core while 1 M analyses run one after another on the other, and the 5 M time is compared with the
// mean of the 1 M runs that ended before it. On a machine shared with others the same 1 M run takes
// 15 s or 22 s from one minute to the next; run one after the other, the ratio then says more about
// when each run fell than about the engine.
//
//   node --import tsx bench/coordination/run.ts --posts 1000000   (generates the data, once)
//   node --import tsx bench/coordination/run.ts --posts 5000000
//   node --import tsx bench/coordination/ratio.ts [--seed 7]
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

interface ChildResult {
  wall: number;
  cpu: number;
}

function analysis(file: string, outDir: string): { child: ChildProcess; result: Promise<ChildResult> } {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'bench/coordination/run.ts', '--child', file, outDir],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
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

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const at = args.indexOf('--seed');
  const seed = at >= 0 ? Number(args[at + 1]) : 7;
  const small = `bench/out/coord-1000000-s${seed}.jsonl`;
  const large = `bench/out/coord-5000000-s${seed}.jsonl`;
  for (const file of [small, large]) {
    if (!existsSync(file))
      throw new Error(`${file} is missing: generate it with run.ts first (see the header)`);
  }
  const big = analysis(large, `bench/out/ratio-5000000-s${seed}-result`);
  let bigDone = false;
  const bigResult = big.result.finally(() => {
    bigDone = true;
  });
  const smallRuns: ChildResult[] = [];
  while (!bigDone) {
    const run = await analysis(small, `bench/out/ratio-1000000-s${seed}-result`).result;
    // Only runs that ended while the 5 M run was still going saw the same machine throughout.
    if (!bigDone) smallRuns.push(run);
    process.stderr.write(
      `1 M: ${run.wall.toFixed(2)} s${bigDone ? ' (ended after the 5 M run, not counted)' : ''}\n`,
    );
  }
  const bigRun = await bigResult;
  if (smallRuns.length === 0) throw new Error('no 1 M run ended during the 5 M run');
  const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
  const smallWall = mean(smallRuns.map((r) => r.wall));
  const smallCpu = mean(smallRuns.map((r) => r.cpu));
  console.log(
    JSON.stringify(
      {
        command: `node --import tsx bench/coordination/ratio.ts --seed ${seed}`,
        large: { wall: Number(bigRun.wall.toFixed(2)), cpu: Number(bigRun.cpu.toFixed(2)) },
        small: smallRuns.map((r) => ({ wall: Number(r.wall.toFixed(2)), cpu: Number(r.cpu.toFixed(2)) })),
        ratioWall: Number((bigRun.wall / smallWall).toFixed(2)),
        ratioCpu: Number((bigRun.cpu / smallCpu).toFixed(2)),
      },
      null,
      2,
    ),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
