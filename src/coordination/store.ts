// Posts stored in a situation: imports from any format the engine reads (streamed, spooled to a
// temporary file so memory stays flat, then inserted in batches; a post already stored is never stored
// twice), and the stored posts read back as a PostSource for the engine or for the posts behind an edge.
import { closeSync, createReadStream, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Database, Queryable } from '../db/types.ts';
import { ConflictError } from '../lib/errors.ts';
import type { PostSource } from './engine.ts';
import { readPosts } from './read.ts';
import type { InputFormat, Post, ReadStats } from './types.ts';

/** Posts per INSERT statement. */
const BATCH = 1000;
/** Posts per page when a run streams the stored posts. */
const PAGE = 10_000;
const MAX_SAMPLES = 100;
/** The import record's progress is written every this many posts (and at every change of phase). */
const PROGRESS_EVERY = 5000;

/** read: bytes of the file parsed; store: posts written. */
export type ImportProgress = (phase: 'read' | 'store', done: number, total: number) => void;

export interface ImportFileInput {
  /** The import's id, when the caller chose it (to follow the import's progress before it answers). */
  id?: string;
  situationId: string;
  userId: string | null;
  /** The name the file had on the user's side (kept in the import record and in malformed-line reports). */
  fileName: string;
  path: string;
  format: InputFormat;
  onProgress?: ImportProgress;
}

export interface ImportRow {
  id: string;
  file_name: string;
  format: string;
  status: 'importing' | 'done' | 'failed';
  progress: { phase: 'read' | 'store' | 'done'; done: number; total: number } | Record<string, never>;
  posts_read: number;
  posts_stored: number;
  malformed: number;
  skipped: number;
  malformed_samples: { line: number; reason: string }[];
  error: string | null;
  created_by: string | null;
  created_at: Date;
  finished_at: Date | null;
}

export const IMPORT_COLUMNS = `i.id, i.file_name, i.format, i.status, i.progress, i.posts_read, i.posts_stored, i.malformed, i.skipped,
  i.malformed_samples, i.error, (SELECT email FROM users u WHERE u.id = i.created_by) AS created_by, i.created_at,
  i.finished_at`;

/** PostgreSQL text cannot hold NUL characters; they carry no meaning in a post, so they are dropped. */
function clean(s: string | null): string | null {
  return s === null ? null : s.includes('\u0000') ? s.replaceAll('\u0000', '') : s;
}

function spoolLine(post: Post): string {
  return JSON.stringify({
    platform: clean(post.platform),
    id: clean(post.id),
    author: clean(post.author),
    author_name: clean(post.authorName),
    t: post.createdAt,
    text: clean(post.text),
    urls: post.urls.map((u) => clean(u)),
    hashtags: post.hashtags.map((h) => clean(h)),
    repost_of: clean(post.repostOf),
    reply_to: clean(post.replyTo),
    lang: clean(post.lang),
    act: post.authorCreatedAt,
    followers:
      post.followers === null || !Number.isFinite(post.followers)
        ? null
        : Math.max(0, Math.min(2_147_483_647, Math.round(post.followers))),
  });
}

const INSERT_SQL = `INSERT INTO coordination_posts (situation_id, platform, post_id, import_id, author, author_name,
    created_at, text, urls, hashtags, repost_of, reply_to, lang, author_created_at, followers)
  SELECT $1, r.platform, r.id, $2, r.author, r.author_name, to_timestamp(r.t), coalesce(r.text, ''),
    coalesce(r.urls, '{}'), coalesce(r.hashtags, '{}'), r.repost_of, r.reply_to, r.lang, to_timestamp(r.act),
    r.followers
  FROM jsonb_to_recordset($3::jsonb) AS r(platform text, id text, author text, author_name text, t float8,
    text text, urls text[], hashtags text[], repost_of text, reply_to text, lang text, act float8, followers integer)
  ON CONFLICT (situation_id, platform, post_id) DO NOTHING
  RETURNING 1 AS stored`;

/**
 * Imports one file of posts into a situation. The file is parsed once into a spool of normalised posts
 * (malformed records counted with their line numbers), then the spool is inserted in batches. Posts
 * already in the situation (same platform and id) are left as they are. If anything fails, the posts
 * this import added are removed again and the import is recorded as failed.
 */
export async function importFile(db: Database, input: ImportFileInput): Promise<ImportRow> {
  const [created] = await db.query<{ id: string }>(
    `INSERT INTO coordination_imports (id, situation_id, file_name, format, created_by)
     VALUES (coalesce($5::uuid, gen_random_uuid()), $1, $2, $3, $4)
     ON CONFLICT (id) DO NOTHING RETURNING id`,
    [input.situationId, input.fileName.slice(0, 500), input.format, input.userId, input.id ?? null],
  );
  if (!created) throw new ConflictError(`an import with the id ${input.id} exists already`);
  const importId = created.id;
  // The import record shows how far the import is (pages poll it); written in the background, in order.
  let recording: Promise<unknown> = Promise.resolve();
  let recordedPhase = '';
  const record = (phase: 'read' | 'store', done: number, total: number, postsRead: number): void => {
    recordedPhase = phase;
    recording = recording
      .then(() =>
        db.query(
          `UPDATE coordination_imports SET progress = $2, posts_read = $3 WHERE id = $1 AND status = 'importing'`,
          [importId, JSON.stringify({ phase, done, total }), postsRead],
        ),
      )
      .catch(() => {});
  };
  const spoolDir = mkdtempSync(join(tmpdir(), 'vigil-coordination-'));
  const spoolPath = join(spoolDir, 'posts.jsonl');
  try {
    // Pass 1: parse into the spool (synchronous writes keep memory flat whatever the file's size).
    const fd = openSync(spoolPath, 'w');
    let buffer: string[] = [];
    let buffered = 0;
    const flush = () => {
      if (buffer.length === 0) return;
      writeSync(fd, buffer.join(''));
      buffer = [];
      buffered = 0;
    };
    let stats: ReadStats;
    let postsRead = 0;
    let bytes: [number, number] = [0, 0];
    try {
      record('read', 0, 0, 0);
      stats = await readPosts(
        [input.path],
        {
          format: input.format,
          strict: false,
          onBytes: (done, total) => {
            bytes = [done, total];
            input.onProgress?.('read', done, total);
          },
        },
        (post) => {
          if (++postsRead % PROGRESS_EVERY === 0) record('read', bytes[0], bytes[1], postsRead);
          const line = `${spoolLine(post)}\n`;
          buffer.push(line);
          buffered += line.length;
          if (buffered >= 1 << 20) flush();
        },
      );
      flush();
    } finally {
      closeSync(fd);
    }
    const format = stats.formats[input.path] ?? input.format;
    const samples = stats.malformedSamples
      .slice(0, MAX_SAMPLES)
      .map((m) => ({ line: m.line, reason: m.reason }));

    // Pass 2: insert the spool in batches.
    let stored = 0;
    let written = 0;
    let batch: string[] = [];
    const insert = async () => {
      if (batch.length === 0) return;
      const rows = await db.query(INSERT_SQL, [input.situationId, importId, `[${batch.join(',')}]`]);
      stored += rows.length;
      written += batch.length;
      batch = [];
      input.onProgress?.('store', written, stats.posts);
      if (recordedPhase !== 'store' || written % PROGRESS_EVERY < BATCH) {
        record('store', written, stats.posts, stats.posts);
      }
    };
    const lines = createInterface({
      input: createReadStream(spoolPath, { encoding: 'utf8' }),
      crlfDelay: Infinity,
    });
    for await (const line of lines) {
      if (line === '') continue;
      batch.push(line);
      if (batch.length >= BATCH) await insert();
    }
    await insert();
    input.onProgress?.('store', stats.posts, stats.posts);
    await recording;

    const [row] = await db.query<ImportRow>(
      `UPDATE coordination_imports i SET status = 'done', format = $2, posts_read = $3, posts_stored = $4,
         malformed = $5, skipped = $6, malformed_samples = $7, finished_at = clock_timestamp(),
         progress = jsonb_build_object('phase', 'done', 'done', $3::int, 'total', $3::int)
       WHERE id = $1 RETURNING ${IMPORT_COLUMNS}`,
      [importId, format, stats.posts, stored, stats.malformed, stats.skipped, JSON.stringify(samples)],
    );
    return row as ImportRow;
  } catch (error) {
    await recording;
    // Never a partial import: what this import added goes again.
    await db
      .transaction(async (tx) => {
        await tx.query('DELETE FROM coordination_posts WHERE import_id = $1', [importId]);
        await tx.query(
          `UPDATE coordination_imports SET status = 'failed', posts_stored = 0, error = $2,
             finished_at = clock_timestamp() WHERE id = $1`,
          [importId, error instanceof Error ? error.message.slice(0, 2000) : String(error)],
        );
      })
      .catch(() => {});
    throw error;
  } finally {
    rmSync(spoolDir, { recursive: true, force: true });
  }
}

export async function getImportRow(db: Queryable, id: string): Promise<ImportRow | null> {
  const rows = await db.query<ImportRow>(
    `SELECT ${IMPORT_COLUMNS} FROM coordination_imports i WHERE i.id = $1`,
    [id],
  );
  return rows[0] ?? null;
}

/** The posts a run may see: those of imports finished before the run was asked for. */
const VISIBLE = `FROM coordination_posts p JOIN coordination_imports i ON i.id = p.import_id
  WHERE p.situation_id = $1 AND i.status = 'done' AND i.finished_at <= $2`;

interface PostRow {
  platform: string;
  post_id: string;
  author: string;
  author_name: string | null;
  t: number;
  ts_key: string;
  text: string;
  urls: string[];
  hashtags: string[];
  repost_of: string | null;
  reply_to: string | null;
  lang: string | null;
  act: number | null;
  followers: number | null;
}

const POST_COLUMNS = `p.platform, p.post_id, p.author, p.author_name, extract(epoch FROM p.created_at)::float8 AS t,
  p.created_at::text AS ts_key, p.text, p.urls, p.hashtags, p.repost_of, p.reply_to, p.lang,
  extract(epoch FROM p.author_created_at)::float8 AS act, p.followers`;

function toPost(row: PostRow): Post {
  return {
    id: row.post_id,
    platform: row.platform,
    author: row.author,
    authorName: row.author_name,
    createdAt: row.t,
    text: row.text,
    urls: row.urls,
    hashtags: row.hashtags,
    repostOf: row.repost_of,
    replyTo: row.reply_to,
    lang: row.lang,
    authorCreatedAt: row.act,
    followers: row.followers,
  };
}

export async function countVisiblePosts(db: Queryable, situationId: string, snapshot: Date): Promise<number> {
  const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n ${VISIBLE}`, [
    situationId,
    snapshot,
  ]);
  return row?.n ?? 0;
}

/** Where a page of stored posts ended: the (time, platform, id) of its last post. */
export type PostCursor = [string, string, string];

export interface PostPage {
  posts: Post[];
  /** Where the next page starts; null when this was the last one. */
  next: PostCursor | null;
}

/** One keyset page of the posts a run sees, in (time, platform, id) order: the same order on every read. */
export async function readPostPage(
  db: Queryable,
  situationId: string,
  snapshot: Date,
  after: PostCursor | null,
  limit = PAGE,
): Promise<PostPage> {
  const rows = await db.query<PostRow>(
    `SELECT ${POST_COLUMNS} ${VISIBLE}
     ${after ? 'AND (p.created_at, p.platform, p.post_id) > ($3::timestamptz, $4, $5)' : ''}
     ORDER BY p.created_at, p.platform, p.post_id LIMIT ${Math.max(1, Math.floor(limit))}`,
    after ? [situationId, snapshot, ...after] : [situationId, snapshot],
  );
  const last = rows[rows.length - 1];
  return {
    posts: rows.map(toPost),
    next: last && rows.length >= limit ? [last.ts_key, last.platform, last.post_id] : null,
  };
}

/**
 * The posts of consecutive pages, one after the other. The next page is asked for while the current one
 * is consumed, and no further: at most two pages are held at a time, however fast pages arrive.
 */
export async function* pagedPosts(
  fetchPage: (after: PostCursor | null) => Promise<PostPage>,
): AsyncGenerator<Post> {
  let pending: Promise<PostPage> | null = fetchPage(null);
  while (pending) {
    const page: PostPage = await pending;
    pending = page.next ? fetchPage(page.next) : null;
    // A consumer that stops early must not leave a failing prefetch unhandled.
    pending?.catch(() => {});
    yield* page.posts;
  }
}

/**
 * The situation's stored posts as the engine's PostSource: keyset pages in (time, platform, id) order,
 * the same order on every scan, so record numbers agree between the engine's two passes.
 */
export function storedPostSource(
  db: Queryable,
  situationId: string,
  snapshot: Date,
  label: string,
): PostSource {
  return {
    async scan(onPost, onProgress, selectRecord) {
      const total = await countVisiblePosts(db, situationId, snapshot);
      let record = 0;
      let after: PostCursor | null = null;
      onProgress?.(0, total);
      for (;;) {
        const page: PostPage = await readPostPage(db, situationId, snapshot, after);
        for (const post of page.posts) {
          if (!selectRecord || selectRecord(record)) onPost(post, record, 0);
          record++;
        }
        onProgress?.(record, total);
        if (!page.next) break;
        after = page.next;
      }
      return { files: [label], posts: record, malformed: 0, malformedSamples: [], skipped: 0, formats: {} };
    },
  };
}

/** The stored posts of some accounts (at most `limit` each, earliest first), as the run saw them. */
export async function postsOfAuthors(
  db: Queryable,
  situationId: string,
  snapshot: Date,
  authors: string[],
  limit: number,
): Promise<Post[]> {
  const out: Post[] = [];
  for (const author of authors) {
    const rows = await db.query<PostRow>(
      `SELECT ${POST_COLUMNS} ${VISIBLE} AND p.author = $3 ORDER BY p.created_at, p.platform, p.post_id LIMIT $4`,
      [situationId, snapshot, author, limit],
    );
    out.push(...rows.map(toPost));
  }
  return out;
}

/** Posts, accounts and time span of the situation's finished imports. */
export async function storedPostStats(
  db: Queryable,
  situationId: string,
): Promise<{ posts: number; accounts: number; first: Date | null; last: Date | null }> {
  const [row] = await db.query<{ posts: number; accounts: number; first: Date | null; last: Date | null }>(
    `SELECT count(*)::int AS posts, count(DISTINCT p.author)::int AS accounts, min(p.created_at) AS first,
       max(p.created_at) AS last ${VISIBLE}`,
    [situationId, new Date('9999-01-01T00:00:00Z')],
  );
  return row ?? { posts: 0, accounts: 0, first: null, last: null };
}
