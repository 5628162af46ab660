// Full-text search across a situation: incidents, evidence item titles, the text extracted from sealed
// captures (HTML without its tags, the text of the rendered page that the PDF shows), verification notes
// and public reports. Each reader finds only what they may see.
import { type Actor, canIn } from '../auth/permissions.ts';
import type { Queryable } from '../db/types.ts';
import { canReadPrivate, getSituation } from '../situations/service.ts';

export const HIT_TYPES = ['incident', 'item', 'item-text', 'note', 'report'] as const;
export type HitType = (typeof HIT_TYPES)[number];

export interface SearchHit {
  type: HitType;
  id: string;
  title: string;
  snippet: string;
  rank: number;
  itemId: string | null;
  incidentId: string | null;
  url: string;
}

export interface SearchQuery {
  q: string;
  types?: HitType[];
  limit: number;
}

const HEADLINE = `'StartSel=«, StopSel=», MaxWords=30, MinWords=10, MaxFragments=2, FragmentDelimiter=" … "'`;

/**
 * $1 situation id; q.query the query, q.drafts whether the reader sees drafts, q.sealed sealed material. Items are visible to readers of
 * sealed material, or (their titles only) when they have a publishable copy linked to an incident the reader sees.
 */
const SOURCES: Record<HitType, { sql: string; sealed: boolean; moderator?: boolean }> = {
  incident: {
    sealed: false,
    sql: `SELECT 'incident' AS type, i.id, i.title,
        ts_headline('english', i.title || ' ' || i.description, q.query, ${HEADLINE}) AS snippet,
        ts_rank(i.search, q.query) AS rank, NULL::uuid AS item_id, i.id AS incident_id
      FROM incidents i, q WHERE i.situation_id = $1 AND i.search @@ q.query AND (q.drafts OR i.status = 'published')`,
  },
  item: {
    sealed: false,
    sql: `SELECT 'item' AS type, e.id, e.title, ts_headline('english', e.title, q.query, ${HEADLINE}) AS snippet,
        ts_rank(to_tsvector('english', e.title), q.query) AS rank, e.id AS item_id, NULL::uuid AS incident_id
      FROM evidence_items e, q WHERE e.situation_id = $1 AND to_tsvector('english', e.title) @@ q.query
        AND (q.sealed OR (EXISTS (SELECT 1 FROM evidence_publishable p WHERE p.item_id = e.id)
          AND (q.drafts OR EXISTS (SELECT 1 FROM evidence_item_incidents l JOIN incidents i ON i.id = l.incident_id
            WHERE l.item_id = e.id AND i.status = 'published'))))`,
  },
  'item-text': {
    sealed: true,
    sql: `SELECT 'item-text' AS type, e.id, e.title,
        ts_headline('english', left(t.body, 100000), q.query, ${HEADLINE}) AS snippet,
        ts_rank(t.search, q.query) AS rank, e.id AS item_id, NULL::uuid AS incident_id
      FROM evidence_texts t JOIN evidence_items e ON e.id = t.item_id, q
      WHERE e.situation_id = $1 AND t.search @@ q.query`,
  },
  note: {
    sealed: true,
    sql: `SELECT 'note' AS type, n.id, e.title, ts_headline('english', n.note, q.query, ${HEADLINE}) AS snippet,
        ts_rank(to_tsvector('english', n.note), q.query) AS rank, e.id AS item_id, NULL::uuid AS incident_id
      FROM evidence_notes n JOIN evidence_items e ON e.id = n.item_id, q
      WHERE e.situation_id = $1 AND to_tsvector('english', n.note) @@ q.query`,
  },
  report: {
    sealed: true,
    moderator: true,
    sql: `SELECT 'report' AS type, r.id, left(split_part(r.what, E'\\n', 1), 200) AS title,
        ts_headline('english', r.what || ' ' || coalesce(r.place_name, ''), q.query, ${HEADLINE}) AS snippet,
        ts_rank(r.search, q.query) AS rank, r.statement_item_id AS item_id, r.incident_id
      FROM public_reports r, q WHERE r.situation_id = $1 AND r.search @@ q.query`,
  },
};

function urlOf(type: HitType, id: string, itemId: string | null): string {
  if (type === 'incident') return `/api/v1/incidents/${id}`;
  if (type === 'report') return `/api/v1/reports/${id}`;
  if (type === 'note') return `/api/v1/items/${itemId}/notes`;
  return `/api/v1/items/${id}`;
}

/** Typed hits, best first. Sealed material (extracted text, notes, reports) only for evidence.read-sealed. */
export async function searchSituation(
  db: Queryable,
  actor: Actor,
  slug: string,
  query: SearchQuery,
): Promise<{ items: SearchHit[]; types: HitType[] }> {
  const situation = await getSituation(db, actor, slug);
  const sealed = canIn(actor, 'evidence.read-sealed', situation.organisationId);
  const moderator = sealed && canIn(actor, 'evidence.write', situation.organisationId);
  const types = (query.types?.length ? query.types : [...HIT_TYPES]).filter((t) => {
    const source = SOURCES[t];
    return (!source.sealed || sealed) && (!source.moderator || moderator);
  });
  if (types.length === 0) return { items: [], types };
  const rows = await db.query<{
    type: HitType;
    id: string;
    title: string;
    snippet: string;
    rank: number;
    item_id: string | null;
    incident_id: string | null;
  }>(
    `WITH q AS (SELECT websearch_to_tsquery('english', $2::text) AS query, $3::boolean AS drafts, $4::boolean AS sealed)
     SELECT * FROM (${types.map((t) => SOURCES[t].sql).join('\nUNION ALL\n')}) hits
     ORDER BY rank DESC, type, id LIMIT $5`,
    [situation.id, query.q, canReadPrivate(actor, situation), sealed, query.limit],
  );
  return {
    types,
    items: rows.map((r) => ({
      type: r.type,
      id: r.id,
      title: r.title,
      snippet: r.snippet,
      rank: Number(r.rank),
      itemId: r.item_id,
      incidentId: r.incident_id,
      url: urlOf(r.type, r.id, r.item_id),
    })),
  };
}
