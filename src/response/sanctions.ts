// Sanctions lists in the database (each load kept with its version) and screening names against the
// active ones. Loading is all-or-nothing: a file is read and checked whole before the transaction that
// replaces the active list of its source.
import type { Database, Queryable } from '../db/types.ts';
import { ValidationError } from '../lib/errors.ts';
import { type EntryType, type ListSource, type ParsedList, readBundledLists } from './lists.ts';
import { type AliasKind, NameIndex } from './matcher.ts';

export interface ListVersion {
  id: string;
  source: ListSource;
  /** How to cite the version: the UN generation date, or the files' SHA-256 and load date (OFAC CSV). */
  version: string;
  publishedAt: string | null;
  sha256: string;
  files: { name: string; sha256: string; bytes: number }[];
  entryCount: number;
  nameCount: number;
  loadedAt: string;
  loadedFrom: string;
  active: boolean;
}

export interface ScreeningMatch {
  list: { id: string; source: ListSource; version: string };
  entryId: string;
  entryType: EntryType;
  name: string;
  matchedName: string;
  matchedKind: AliasKind;
  score: number;
  reasons: string[];
  programs: string[];
  details: Record<string, unknown>;
}

export interface ScreeningResult {
  name: string;
  matches: ScreeningMatch[];
}

export const DEFAULT_THRESHOLD = 0.85;

interface ListRow {
  id: string;
  source: ListSource;
  published_at: Date | null;
  sha256: string;
  files: ListVersion['files'];
  entry_count: number;
  name_count: number;
  loaded_at: Date;
  loaded_from: string;
  active: boolean;
}

function versionOf(r: ListRow): ListVersion {
  const loaded = r.loaded_at.toISOString();
  return {
    id: r.id,
    source: r.source,
    version: r.published_at
      ? `generated ${r.published_at.toISOString()}`
      : `sha256 ${r.sha256}, loaded ${loaded.slice(0, 10)}`,
    publishedAt: r.published_at ? r.published_at.toISOString() : null,
    sha256: r.sha256,
    files: r.files,
    entryCount: r.entry_count,
    nameCount: r.name_count,
    loadedAt: loaded,
    loadedFrom: r.loaded_from,
    active: r.active,
  };
}

export async function listVersions(db: Queryable, options: { all?: boolean } = {}): Promise<ListVersion[]> {
  const rows = await db.query<ListRow>(
    `SELECT * FROM sanctions_lists ${options.all ? '' : 'WHERE active'} ORDER BY source, loaded_at DESC`,
  );
  return rows.map(versionOf);
}

/** Stores a read list and makes it the active one of its source, in one transaction. */
export async function storeList(db: Database, list: ParsedList, loadedFrom: string): Promise<ListVersion> {
  const nameCount = list.entries.reduce((n, e) => n + 1 + e.aliases.length, 0);
  const id = await db.transaction(async (tx) => {
    await tx.query('UPDATE sanctions_lists SET active = false WHERE source = $1 AND active', [list.source]);
    const [row] = await tx.query<{ id: string }>(
      `INSERT INTO sanctions_lists (source, published_at, sha256, files, entry_count, name_count, loaded_from)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [
        list.source,
        list.publishedAt,
        list.sha256,
        JSON.stringify(list.files),
        list.entries.length,
        nameCount,
        loadedFrom,
      ],
    );
    const listId = row!.id;
    const batch = 250;
    for (let start = 0; start < list.entries.length; start += batch) {
      const slice = list.entries.slice(start, start + batch);
      const params: unknown[] = [];
      const values = slice.map((e) => {
        params.push(
          listId,
          e.entryId,
          e.entryType,
          e.name,
          JSON.stringify(e.aliases),
          JSON.stringify(e.programs),
          JSON.stringify(e.details),
        );
        const n = params.length;
        return `($${n - 6}, $${n - 5}, $${n - 4}, $${n - 3}, $${n - 2}, $${n - 1}, $${n})`;
      });
      await tx.query(
        `INSERT INTO sanctions_entries (list_id, entry_id, entry_type, name, aliases, programs, details)
         VALUES ${values.join(', ')}`,
        params,
      );
    }
    return listId;
  });
  cache = null;
  const [row] = await db.query<ListRow>('SELECT * FROM sanctions_lists WHERE id = $1', [id]);
  return versionOf(row!);
}

/**
 * Loads the snapshots shipped in datasets/sanctions-lists/ for each source that has no active list
 * yet (so a current list loaded by the operator is never replaced by the older snapshot).
 */
export async function ensureListsLoaded(db: Database): Promise<ListVersion[]> {
  const active = await listVersions(db);
  if (active.length >= 2) return active;
  const have = new Set(active.map((l) => l.source));
  for (const list of readBundledLists()) {
    if (!have.has(list.source)) await storeList(db, list, 'datasets/sanctions-lists (bundled snapshot)');
  }
  return listVersions(db);
}

interface IndexedEntry {
  list: ScreeningMatch['list'];
  entryId: string;
  entryType: EntryType;
  name: string;
  programs: string[];
  details: Record<string, unknown>;
}

let cache: { key: string; index: NameIndex; entries: IndexedEntry[] } | null = null;

async function indexFor(db: Queryable, lists: ListVersion[]) {
  const key = lists
    .map((l) => l.id)
    .sort()
    .join(',');
  if (cache?.key === key) return cache;
  const entries: IndexedEntry[] = [];
  const names: { ref: number; names: { name: string; kind: AliasKind }[] }[] = [];
  for (const list of lists) {
    const rows = await db.query<{
      entry_id: string;
      entry_type: EntryType;
      name: string;
      aliases: { name: string; kind: AliasKind }[];
      programs: string[];
      details: Record<string, unknown>;
    }>(
      'SELECT entry_id, entry_type, name, aliases, programs, details FROM sanctions_entries WHERE list_id = $1',
      [list.id],
    );
    for (const r of rows) {
      names.push({ ref: entries.length, names: [{ name: r.name, kind: 'primary' }, ...r.aliases] });
      entries.push({
        list: { id: list.id, source: list.source, version: list.version },
        entryId: r.entry_id,
        entryType: r.entry_type,
        name: r.name,
        programs: r.programs,
        details: r.details,
      });
    }
  }
  cache = { key, index: new NameIndex(names), entries };
  return cache;
}

/** Checks the names to screen: each must hold at least one letter. */
export function checkNames(names: readonly string[], field = 'names'): string[] {
  if (names.length === 0) throw ValidationError.field(field, 'give at least one name');
  return names.map((raw, i) => {
    const name = raw.trim();
    if (!/\p{L}/u.test(name)) {
      throw ValidationError.field(`${field}.${i}`, name ? `"${name}" holds no letters` : 'is an empty name');
    }
    return name;
  });
}

/** Screens names against the active lists (loading the bundled snapshots at first use). */
export async function screenNames(
  db: Database,
  names: readonly string[],
  options: { threshold?: number; limit?: number } = {},
): Promise<{ lists: ListVersion[]; threshold: number; results: ScreeningResult[] }> {
  const checked = checkNames(names);
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  if (!(threshold > 0 && threshold <= 1)) throw ValidationError.field('threshold', 'must be in (0, 1]');
  const lists = await ensureListsLoaded(db);
  const { index, entries } = await indexFor(db, lists);
  const results = checked.map((name) => ({
    name,
    matches: index.screen(name, { threshold, limit: options.limit ?? 10 }).map((m): ScreeningMatch => {
      const e = entries[m.ref]!;
      return {
        list: e.list,
        entryId: e.entryId,
        entryType: e.entryType,
        name: e.name,
        matchedName: m.matchedName,
        matchedKind: m.matchedKind,
        score: m.score,
        reasons: m.reasons,
        programs: e.programs,
        details: e.details,
      };
    }),
  }));
  return { lists, threshold, results };
}
