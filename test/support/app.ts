// Starts Vigil for tests: in-process (Fastify inject) or as a real `vigil serve` process on a free port.
import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../src/db/types.ts';
import { type AppOptions, buildApp } from '../../src/server/app.ts';
import { copyTemplate } from './template.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
export const VIGIL_BIN = `${ROOT}bin/vigil.js`;

export function buildTestApp(
  db: Database,
  overrides: Pick<AppOptions, 'rateLimit' | 'loginRateLimit' | 'evidence'> = {},
): Promise<FastifyInstance> {
  return buildApp({ db, cookieSecure: false, logger: false, webDist: null, ...overrides });
}

export interface RunningVigil {
  url: string;
  dataDir: string | null;
  process: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Runs `vigil serve` on a free port. By default on a copy of the migrated PGlite template with the
 * built-in scenario loaded at start; `env` adds or overrides variables (e.g. DATABASE_URL, VIGIL_NO_DEMO).
 */
export async function startVigil(
  options: { demo?: boolean; env?: Record<string, string>; dataDir?: string } = {},
): Promise<RunningVigil> {
  const ownDataDir = options.dataDir ? null : copyTemplate();
  const dataDir = options.dataDir ?? ownDataDir!;
  const child = spawn(process.execPath, [VIGIL_BIN, 'serve'], {
    cwd: ROOT,
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: '0',
      VIGIL_DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      ...(options.demo === false ? { VIGIL_NO_DEMO: '1' } : {}),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`vigil did not start within 60 s:\n${output}`)), 60_000);
    const check = () => {
      const match = /Vigil listening on (http:\/\/[^\s]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout.on('data', check);
    child.stderr.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`vigil exited with ${code} before listening:\n${output}`));
    });
  });
  return {
    url,
    dataDir,
    process: child,
    output: () => output,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      if (ownDataDir) rmSync(ownDataDir, { recursive: true, force: true });
    },
  };
}

/** Runs the vigil command to completion. */
export function runVigil(
  args: string[],
  options: { env?: Record<string, string>; input?: string } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [VIGIL_BIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => {
      stdout += c;
    });
    child.stderr.on('data', (c) => {
      stderr += c;
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}
