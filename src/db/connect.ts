// Opens the configured database (PostgreSQL when DATABASE_URL is set, else PGlite in the data folder)
// and brings its schema up to date.
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { migrate } from './migrate.ts';
import { openPglite } from './pglite.ts';
import { openPostgres } from './postgres.ts';
import type { Database } from './types.ts';

export class DatabaseLockedError extends Error {}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** PGlite is single-process: a second process on the same folder would corrupt it, so hold a lock file. */
function lockDataFolder(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const lockPath = join(dir, 'vigil.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(lockPath, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileSync(lockPath, 'utf8'));
      if (Number.isInteger(owner) && owner !== process.pid && isRunning(owner)) {
        throw new DatabaseLockedError(
          `the embedded database in ${dir} is in use by process ${owner}; stop it first (or use DATABASE_URL to share a PostgreSQL server between processes)`,
        );
      }
      rmSync(lockPath, { force: true }); // left behind by a process that no longer runs
    }
  }
  throw new DatabaseLockedError(`cannot lock the embedded database in ${dir}`);
}

export interface DatabaseTarget {
  databaseUrl: string | null;
  dataDir: string;
}

export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  let db: Database;
  if (target.databaseUrl) {
    db = await openPostgres(target.databaseUrl);
  } else {
    const unlock = lockDataFolder(target.dataDir);
    try {
      const embedded = await openPglite(join(target.dataDir, 'pglite'));
      db = {
        ...embedded,
        close: async () => {
          await embedded.close();
          unlock();
        },
      };
    } catch (error) {
      unlock();
      throw error;
    }
  }
  try {
    await migrate(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}
