// The embedded database: PostgreSQL compiled to WebAssembly, persisted in a data folder.
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { valueParsers } from './parsers.ts';
import type { Database, Queryable } from './types.ts';

export async function openPglite(dir: string | null): Promise<Database> {
  if (dir) mkdirSync(dir, { recursive: true });
  const pg = await PGlite.create(dir ?? undefined, { parsers: valueParsers });
  const wrap = (q: Pick<PGlite, 'query' | 'exec'>): Queryable => ({
    async query<Row>(sql: string, params: readonly unknown[] = []) {
      const result = await q.query<Row>(sql, params as unknown[]);
      return result.rows;
    },
    async exec(sql: string) {
      await q.exec(sql);
    },
  });
  const base = wrap(pg);
  return {
    kind: 'pglite',
    query: base.query,
    exec: base.exec,
    transaction: (work) => pg.transaction((tx) => work(wrap(tx))),
    close: () => pg.close(),
  };
}
