// Structured risk assessment: dated assessments against the UN Framework of Analysis, their factor
// summaries and diffs, and observations of the ten stages of genocide. Reads follow the situation's
// visibility; writes need `assessment.write`.
import { type Actor, requirePermission } from '../../auth/permissions.ts';
import type { Database, Queryable } from '../../db/types.ts';
import { authorOf, getIncident } from '../../evidence/incidents.ts';
import { getItem } from '../../evidence/items.ts';
import { NotFoundError, ValidationError } from '../../lib/errors.ts';
import { getSituation, type SituationRecord } from '../../situations/service.ts';
import { FRAMEWORK, FRAMEWORK_ID, findIndicator, STAGES, STAGES_SOURCE, type StageId } from './catalogue.ts';
import type {
  Assessment,
  AssessmentCreate,
  AssessmentDiff,
  AssessmentHead,
  AssessmentPatch,
  FactorSummary,
  Mark,
  MarkInput,
  MarkStatus,
  StageObservation,
  StageObservationCreate,
} from './schema.ts';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface AssessmentRow {
  id: string;
  framework: string;
  assessed_on: string;
  title: string;
  summary: string;
  created_by_label: string;
  created_at: Date;
  updated_at: Date;
}

interface MarkRow {
  indicator: string;
  status: MarkStatus;
  note: string;
  incident_ids: string[];
  item_ids: string[];
  updated_by_label: string;
  updated_at: Date;
}

const HEAD_COLUMNS = 'id, framework, assessed_on, title, summary, created_by_label, created_at, updated_at';

function head(row: AssessmentRow, slug: string): AssessmentHead {
  return {
    id: row.id,
    situationSlug: slug,
    framework: row.framework,
    assessedOn: row.assessed_on,
    title: row.title,
    summary: row.summary,
    createdBy: row.created_by_label,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Strength of a status, for summaries and diffs: unknown 0, absent 1, present 2, strongly present 3. */
export const STATUS_RANK: Record<MarkStatus, number> = {
  unknown: 0,
  absent: 1,
  present: 2,
  'strongly-present': 3,
};

/** Every catalogue indicator, in order, with its mark (an indicator never marked is unknown). */
export function fullMarks(rows: MarkRow[]): Mark[] {
  const byId = new Map(rows.map((r) => [r.indicator, r]));
  return FRAMEWORK.flatMap((factor) =>
    factor.indicators.map((indicator): Mark => {
      const row = byId.get(indicator.id);
      return {
        indicator: indicator.id,
        factor: factor.number,
        status: row?.status ?? 'unknown',
        note: row?.note ?? '',
        incidents: row?.incident_ids ?? [],
        items: row?.item_ids ?? [],
        updatedBy: row?.updated_by_label ?? null,
        updatedAt: row?.updated_at.toISOString() ?? null,
      };
    }),
  );
}

export function summarizeFactors(marks: Mark[]): FactorSummary[] {
  return FRAMEWORK.map((factor) => {
    const own = marks.filter((m) => m.factor === factor.number);
    const count = (s: MarkStatus) => own.filter((m) => m.status === s).length;
    const level = own.reduce<MarkStatus>(
      (best, m) => (STATUS_RANK[m.status] > STATUS_RANK[best] ? m.status : best),
      'unknown',
    );
    return {
      factor: factor.number,
      title: factor.title,
      group: factor.group,
      indicators: own.length,
      absent: count('absent'),
      present: count('present'),
      stronglyPresent: count('strongly-present'),
      unknown: count('unknown'),
      level,
    };
  });
}

/** Checks that every linked incident and evidence item exists, may be read, and belongs to the situation. */
export async function checkLinks(
  db: Database,
  actor: Actor,
  situation: SituationRecord,
  links: { incidents?: string[]; items?: string[] },
  field: string,
): Promise<void> {
  for (const id of links.incidents ?? []) {
    const incident = await getIncident(db, actor, id).catch((e: unknown) => {
      if (e instanceof NotFoundError) return null;
      throw e;
    });
    if (!incident || incident.situationSlug !== situation.slug) {
      throw ValidationError.field(
        `${field}.incidents`,
        `incident ${id} is not an incident of ${situation.slug}`,
      );
    }
  }
  for (const id of links.items ?? []) {
    const item = await getItem(db, actor, id).catch((e: unknown) => {
      if (e instanceof NotFoundError) return null;
      throw e;
    });
    if (!item || item.situationSlug !== situation.slug) {
      throw ValidationError.field(
        `${field}.items`,
        `evidence item ${id} is not an item of ${situation.slug}`,
      );
    }
  }
}

async function checkMarks(db: Database, actor: Actor, situation: SituationRecord, marks: MarkInput[]) {
  const seen = new Set<string>();
  for (const [i, mark] of marks.entries()) {
    if (!findIndicator(mark.indicator)) {
      throw ValidationError.field(
        `marks.${i}.indicator`,
        `${mark.indicator} is not an indicator of the Framework catalogue`,
      );
    }
    if (seen.has(mark.indicator)) {
      throw ValidationError.field(`marks.${i}.indicator`, `${mark.indicator} is marked twice`);
    }
    seen.add(mark.indicator);
    await checkLinks(db, actor, situation, mark, `marks.${i}`);
  }
}

export async function upsertMarks(tx: Queryable, assessmentId: string, marks: MarkInput[], label: string) {
  for (const m of marks) {
    await tx.query(
      `INSERT INTO risk_assessment_marks (assessment_id, indicator, status, note, incident_ids, item_ids, updated_by_label)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (assessment_id, indicator) DO UPDATE SET status = EXCLUDED.status, note = EXCLUDED.note,
         incident_ids = EXCLUDED.incident_ids, item_ids = EXCLUDED.item_ids,
         updated_by_label = EXCLUDED.updated_by_label, updated_at = now()`,
      [assessmentId, m.indicator, m.status, m.note ?? '', m.incidents ?? [], m.items ?? [], label],
    );
  }
}

async function findAssessmentRow(db: Queryable, situationId: string, id: string): Promise<AssessmentRow> {
  if (!UUID_RE.test(id)) throw new NotFoundError(`assessment ${id}`);
  const [row] = await db.query<AssessmentRow>(
    `SELECT ${HEAD_COLUMNS} FROM risk_assessments WHERE id = $1 AND situation_id = $2`,
    [id, situationId],
  );
  if (!row) throw new NotFoundError(`assessment ${id}`);
  return row;
}

async function marksOf(db: Queryable, assessmentId: string): Promise<MarkRow[]> {
  return db.query<MarkRow>(
    `SELECT indicator, status, note, incident_ids, item_ids, updated_by_label, updated_at
     FROM risk_assessment_marks WHERE assessment_id = $1`,
    [assessmentId],
  );
}

async function load(db: Queryable, situation: SituationRecord, id: string): Promise<Assessment> {
  const row = await findAssessmentRow(db, situation.id, id);
  const marks = fullMarks(await marksOf(db, row.id));
  return { ...head(row, situation.slug), marks, factors: summarizeFactors(marks) };
}

export async function listAssessments(
  db: Queryable,
  actor: Actor,
  slug: string,
): Promise<(AssessmentHead & { factors: FactorSummary[] })[]> {
  const situation = await getSituation(db, actor, slug);
  const rows = await db.query<AssessmentRow>(
    `SELECT ${HEAD_COLUMNS} FROM risk_assessments WHERE situation_id = $1 ORDER BY assessed_on, created_at`,
    [situation.id],
  );
  const out = [];
  for (const row of rows) {
    out.push({ ...head(row, slug), factors: summarizeFactors(fullMarks(await marksOf(db, row.id))) });
  }
  return out;
}

export async function getAssessment(
  db: Queryable,
  actor: Actor,
  slug: string,
  id: string,
): Promise<Assessment> {
  const situation = await getSituation(db, actor, slug);
  return load(db, situation, id);
}

export async function createAssessment(
  db: Database,
  actor: Actor,
  slug: string,
  input: AssessmentCreate,
): Promise<Assessment> {
  const user = requirePermission(actor, 'assessment.write');
  const situation = await getSituation(db, actor, slug, 'assessment.write');
  const marks = input.marks ?? [];
  await checkMarks(db, actor, situation, marks);
  const label = authorOf(actor).label;
  const id = await db.transaction(async (tx) => {
    const [row] = await tx.query<{ id: string }>(
      `INSERT INTO risk_assessments (situation_id, framework, assessed_on, title, summary, created_by, created_by_label)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [situation.id, FRAMEWORK_ID, input.assessedOn, input.title ?? '', input.summary ?? '', user.id, label],
    );
    const newId = row!.id;
    if (input.copyFrom) {
      const source = await findAssessmentRow(tx, situation.id, input.copyFrom).catch((e: unknown) => {
        if (e instanceof NotFoundError)
          throw ValidationError.field('copyFrom', `no assessment ${input.copyFrom} of ${slug}`);
        throw e;
      });
      await tx.query(
        `INSERT INTO risk_assessment_marks (assessment_id, indicator, status, note, incident_ids, item_ids, updated_by_label)
         SELECT $1, indicator, status, note, incident_ids, item_ids, $3 FROM risk_assessment_marks WHERE assessment_id = $2`,
        [newId, source.id, label],
      );
    }
    await upsertMarks(tx, newId, marks, label);
    return newId;
  });
  return load(db, situation, id);
}

export async function updateAssessment(
  db: Database,
  actor: Actor,
  slug: string,
  id: string,
  patch: AssessmentPatch,
): Promise<Assessment> {
  requirePermission(actor, 'assessment.write');
  const situation = await getSituation(db, actor, slug, 'assessment.write');
  const current = await findAssessmentRow(db, situation.id, id);
  const marks = patch.marks ?? [];
  await checkMarks(db, actor, situation, marks);
  const label = authorOf(actor).label;
  await db.transaction(async (tx) => {
    await tx.query(
      `UPDATE risk_assessments SET assessed_on = $2, title = $3, summary = $4, updated_at = now() WHERE id = $1`,
      [
        current.id,
        patch.assessedOn ?? current.assessed_on,
        patch.title ?? current.title,
        patch.summary ?? current.summary,
      ],
    );
    await upsertMarks(tx, current.id, marks, label);
  });
  return load(db, situation, id);
}

const minus = (a: string[], b: string[]) => a.filter((x) => !b.includes(x));

export function diffMarks(from: Assessment, to: Assessment): Pick<AssessmentDiff, 'changes' | 'factors'> {
  const before = new Map(from.marks.map((m) => [m.indicator, m]));
  const changes: AssessmentDiff['changes'] = [];
  for (const after of to.marks) {
    const prior = before.get(after.indicator);
    if (!prior) continue;
    const added = {
      incidents: minus(after.incidents, prior.incidents),
      items: minus(after.items, prior.items),
    };
    const removed = {
      incidents: minus(prior.incidents, after.incidents),
      items: minus(prior.items, after.items),
    };
    const noteChanged = prior.note !== after.note;
    const linksChanged = [added, removed].some((l) => l.incidents.length + l.items.length > 0);
    if (prior.status === after.status && !noteChanged && !linksChanged) continue;
    const known = prior.status !== 'unknown' && after.status !== 'unknown';
    const delta = STATUS_RANK[after.status] - STATUS_RANK[prior.status];
    changes.push({
      indicator: after.indicator,
      factor: after.factor,
      from: prior.status,
      to: after.status,
      direction: !known || delta === 0 ? 'changed' : delta > 0 ? 'up' : 'down',
      noteChanged,
      linksAdded: added,
      linksRemoved: removed,
    });
  }
  const factors = to.factors
    .map((f, i) => ({ factor: f.factor, title: f.title, from: from.factors[i]!.level, to: f.level }))
    .filter((f) => f.from !== f.to);
  return { changes, factors };
}

export async function diffAssessments(
  db: Queryable,
  actor: Actor,
  slug: string,
  fromId: string,
  toId: string,
): Promise<AssessmentDiff> {
  const situation = await getSituation(db, actor, slug);
  const from = await load(db, situation, fromId);
  const to = await load(db, situation, toId);
  const strip = ({ marks: _m, factors: _f, ...rest }: Assessment): AssessmentHead => rest;
  return { from: strip(from), to: strip(to), ...diffMarks(from, to) };
}

// The ten stages of genocide.

interface StageRow {
  id: string;
  stage: StageId;
  observed_on: string;
  ends_on: string | null;
  note: string;
  incident_ids: string[];
  item_ids: string[];
  suggestion_id: string | null;
  created_by_label: string;
  created_at: Date;
}

function stageFromRow(r: StageRow): StageObservation {
  return {
    id: r.id,
    stage: r.stage,
    observedOn: r.observed_on,
    endsOn: r.ends_on,
    note: r.note,
    incidents: r.incident_ids,
    items: r.item_ids,
    suggestionId: r.suggestion_id,
    createdBy: r.created_by_label,
    createdAt: r.created_at.toISOString(),
  };
}

export async function listStages(db: Queryable, actor: Actor, slug: string) {
  const situation = await getSituation(db, actor, slug);
  const rows = await db.query<StageRow>(
    `SELECT id, stage, observed_on, ends_on, note, incident_ids, item_ids, suggestion_id, created_by_label, created_at
     FROM genocide_stage_observations WHERE situation_id = $1 ORDER BY observed_on, created_at`,
    [situation.id],
  );
  const observations = rows.map(stageFromRow);
  return {
    source: STAGES_SOURCE,
    stages: STAGES.map((s) => ({
      id: s.id,
      order: s.order,
      name: s.name,
      text: s.text,
      observations: observations.filter((o) => o.stage === s.id),
    })),
  };
}

export async function insertStageObservation(
  tx: Queryable,
  situationId: string,
  actor: Actor,
  input: StageObservationCreate,
  suggestionId: string | null = null,
): Promise<StageObservation> {
  if (input.endsOn && input.endsOn < input.observedOn) {
    throw ValidationError.field('endsOn', 'must not be before observedOn');
  }
  const author = authorOf(actor);
  const [row] = await tx.query<StageRow>(
    `INSERT INTO genocide_stage_observations (situation_id, stage, observed_on, ends_on, note, incident_ids, item_ids,
       suggestion_id, created_by, created_by_label)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     RETURNING id, stage, observed_on, ends_on, note, incident_ids, item_ids, suggestion_id, created_by_label, created_at`,
    [
      situationId,
      input.stage,
      input.observedOn,
      input.endsOn ?? null,
      input.note,
      input.incidents ?? [],
      input.items ?? [],
      suggestionId,
      author.userId,
      author.label,
    ],
  );
  return stageFromRow(row!);
}

export async function createStageObservation(
  db: Database,
  actor: Actor,
  slug: string,
  input: StageObservationCreate,
): Promise<StageObservation> {
  requirePermission(actor, 'assessment.write');
  const situation = await getSituation(db, actor, slug, 'assessment.write');
  await checkLinks(db, actor, situation, input, '(body)');
  return insertStageObservation(db, situation.id, actor, input);
}

export async function deleteStageObservation(db: Queryable, actor: Actor, slug: string, id: string) {
  requirePermission(actor, 'assessment.write');
  const situation = await getSituation(db, actor, slug, 'assessment.write');
  if (!UUID_RE.test(id)) throw new NotFoundError(`stage observation ${id}`);
  const rows = await db.query(
    'DELETE FROM genocide_stage_observations WHERE id = $1 AND situation_id = $2 RETURNING id',
    [id, situation.id],
  );
  if (rows.length === 0) throw new NotFoundError(`stage observation ${id}`);
}
