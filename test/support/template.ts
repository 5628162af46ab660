// A migrated PGlite data folder, prepared once per set of migrations and copied by each test:
// creating a PGlite database costs seconds, copying a folder milliseconds.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listMigrations } from '../../src/db/migrate.ts';

const CACHE_DIR = new URL('../../.test-cache/', import.meta.url).pathname;

export function templateDir(): string {
  const hash = createHash('sha256');
  for (const m of listMigrations()) hash.update(m.checksum);
  return join(CACHE_DIR, `data-template-${hash.digest('hex').slice(0, 12)}`);
}

/** A fresh data folder (VIGIL_DATA_DIR) holding a migrated, empty embedded database. */
export function copyTemplate(): string {
  const source = templateDir();
  if (!existsSync(source)) throw new Error(`no test template at ${source}: run the tests with npm test`);
  const dir = mkdtempSync(join(tmpdir(), 'vigil-test-'));
  cpSync(source, dir, { recursive: true });
  return dir;
}

export { CACHE_DIR };
