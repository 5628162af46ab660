// Analysts' stances carry over to newer runs: when a run's narratives are stored, each one takes the
// stance (and note, author and date) of the most recently assessed narrative of an earlier run of the same
// situation whose text is near-identical, by the same word-set Jaccard as the engine's own text clusters.
// The newer narrative names the assessment it came from; an analyst who sets its stance replaces it.
import type { Queryable } from '../db/types.ts';
import { textWords, wordSetJaccard } from './normalize.ts';

interface AssessedRow {
  id: string;
  label: string;
  stance: string;
  stance_note: string | null;
  stance_set_by: string | null;
  stance_set_at: Date | null;
  stance_carried_from: string | null;
}

/** Carries stances into the narratives of `runId`; returns how many narratives took one. */
export async function carryStances(
  tx: Queryable,
  situationId: string,
  runId: string,
  threshold: number,
): Promise<number> {
  const assessed = await tx.query<AssessedRow>(
    `SELECT id, label, stance, stance_note, stance_set_by, stance_set_at, stance_carried_from
     FROM coordination_narratives
     WHERE situation_id = $1 AND run_id <> $2 AND stance <> 'unassessed'
     ORDER BY stance_set_at DESC NULLS LAST, created_at DESC, id`,
    [situationId, runId],
  );
  if (assessed.length === 0) return 0;
  const earlier = assessed.map((row) => ({ row, words: new Set(textWords(row.label)) }));
  const fresh = await tx.query<{ id: string; label: string }>(
    'SELECT id, label FROM coordination_narratives WHERE run_id = $1 ORDER BY number',
    [runId],
  );
  let carried = 0;
  for (const narrative of fresh) {
    const words = new Set(textWords(narrative.label));
    const source = earlier.find((e) => wordSetJaccard(words, e.words) >= threshold)?.row;
    if (!source) continue;
    await tx.query(
      `UPDATE coordination_narratives SET stance = $2, stance_note = $3, stance_set_by = $4, stance_set_at = $5,
         stance_carried_from = $6
       WHERE id = $1`,
      [
        narrative.id,
        source.stance,
        source.stance_note,
        source.stance_set_by,
        source.stance_set_at,
        source.stance_carried_from ?? source.id,
      ],
    );
    carried++;
  }
  return carried;
}
