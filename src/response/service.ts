// Response measures (sanctions, aid, boycotts, legal proceedings…) as sources report them. The response
// module grows these into a status vocabulary with history; for now the source's own wording is kept.
import type { Queryable } from '../db/types.ts';
import { type DatePrecision, formatPartialDate } from '../lib/dates.ts';

export interface MeasureInput {
  externalRef: string | null;
  kind: string;
  actor: string;
  target: string;
  title: string;
  statusText: string;
  date: string | null;
  datePrecision: DatePrecision | null;
  description: string;
  sources: { url: string; outlet: string | null }[];
}

export interface Measure extends MeasureInput {
  id: string;
}

export async function insertMeasure(tx: Queryable, situationId: string, m: MeasureInput): Promise<void> {
  await tx.query(
    `INSERT INTO measures (situation_id, external_ref, kind, actor, target, title, status_text, measure_date,
       measure_precision, description, sources)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [
      situationId,
      m.externalRef,
      m.kind,
      m.actor,
      m.target,
      m.title,
      m.statusText,
      m.date,
      m.datePrecision,
      m.description,
      JSON.stringify(m.sources),
    ],
  );
}

export async function listMeasures(db: Queryable, situationId: string): Promise<Measure[]> {
  const rows = await db.query<{
    id: string;
    external_ref: string | null;
    kind: string;
    actor: string;
    target: string;
    title: string;
    status_text: string;
    measure_date: string | null;
    measure_precision: DatePrecision | null;
    description: string;
    sources: Measure['sources'];
  }>(
    `SELECT id, external_ref, kind, actor, target, title, status_text, measure_date, measure_precision, description,
       sources FROM measures WHERE situation_id = $1 ORDER BY measure_date NULLS LAST, external_ref, id`,
    [situationId],
  );
  return rows.map((r) => ({
    id: r.id,
    externalRef: r.external_ref,
    kind: r.kind,
    actor: r.actor,
    target: r.target,
    title: r.title,
    statusText: r.status_text,
    date:
      r.measure_date && r.measure_precision ? formatPartialDate(r.measure_date, r.measure_precision) : null,
    datePrecision: r.measure_precision,
    description: r.description,
    sources: r.sources,
  }));
}
