#!/usr/bin/env node
// Run by `npm start`: builds the web app when web/dist is missing or older than its sources.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const built = join(root, 'web/dist/index.html');
const newestSource = () =>
  Math.max(
    ...['web/src', 'web/index.html', 'web/vite.config.ts']
      .map((p) => join(root, p))
      .filter((p) => existsSync(p))
      .flatMap((p) =>
        statSync(p).isDirectory()
          ? readdirSync(p, { recursive: true }).map((f) => statSync(join(p, String(f))).mtimeMs)
          : [statSync(p).mtimeMs],
      ),
  );
if (!existsSync(built) || statSync(built).mtimeMs < newestSource()) {
  console.error('building the web app (web/dist)…');
  const result = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
