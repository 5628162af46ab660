// Test databases of both kinds: a copy of the PGlite template, or a new database on the PostgreSQL
// server (TEST_DATABASE_URL, default postgres://root@127.0.0.1:5432/test), dropped afterwards.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import pg from 'pg';
import { migrate } from '../../src/db/migrate.ts';
import { openPglite } from '../../src/db/pglite.ts';
import { openPostgres } from '../../src/db/postgres.ts';
import type { Database, DatabaseKind } from '../../src/db/types.ts';
import { copyTemplate } from './template.ts';

export const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test';

/** Both kinds, unless VIGIL_TEST_SKIP_POSTGRES=1 (for a laptop without a server; CI never sets it). */
export const DATABASE_KINDS: DatabaseKind[] =
  process.env.VIGIL_TEST_SKIP_POSTGRES === '1' ? ['pglite'] : ['pglite', 'postgres'];

export interface TestDatabase {
  db: Database;
  /** For PGlite: the data folder (VIGIL_DATA_DIR). For PostgreSQL: the database URL. */
  location: string;
  drop(): Promise<void>;
}

/** A new, empty PostgreSQL database on the test server; returns its URL and a function that drops it. */
export async function createPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `vigil_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: ADMIN_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export async function openTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  if (kind === 'pglite') {
    const dir = copyTemplate();
    const db = await openPglite(join(dir, 'pglite'));
    await migrate(db);
    return {
      db,
      location: dir,
      async drop() {
        await db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const created = await createPostgresDatabase();
  const db = await openPostgres(created.url);
  await migrate(db);
  return {
    db,
    location: created.url,
    async drop() {
      await db.close();
      await created.drop();
    },
  };
}

/** Runs the same suite once per database kind; `get()` returns that suite's database. */
export function describeEachDatabase(
  name: string,
  suite: (get: () => Database, kind: DatabaseKind) => void,
): void {
  for (const kind of DATABASE_KINDS) {
    describe(`${name} [${kind}]`, () => {
      let test: TestDatabase | null = null;
      before(async () => {
        test = await openTestDatabase(kind);
      });
      after(async () => {
        await test?.drop();
      });
      suite(() => {
        if (!test) throw new Error('test database not open');
        return test.db;
      }, kind);
    });
  }
}
