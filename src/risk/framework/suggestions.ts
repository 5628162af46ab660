// Suggestions from other modules' records: never applied by themselves. An analyst accepts or rejects
// each one, and the decision (who, when, why, and where it was applied) is kept.
import { type Actor, requirePermission } from '../../auth/permissions.ts';
import type { Database, Queryable } from '../../db/types.ts';
import { authorOf } from '../../evidence/incidents.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors.ts';
import { type LifelineSignal, lifelineSignals, type SignalRules } from '../../lifeline/signals.ts';
import { getSituation } from '../../situations/service.ts';
import { findIndicator, STAGE_IDS, type StageId } from './catalogue.ts';
import { labelledDenialNarratives, suggestionsFromCoordination } from './coordination.ts';
import type { Suggestion, SuggestionDecision } from './schema.ts';
import { checkLinks, getAssessment, insertStageObservation, STATUS_RANK, upsertMarks } from './service.ts';

/** What the lifeline must show before it suggests anything (issue 8: coverage below 50% for 30 days). */
export const LIFELINE_RULES: SignalRules = {
  coverageBelow: { threshold: 0.5, minDays: 30 },
  closureStarted: true,
  utilityCutLongerThan: { days: 30 },
};

/** Which Framework indicators each kind of lifeline signal suggests (catalogue numbers). */
export const LIFELINE_TARGETS: Record<LifelineSignal['kind'], string[]> = {
  // Life-threatening living conditions; impeded access to supplies indispensable to survival.
  'coverage-below': ['7.10', '13.8'],
  'closure-started': ['13.8'],
  'utility-cut': ['7.10'],
  'utility-cut-stated': ['7.10'],
};

export interface SuggestionDraft {
  targetKind: 'indicator' | 'stage';
  target: string;
  origin: string;
  originKey: string;
  reason: string;
  startsOn: string | null;
  endsOn: string | null;
  evidence: { ref: string; sources: { url: string; outlet: string | null }[] }[];
}

export function suggestionsFromLifeline(signals: LifelineSignal[]): SuggestionDraft[] {
  return signals.flatMap((s) =>
    LIFELINE_TARGETS[s.kind].map((target) => ({
      targetKind: 'indicator' as const,
      target,
      origin: 'lifeline',
      originKey: `lifeline:${s.kind}:${s.subject}:${s.startsOn}:${target}`,
      reason: `${s.message} (lifeline signal ${s.kind}, ${s.startsOn} to ${s.endsOn ?? 'no end reported'})`,
      startsOn: s.startsOn,
      endsOn: s.endsOn,
      evidence: s.evidence.map((e) => ({
        ref: e.ref,
        sources: e.sources.map((src) => ({ url: src.url, outlet: src.outlet ?? null })),
      })),
    })),
  );
}

interface SuggestionRow {
  id: string;
  target_kind: 'indicator' | 'stage';
  target: string;
  origin: string;
  origin_key: string;
  reason: string;
  starts_on: string | null;
  ends_on: string | null;
  evidence: SuggestionDraft['evidence'];
  status: Suggestion['status'];
  decided_by_label: string | null;
  decided_at: Date | null;
  decision_note: string | null;
  applied_to_assessment: string | null;
  created_at: Date;
}

const COLUMNS = `id, target_kind, target, origin, origin_key, reason, starts_on, ends_on, evidence, status,
  decided_by_label, decided_at, decision_note, applied_to_assessment, created_at`;

function fromRow(r: SuggestionRow): Suggestion {
  return {
    id: r.id,
    targetKind: r.target_kind,
    target: r.target,
    origin: r.origin,
    originKey: r.origin_key,
    reason: r.reason,
    startsOn: r.starts_on,
    endsOn: r.ends_on,
    evidence: r.evidence,
    status: r.status,
    decidedBy: r.decided_by_label,
    decidedAt: r.decided_at?.toISOString() ?? null,
    decisionNote: r.decision_note,
    appliedToAssessment: r.applied_to_assessment,
    createdAt: r.created_at.toISOString(),
  };
}

/** Records suggestions not seen before (by origin key); returns the new ones. Never touches an assessment. */
export async function recordSuggestions(
  db: Database,
  situationId: string,
  drafts: SuggestionDraft[],
): Promise<Suggestion[]> {
  for (const d of drafts) {
    if (d.targetKind === 'indicator' && !findIndicator(d.target))
      throw new Error(`unknown indicator ${d.target}`);
    if (d.targetKind === 'stage' && !(STAGE_IDS as readonly string[]).includes(d.target)) {
      throw new Error(`unknown stage ${d.target}`);
    }
  }
  return db.transaction(async (tx) => {
    const created: Suggestion[] = [];
    for (const d of drafts) {
      const rows = await tx.query<SuggestionRow>(
        `INSERT INTO risk_suggestions (situation_id, target_kind, target, origin, origin_key, reason, starts_on, ends_on, evidence)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (situation_id, origin_key) DO NOTHING RETURNING ${COLUMNS}`,
        [
          situationId,
          d.targetKind,
          d.target,
          d.origin,
          d.originKey,
          d.reason,
          d.startsOn,
          d.endsOn,
          JSON.stringify(d.evidence),
        ],
      );
      if (rows[0]) created.push(fromRow(rows[0]));
    }
    return created;
  });
}

/**
 * Asks the other modules what they suggest (the lifeline's signals; the coordination narratives an analyst
 * labelled as denial or downplaying), and records what is new. Sets nothing.
 */
export async function refreshSuggestions(db: Database, actor: Actor, slug: string) {
  requirePermission(actor, 'assessment.write');
  const situation = await getSituation(db, actor, slug, 'assessment.write');
  const signals = await lifelineSignals(db, slug, LIFELINE_RULES, actor);
  const narratives = await labelledDenialNarratives(db, situation.id);
  const created = await recordSuggestions(db, situation.id, [
    ...suggestionsFromLifeline(signals),
    ...suggestionsFromCoordination(narratives),
  ]);
  return { created, signals: signals.length + narratives.length };
}

/** The incidents and evidence items a suggestion's evidence names (`incident:<id>`, `item:<id>`). */
function linkedRecords(evidence: SuggestionDraft['evidence']): { incidents: string[]; items: string[] } {
  const ids = (prefix: string) =>
    evidence.filter((e) => e.ref.startsWith(prefix)).map((e) => e.ref.slice(prefix.length));
  return { incidents: ids('incident:'), items: ids('item:') };
}

export async function listSuggestions(
  db: Queryable,
  actor: Actor,
  slug: string,
  status?: Suggestion['status'],
): Promise<Suggestion[]> {
  const situation = await getSituation(db, actor, slug);
  const rows = await db.query<SuggestionRow>(
    `SELECT ${COLUMNS} FROM risk_suggestions WHERE situation_id = $1 AND ($2::text IS NULL OR status = $2)
     ORDER BY created_at, starts_on, target`,
    [situation.id, status ?? null],
  );
  return rows.map(fromRow);
}

export async function decideSuggestion(
  db: Database,
  actor: Actor,
  slug: string,
  id: string,
  decision: SuggestionDecision,
): Promise<Suggestion> {
  const user = requirePermission(actor, 'assessment.write');
  const situation = await getSituation(db, actor, slug, 'assessment.write');
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFoundError(`suggestion ${id}`);
  const [current] = await db.query<SuggestionRow>(
    `SELECT ${COLUMNS} FROM risk_suggestions WHERE id = $1 AND situation_id = $2`,
    [id, situation.id],
  );
  if (!current) throw new NotFoundError(`suggestion ${id}`);
  if (current.status !== 'pending') {
    throw new ConflictError(`suggestion ${id} was already ${current.status} by ${current.decided_by_label}`);
  }
  const accepted = decision.decision === 'accepted';
  if (!accepted && decision.assessmentId) {
    throw ValidationError.field('assessmentId', 'only an accepted suggestion is applied to an assessment');
  }
  if (current.target_kind === 'stage' && decision.assessmentId) {
    throw ValidationError.field('assessmentId', 'a stage suggestion becomes a stage observation, not a mark');
  }
  const assessment =
    accepted && decision.assessmentId ? await getAssessment(db, actor, slug, decision.assessmentId) : null;
  const links = linkedRecords(current.evidence);
  // A stage observation links the records the suggestion rests on; each is checked as on any write.
  if (accepted && current.target_kind === 'stage') await checkLinks(db, actor, situation, links, 'evidence');
  const label = authorOf(actor).label;
  const row = await db.transaction(async (tx) => {
    const [updated] = await tx.query<SuggestionRow>(
      `UPDATE risk_suggestions SET status = $2, decided_by = $3, decided_by_label = $4, decided_at = now(),
         decision_note = $5, applied_to_assessment = $6
       WHERE id = $1 AND status = 'pending' RETURNING ${COLUMNS}`,
      [id, decision.decision, user.id, label, decision.note ?? null, assessment?.id ?? null],
    );
    if (!updated) throw new ConflictError(`suggestion ${id} was decided meanwhile`);
    if (assessment) {
      const mark = assessment.marks.find((m) => m.indicator === current.target);
      const wanted = decision.status ?? 'present';
      const status = mark && STATUS_RANK[mark.status] > STATUS_RANK[wanted] ? mark.status : wanted;
      const line = `Accepted suggestion (${current.origin}): ${current.reason}`;
      await upsertMarks(
        tx,
        assessment.id,
        [
          {
            indicator: current.target,
            status,
            note: mark?.note ? `${mark.note}\n${line}` : line,
            incidents: mark?.incidents ?? [],
            items: mark?.items ?? [],
          },
        ],
        label,
      );
      await tx.query('UPDATE risk_assessments SET updated_at = now() WHERE id = $1', [assessment.id]);
    }
    if (accepted && current.target_kind === 'stage') {
      await insertStageObservation(
        tx,
        situation.id,
        actor,
        {
          stage: current.target as StageId,
          observedOn: current.starts_on ?? new Date().toISOString().slice(0, 10),
          ...(current.ends_on ? { endsOn: current.ends_on } : {}),
          ...links,
          note: `Accepted suggestion (${current.origin}): ${current.reason}${decision.note ? `\n${decision.note}` : ''}`,
        },
        current.id,
      );
    }
    return updated;
  });
  return fromRow(row);
}
