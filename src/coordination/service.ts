// Coordination in a situation: the rules over imports, runs, results, links and stances. Every function
// checks who may do it (coordination.read / coordination.write, and that the actor may see the situation:
// a private situation is "not found" to others).
import type { Actor } from '../auth/permissions.ts';
import type { Database, Queryable } from '../db/types.ts';
import { getIncident } from '../evidence/incidents.ts';
import { getItem } from '../evidence/items.ts';
import { ConflictError, NotFoundError, ValidationError } from '../lib/errors.ts';
import { getSituation, type SituationRecord } from '../situations/service.ts';
import { coActionsBetween } from './drilldown.ts';
import { resolveOptions } from './engine.ts';
import { RUN_COLUMNS, type RunRow } from './jobs.ts';
import { OUTPUT_FILES } from './output.ts';
import type {
  Community,
  EdgePosts,
  Graph,
  Import,
  Link,
  LinkCreate,
  Narrative,
  Run,
  RunOptions,
  StancePatch,
} from './schema.ts';
import {
  IMPORT_COLUMNS,
  type ImportProgress,
  type ImportRow,
  importFile,
  postsOfAuthors,
  storedPostStats,
} from './store.ts';
import type { AnalysisOptions, InputFormat } from './types.ts';

/** Posts per account read for the posts behind an edge. */
const DRILLDOWN_POSTS_PER_ACCOUNT = 20_000;
/** Edges sent to the graph explorer at most (the strongest first). */
const GRAPH_EDGE_LIMIT = 20_000;

function iso(d: Date | null): string | null {
  return d ? d.toISOString() : null;
}

function importProgress(row: ImportRow): Import['progress'] {
  const p = row.progress as { phase?: string; done?: number; total?: number };
  return p.phase === 'read' || p.phase === 'store' || p.phase === 'done'
    ? { phase: p.phase, done: p.done ?? 0, total: p.total ?? 0 }
    : null;
}

export function toImport(row: ImportRow): Import {
  return {
    id: row.id,
    fileName: row.file_name,
    format: row.format,
    status: row.status,
    progress: importProgress(row),
    postsRead: row.posts_read,
    postsStored: row.posts_stored,
    duplicates: row.status === 'done' ? row.posts_read - row.posts_stored : 0,
    malformed: row.malformed,
    skipped: row.skipped,
    malformedSamples: row.malformed_samples,
    error: row.error,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    finishedAt: iso(row.finished_at),
  };
}

export function toRun(row: RunRow): Run {
  const o = row.options;
  const progress = row.progress as { phase?: string; done?: number; total?: number };
  return {
    id: row.id,
    status: row.status,
    options: {
      windows: o.windows,
      behaviours: o.behaviours,
      textSimilarity: o.textSimilarity,
      minCoActions: o.minCoActions,
      minCommunitySize: o.minCommunitySize,
    },
    progress:
      row.status === 'queued'
        ? { phase: 'queued', done: 0, total: 0 }
        : typeof progress.phase === 'string'
          ? { phase: progress.phase, done: progress.done ?? 0, total: progress.total ?? 0 }
          : null,
    posts: row.posts,
    accounts: row.accounts,
    flaggedAccounts: row.flagged_accounts,
    communities: row.communities,
    narratives: row.narratives,
    error: row.error,
    attempts: row.attempts,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    files: row.status === 'done' ? (row.files ?? []) : [],
  };
}

function readable(db: Queryable, actor: Actor, slug: string): Promise<SituationRecord> {
  return getSituation(db, actor, slug, 'coordination.read');
}

function writable(db: Queryable, actor: Actor, slug: string): Promise<SituationRecord> {
  return getSituation(db, actor, slug, 'coordination.write');
}

function userIdOf(actor: Actor): string | null {
  return actor.kind === 'user' && actor.via !== undefined ? actor.user.id : null;
}

// ---- Imports.

export async function checkImport(db: Queryable, actor: Actor, slug: string): Promise<SituationRecord> {
  return writable(db, actor, slug);
}

export async function importPosts(
  db: Database,
  actor: Actor,
  slug: string,
  input: {
    id?: string;
    fileName: string;
    path: string;
    format: InputFormat;
    onProgress?: ImportProgress;
    userId?: string | null;
  },
): Promise<Import> {
  const situation = await writable(db, actor, slug);
  const row = await importFile(db, {
    id: input.id,
    situationId: situation.id,
    userId: input.userId === undefined ? await existingUserId(db, actor) : input.userId,
    fileName: input.fileName,
    path: input.path,
    format: input.format,
    onProgress: input.onProgress,
  });
  return toImport(row);
}

/** The actor's user id when it names a real user (the terminal's operator does not). */
async function existingUserId(db: Queryable, actor: Actor): Promise<string | null> {
  const id = userIdOf(actor);
  if (!id) return null;
  const rows = await db.query('SELECT 1 FROM users WHERE id = $1', [id]);
  return rows.length > 0 ? id : null;
}

export async function listImports(db: Queryable, actor: Actor, slug: string, limit = 50): Promise<Import[]> {
  const situation = await readable(db, actor, slug);
  const rows = await db.query<ImportRow>(
    `SELECT ${IMPORT_COLUMNS} FROM coordination_imports i WHERE i.situation_id = $1
     ORDER BY i.created_at DESC LIMIT $2`,
    [situation.id, limit],
  );
  return rows.map(toImport);
}

/** One import, with its progress while it runs. */
export async function getImport(db: Queryable, actor: Actor, slug: string, id: string): Promise<Import> {
  const situation = await readable(db, actor, slug);
  const rows = await db.query<ImportRow>(
    `SELECT ${IMPORT_COLUMNS} FROM coordination_imports i WHERE i.id = $1 AND i.situation_id = $2`,
    [id, situation.id],
  );
  if (!rows[0]) throw new NotFoundError(`coordination import ${id}`);
  return toImport(rows[0]);
}

// ---- Runs.

/** The engine's options from what the analyst chose; the rest are the engine's defaults. */
export function analysisOptions(input: RunOptions): AnalysisOptions {
  const base = resolveOptions({});
  const window = input.window;
  const windows = { ...base.windows };
  for (const b of Object.keys(windows) as (keyof typeof windows)[]) {
    windows[b] = input.windows?.[b] ?? window ?? windows[b];
  }
  return resolveOptions({
    windows,
    behaviours: input.behaviours ? [...input.behaviours] : base.behaviours,
    textSimilarity: input.textSimilarity ?? base.textSimilarity,
    minCoActions: input.minCoActions ?? base.minCoActions,
    minCommunitySize: input.minCommunitySize ?? base.minCommunitySize,
  });
}

export async function createRun(db: Queryable, actor: Actor, slug: string, input: RunOptions): Promise<Run> {
  const situation = await writable(db, actor, slug);
  const stats = await storedPostStats(db, situation.id);
  if (stats.posts === 0) {
    throw new ConflictError('this situation has no stored posts yet: import posts before starting a run');
  }
  const [row] = await db.query<{ id: string }>(
    `INSERT INTO coordination_runs (situation_id, options, progress, created_by) VALUES ($1, $2, '{}', $3)
     RETURNING id`,
    [situation.id, JSON.stringify(analysisOptions(input)), await existingUserId(db, actor)],
  );
  return toRun(await runRow(db, situation.id, (row as { id: string }).id));
}

async function runRow(db: Queryable, situationId: string, id: string): Promise<RunRow> {
  const rows = await db.query<RunRow>(
    `SELECT ${RUN_COLUMNS} FROM coordination_runs r WHERE r.id = $1 AND r.situation_id = $2`,
    [id, situationId],
  );
  if (!rows[0]) throw new NotFoundError(`coordination run ${id}`);
  return rows[0];
}

export async function listRuns(db: Queryable, actor: Actor, slug: string, limit = 50): Promise<Run[]> {
  const situation = await readable(db, actor, slug);
  const rows = await db.query<RunRow>(
    `SELECT ${RUN_COLUMNS} FROM coordination_runs r WHERE r.situation_id = $1 ORDER BY r.created_at DESC LIMIT $2`,
    [situation.id, limit],
  );
  return rows.map(toRun);
}

export async function getRun(db: Queryable, actor: Actor, slug: string, id: string): Promise<Run> {
  const situation = await readable(db, actor, slug);
  return toRun(await runRow(db, situation.id, id));
}

export async function overview(db: Queryable, actor: Actor, slug: string) {
  const situation = await readable(db, actor, slug);
  const stats = await storedPostStats(db, situation.id);
  const imports = await listImports(db, actor, slug, 20);
  const runs = await listRuns(db, actor, slug, 20);
  const [latest] = await db.query<RunRow>(
    `SELECT ${RUN_COLUMNS} FROM coordination_runs r WHERE r.situation_id = $1 AND r.status = 'done'
     ORDER BY r.finished_at DESC LIMIT 1`,
    [situation.id],
  );
  return {
    posts: stats.posts,
    accounts: stats.accounts,
    firstPostAt: iso(stats.first),
    lastPostAt: iso(stats.last),
    imports,
    runs,
    latestRun: latest ? toRun(latest) : null,
  };
}

/** A finished run of the situation (results exist only once it is done). */
async function doneRun(db: Queryable, actor: Actor, slug: string, id: string) {
  const situation = await readable(db, actor, slug);
  const run = await runRow(db, situation.id, id);
  if (run.status !== 'done') throw new ConflictError(`coordination run ${id} is ${run.status}, not done`);
  return { situation, run };
}

// ---- Results.

interface CommunityRow {
  id: string;
  run_id: string;
  number: number;
  label: string;
  size: number;
  flagged_accounts: number;
  behaviours: string[];
  summary: Record<string, unknown>;
  first_seen: Date | null;
  last_seen: Date | null;
  created_at: Date;
}

interface NarrativeRow {
  id: string;
  run_id: string;
  number: number;
  label: string;
  post_count: number;
  account_count: number;
  community_id: string | null;
  community_number: number | null;
  summary: Record<string, unknown>;
  first_seen: Date | null;
  last_seen: Date | null;
  stance: Narrative['stance'];
  stance_note: string | null;
  stance_set_by: string | null;
  stance_set_at: Date | null;
  stance_carried_from: string | null;
  carried_from_run: string | null;
  created_at: Date;
}

interface LinkRow {
  id: string;
  community_id: string | null;
  narrative_id: string | null;
  incident_id: string | null;
  item_id: string | null;
  target_title: string;
  note: string | null;
  created_by: string | null;
  created_at: Date;
}

const LINK_COLUMNS = `l.id, l.community_id, l.narrative_id, l.incident_id, l.item_id, l.target_title, l.note,
  (SELECT email FROM users u WHERE u.id = l.created_by) AS created_by, l.created_at`;

function toLink(row: LinkRow): Link {
  return {
    id: row.id,
    communityId: row.community_id,
    narrativeId: row.narrative_id,
    target: row.incident_id
      ? { id: row.incident_id, kind: 'incident', title: row.target_title }
      : { id: row.item_id as string, kind: 'item', title: row.target_title },
    note: row.note,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
  };
}

export async function listCommunities(
  db: Database,
  actor: Actor,
  slug: string,
  runId: string,
): Promise<Community[]> {
  const { run } = await doneRun(db, actor, slug, runId);
  const rows = await db.query<CommunityRow>(
    `SELECT id, run_id, number, label, size, flagged_accounts, behaviours, summary, first_seen, last_seen, created_at
     FROM coordination_communities WHERE run_id = $1 ORDER BY number`,
    [run.id],
  );
  const links = await db.query<LinkRow>(
    `SELECT ${LINK_COLUMNS} FROM coordination_links l JOIN coordination_communities c ON c.id = l.community_id
     WHERE c.run_id = $1 ORDER BY l.created_at`,
    [run.id],
  );
  const linked = links.map(toLink);
  return rows.map((r) => ({
    id: r.id,
    runId: r.run_id,
    number: r.number,
    label: r.label,
    size: r.size,
    flaggedAccounts: r.flagged_accounts,
    behaviours: r.behaviours,
    summary: r.summary,
    firstSeen: iso(r.first_seen),
    lastSeen: iso(r.last_seen),
    createdAt: r.created_at.toISOString(),
    links: linked.filter((l) => l.communityId === r.id),
  }));
}

const NARRATIVE_SELECT = `SELECT n.id, n.run_id, n.number, n.label, n.post_count, n.account_count, n.community_id,
  c.number AS community_number, n.summary, n.first_seen, n.last_seen, n.stance, n.stance_note,
  (SELECT email FROM users u WHERE u.id = n.stance_set_by) AS stance_set_by, n.stance_set_at,
  n.stance_carried_from, (SELECT f.run_id FROM coordination_narratives f WHERE f.id = n.stance_carried_from)
    AS carried_from_run, n.created_at
  FROM coordination_narratives n LEFT JOIN coordination_communities c ON c.id = n.community_id`;

function toNarrative(r: NarrativeRow, links: Link[]): Narrative {
  return {
    id: r.id,
    runId: r.run_id,
    number: r.number,
    label: r.label,
    postCount: r.post_count,
    accountCount: r.account_count,
    communityId: r.community_id,
    communityNumber: r.community_number,
    summary: r.summary,
    firstSeen: iso(r.first_seen),
    lastSeen: iso(r.last_seen),
    stance: r.stance,
    stanceNote: r.stance_note,
    stanceSetBy: r.stance_set_by,
    stanceSetAt: iso(r.stance_set_at),
    stanceCarriedFrom:
      r.stance_carried_from === null
        ? null
        : { narrativeId: r.stance_carried_from, runId: r.carried_from_run as string },
    createdAt: r.created_at.toISOString(),
    links: links.filter((l) => l.narrativeId === r.id),
  };
}

export async function listNarratives(
  db: Database,
  actor: Actor,
  slug: string,
  runId: string,
): Promise<Narrative[]> {
  const { run } = await doneRun(db, actor, slug, runId);
  const rows = await db.query<NarrativeRow>(`${NARRATIVE_SELECT} WHERE n.run_id = $1 ORDER BY n.number`, [
    run.id,
  ]);
  const links = await db.query<LinkRow>(
    `SELECT ${LINK_COLUMNS} FROM coordination_links l JOIN coordination_narratives n ON n.id = l.narrative_id
     WHERE n.run_id = $1 ORDER BY l.created_at`,
    [run.id],
  );
  return rows.map((r) => toNarrative(r, links.map(toLink)));
}

export async function runGraph(db: Queryable, actor: Actor, slug: string, runId: string): Promise<Graph> {
  const { run } = await doneRun(db, actor, slug, runId);
  const edges = await db.query<{
    source: string;
    target: string;
    community: number | null;
    score: number;
    observed: number;
    expected: number;
    behaviours: string[];
  }>(
    `SELECT source, target, community, score, observed, expected, behaviours FROM coordination_edges
     WHERE run_id = $1 ORDER BY score DESC, source, target LIMIT $2`,
    [run.id, GRAPH_EDGE_LIMIT + 1],
  );
  const truncated = edges.length > GRAPH_EDGE_LIMIT;
  const kept = edges.slice(0, GRAPH_EDGE_LIMIT);
  const authors = new Set<string>();
  for (const e of kept) {
    authors.add(e.source);
    authors.add(e.target);
  }
  const nodes = await db.query<{
    author: string;
    author_name: string | null;
    community: number | null;
    score: number;
    flagged: boolean;
    posts: number;
    partners: number;
    reasons: string;
  }>(
    `SELECT author, author_name, community, score, flagged, posts, partners, reasons FROM coordination_accounts
     WHERE run_id = $1 ORDER BY author`,
    [run.id],
  );
  return {
    nodes: nodes
      .filter((n) => authors.has(n.author))
      .map((n) => ({
        id: n.author,
        label: n.author_name ?? n.author,
        community: n.community,
        score: n.score,
        flagged: n.flagged,
        posts: n.posts,
        partners: n.partners,
        reasons: n.reasons,
      })),
    edges: kept.map((e) => ({
      source: e.source,
      target: e.target,
      community: e.community,
      score: e.score,
      observed: e.observed,
      expected: e.expected,
      behaviours: e.behaviours,
    })),
    truncated,
  };
}

/** The posts behind one edge: each co-action of the two accounts, with the posts of both sides. */
export async function edgePosts(
  db: Queryable,
  actor: Actor,
  slug: string,
  runId: string,
  source: string,
  target: string,
): Promise<EdgePosts> {
  const { situation, run } = await doneRun(db, actor, slug, runId);
  const edge = await db.query(
    `SELECT 1 FROM coordination_edges WHERE run_id = $1
     AND ((source = $2 AND target = $3) OR (source = $3 AND target = $2))`,
    [run.id, source, target],
  );
  if (edge.length === 0) throw new NotFoundError(`an edge between ${source} and ${target} in this run`);
  const posts = await postsOfAuthors(
    db,
    situation.id,
    run.created_at,
    [source, target],
    DRILLDOWN_POSTS_PER_ACCOUNT,
  );
  const found = coActionsBetween(posts, source, target, run.options);
  return { source, target, ...found };
}

export async function runFile(
  db: Queryable,
  actor: Actor,
  slug: string,
  runId: string,
  name: string,
): Promise<{ name: string; content: string }> {
  const { run } = await doneRun(db, actor, slug, runId);
  if (!(OUTPUT_FILES as readonly string[]).includes(name)) {
    throw ValidationError.field('name', `must be one of ${OUTPUT_FILES.join(', ')}`);
  }
  const [row] = await db.query<{ content: string }>(
    'SELECT content FROM coordination_run_files WHERE run_id = $1 AND name = $2',
    [run.id, name],
  );
  if (!row) throw new NotFoundError(`${name} of coordination run ${runId}`);
  return { name, content: row.content };
}

export async function runFiles(
  db: Queryable,
  actor: Actor,
  slug: string,
  runId: string,
): Promise<{ situation: SituationRecord; files: { name: string; content: string }[] }> {
  const { situation, run } = await doneRun(db, actor, slug, runId);
  const files = await db.query<{ name: string; content: string }>(
    'SELECT name, content FROM coordination_run_files WHERE run_id = $1 ORDER BY name',
    [run.id],
  );
  return { situation, files };
}

// ---- Analysts' work on results.

export async function setStance(
  db: Database,
  actor: Actor,
  slug: string,
  narrativeId: string,
  patch: StancePatch,
): Promise<Narrative> {
  const situation = await writable(db, actor, slug);
  const rows = await db.query<{ id: string }>(
    `UPDATE coordination_narratives SET stance = $3, stance_note = $4, stance_set_by = $5, stance_set_at = now(),
       stance_carried_from = NULL
     WHERE id = $1 AND situation_id = $2 RETURNING id`,
    [narrativeId, situation.id, patch.stance, patch.note?.trim() || null, await existingUserId(db, actor)],
  );
  if (!rows[0]) throw new NotFoundError(`narrative ${narrativeId}`);
  const [row] = await db.query<NarrativeRow>(`${NARRATIVE_SELECT} WHERE n.id = $1`, [narrativeId]);
  const links = await db.query<LinkRow>(
    `SELECT ${LINK_COLUMNS} FROM coordination_links l WHERE l.narrative_id = $1`,
    [narrativeId],
  );
  return toNarrative(row as NarrativeRow, links.map(toLink));
}

export async function createLink(db: Database, actor: Actor, slug: string, input: LinkCreate): Promise<Link> {
  const situation = await writable(db, actor, slug);
  if ((input.communityId === undefined) === (input.narrativeId === undefined)) {
    throw ValidationError.field('communityId', 'give exactly one of communityId and narrativeId');
  }
  if ((input.incidentId === undefined) === (input.itemId === undefined)) {
    throw ValidationError.field('incidentId', 'give exactly one of incidentId and itemId');
  }
  const from = input.communityId
    ? await db.query('SELECT 1 FROM coordination_communities WHERE id = $1 AND situation_id = $2', [
        input.communityId,
        situation.id,
      ])
    : await db.query('SELECT 1 FROM coordination_narratives WHERE id = $1 AND situation_id = $2', [
        input.narrativeId,
        situation.id,
      ]);
  if (from.length === 0) {
    throw input.communityId
      ? ValidationError.field('communityId', 'no such community in this situation')
      : ValidationError.field('narrativeId', 'no such narrative in this situation');
  }
  // The incident or item must be one the actor may see, in the same situation.
  let title: string;
  try {
    if (input.incidentId) {
      const incident = await getIncident(db, actor, input.incidentId);
      if (incident.situationSlug !== situation.slug) throw new NotFoundError('incident');
      title = incident.title;
    } else {
      const item = await getItem(db, actor, input.itemId as string);
      if (item.situationSlug !== situation.slug) throw new NotFoundError('item');
      title = item.title || item.id;
    }
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    throw input.incidentId
      ? ValidationError.field('incidentId', 'no such incident in this situation')
      : ValidationError.field('itemId', 'no such evidence item in this situation');
  }
  const existing = await db.query<{ id: string }>(
    `SELECT id FROM coordination_links WHERE situation_id = $1
       AND community_id IS NOT DISTINCT FROM $2 AND narrative_id IS NOT DISTINCT FROM $3
       AND incident_id IS NOT DISTINCT FROM $4 AND item_id IS NOT DISTINCT FROM $5`,
    [
      situation.id,
      input.communityId ?? null,
      input.narrativeId ?? null,
      input.incidentId ?? null,
      input.itemId ?? null,
    ],
  );
  if (existing[0]) throw new ConflictError('this link exists already');
  const [row] = await db.query<LinkRow>(
    `INSERT INTO coordination_links (situation_id, community_id, narrative_id, incident_id, item_id, target_title,
       note, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
    [
      situation.id,
      input.communityId ?? null,
      input.narrativeId ?? null,
      input.incidentId ?? null,
      input.itemId ?? null,
      title,
      input.note?.trim() || null,
      await existingUserId(db, actor),
    ],
  );
  const full = await db.query<LinkRow>(`SELECT ${LINK_COLUMNS} FROM coordination_links l WHERE l.id = $1`, [
    (row as LinkRow).id,
  ]);
  return toLink(full[0] as LinkRow);
}

export async function deleteLink(db: Queryable, actor: Actor, slug: string, id: string): Promise<void> {
  const situation = await writable(db, actor, slug);
  const rows = await db.query(
    'DELETE FROM coordination_links WHERE id = $1 AND situation_id = $2 RETURNING id',
    [id, situation.id],
  );
  if (rows.length === 0) throw new NotFoundError(`link ${id}`);
}
