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
  // Older templates go; folders another run is still building ('.building-PID') are left to it.
  for (const old of readdirSync(CACHE_DIR)) {
    if (old.startsWith('data-template-') && !old.includes('.building-')) {
      rmSync(join(CACHE_DIR, old), { recursive: true, force: true });
    }
  }
  const building = `${target}.building-${process.pid}`;
  const db = await openPglite(join(building, 'pglite'));
  await migrate(db);
  await db.close();
  try {
    renameSync(building, target);
  } catch (error) {
    // Another run finished the same template first: theirs is as good as ours.
    if (!existsSync(target)) throw error;
    rmSync(building, { recursive: true, force: true });
  }
  console.log(`prepared the PGlite test template in ${Math.round(performance.now() - started)} ms`);
}
