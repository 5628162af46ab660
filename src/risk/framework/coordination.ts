// What the coordination engine suggests: a narrative that an analyst labelled as denial or downplaying
// suggests the "denial" stage of genocide, with the narrative as its evidence. Never set by itself: the
// risk analyst accepts or rejects it like any suggestion. Reads coordination_narratives and
// coordination_links by the columns that migration 0015_coordination_store.sql keeps for this purpose.
import type { Queryable } from '../../db/types.ts';
import type { SuggestionDraft } from './suggestions.ts';

/** The analyst stances of a narrative that suggest the denial stage. */
export const DENIAL_STANCES = ['denial', 'downplaying'] as const;

export interface LabelledNarrative {
  id: string;
  runId: string;
  label: string;
  stance: (typeof DENIAL_STANCES)[number];
  stanceNote: string | null;
  stanceSetAt: Date | null;
  posts: number;
  accounts: number;
  firstSeen: Date | null;
  lastSeen: Date | null;
  /** Sample post texts or links the engine kept, when it kept any. */
  urls: string[];
  incidents: string[];
  items: string[];
}

interface NarrativeRow {
  id: string;
  run_id: string;
  label: string;
  stance: LabelledNarrative['stance'];
  stance_note: string | null;
  stance_set_at: Date | null;
  post_count: number;
  account_count: number;
  first_seen: Date | null;
  last_seen: Date | null;
  summary: Record<string, unknown> | null;
  incidents: string[] | null;
  items: string[] | null;
}

/** The situation's narratives an analyst labelled as denial or downplaying, oldest first. A stance that
 * newer runs carried over is the same assessment: it is suggested once, by the narrative first labelled. */
export async function labelledDenialNarratives(
  db: Queryable,
  situationId: string,
): Promise<LabelledNarrative[]> {
  const rows = await db.query<NarrativeRow>(
    `SELECT n.id, n.run_id, n.label, n.stance, n.stance_note, n.stance_set_at, n.post_count, n.account_count,
       n.first_seen, n.last_seen, n.summary,
       (SELECT array_agg(l.incident_id ORDER BY l.created_at) FROM coordination_links l
         WHERE l.narrative_id = n.id AND l.incident_id IS NOT NULL) AS incidents,
       (SELECT array_agg(l.item_id ORDER BY l.created_at) FROM coordination_links l
         WHERE l.narrative_id = n.id AND l.item_id IS NOT NULL) AS items
     FROM coordination_narratives n
     WHERE n.situation_id = $1 AND n.stance = ANY($2::text[]) AND n.stance_carried_from IS NULL
     ORDER BY n.first_seen NULLS LAST, n.created_at, n.id`,
    [situationId, [...DENIAL_STANCES]],
  );
  return rows.map((r) => ({
    id: r.id,
    runId: r.run_id,
    label: r.label,
    stance: r.stance,
    stanceNote: r.stance_note,
    stanceSetAt: r.stance_set_at,
    posts: r.post_count,
    accounts: r.account_count,
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
    urls: urlsOf(r.summary),
    incidents: r.incidents ?? [],
    items: r.items ?? [],
  }));
}

function urlsOf(summary: Record<string, unknown> | null): string[] {
  const links = summary?.top_links ?? summary?.topLinks ?? summary?.urls;
  if (!Array.isArray(links)) return [];
  return links
    .map((l) => (typeof l === 'string' ? l : (l as { url?: unknown })?.url))
    .filter((u): u is string => typeof u === 'string' && /^https?:\/\//.test(u))
    .slice(0, 5);
}

const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : null);

/** One "denial" stage suggestion per labelled narrative (stable key: a narrative is suggested once). */
export function suggestionsFromCoordination(narratives: LabelledNarrative[]): SuggestionDraft[] {
  return narratives.map((n) => {
    const period = n.firstSeen ? `, ${day(n.firstSeen)} to ${day(n.lastSeen) ?? 'no end seen'}` : '';
    return {
      targetKind: 'stage' as const,
      target: 'denial',
      origin: 'coordination',
      originKey: `coordination:narrative:${n.id}:denial`,
      reason:
        `An analyst labelled the coordinated narrative "${n.label}" as ${n.stance} ` +
        `(${n.posts} posts by ${n.accounts} accounts${period})${n.stanceNote ? `: ${n.stanceNote}` : ''}`,
      startsOn: day(n.firstSeen),
      endsOn: day(n.lastSeen),
      evidence: [
        {
          ref: `coordination-narrative:${n.id}`,
          sources: n.urls.map((url) => ({ url, outlet: null })),
        },
        ...n.incidents.map((id) => ({ ref: `incident:${id}`, sources: [] })),
        ...n.items.map((id) => ({ ref: `item:${id}`, sources: [] })),
      ],
    };
  });
}
