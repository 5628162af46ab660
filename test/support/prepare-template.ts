// Run by scripts/run-tests.mjs before the suite: builds the migrated PGlite template if it is missing.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { migrate } from '../../src/db/migrate.ts';
import { openPglite } from '../../src/db/pglite.ts';
import { CACHE_DIR, templateDir } from './template.ts';

const target = templateDir();
if (!existsSync(target)) {
  const started = performance.now();
  mkdirSync(CACHE_DIR, { recursive: true });
  for (const old of readdirSync(CACHE_DIR)) {
    if (old.startsWith('data-template-')) rmSync(join(CACHE_DIR, old), { recursive: true, force: true });
  }
  const building = `${target}.building-${process.pid}`;
  const db = await openPglite(join(building, 'pglite'));
  await migrate(db);
  await db.close();
  renameSync(building, target);
  console.log(`prepared the PGlite test template in ${Math.round(performance.now() - started)} ms`);
}
