// Supply observations: what crossed into a situation's area, as sources report it. The lifeline
// module grows these into flows, needs and metrics; for now they are stored and listed as given.
import type { Queryable } from '../db/types.ts';
import { type DatePrecision, formatPartialDate } from '../lib/dates.ts';

export interface SupplyObservationInput {
  externalRef: string | null;
  observedOn: string;
  observedPrecision: DatePrecision;
  metric: string;
  valueText: string;
  valueLow: number | null;
  valueHigh: number | null;
  unit: string;
  qualifier: string | null;
  description: string;
  sources: { url: string; outlet: string | null }[];
}

export interface SupplyObservation extends Omit<SupplyObservationInput, 'observedOn'> {
  id: string;
  observedOn: string;
}

export async function insertSupplyObservation(tx: Queryable, situationId: string, o: SupplyObservationInput) {
  await tx.query(
    `INSERT INTO supply_observations (situation_id, external_ref, observed_on, observed_precision, metric, value_text,
       value_low, value_high, unit, qualifier, description, sources)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [
      situationId,
      o.externalRef,
      o.observedOn,
      o.observedPrecision,
      o.metric,
      o.valueText,
      o.valueLow,
      o.valueHigh,
      o.unit,
      o.qualifier,
      o.description,
      JSON.stringify(o.sources),
    ],
  );
}

export async function listSupplyObservations(
  db: Queryable,
  situationId: string,
): Promise<SupplyObservation[]> {
  const rows = await db.query<{
    id: string;
    external_ref: string | null;
    observed_on: string;
    observed_precision: DatePrecision;
    metric: string;
    value_text: string;
    value_low: number | null;
    value_high: number | null;
    unit: string;
    qualifier: string | null;
    description: string;
    sources: SupplyObservation['sources'];
  }>(
    `SELECT id, external_ref, observed_on, observed_precision, metric, value_text, value_low, value_high, unit,
       qualifier, description, sources FROM supply_observations WHERE situation_id = $1
     ORDER BY observed_on, external_ref, id`,
    [situationId],
  );
  return rows.map((r) => ({
    id: r.id,
    externalRef: r.external_ref,
    observedOn: formatPartialDate(r.observed_on, r.observed_precision),
    observedPrecision: r.observed_precision,
    metric: r.metric,
    valueText: r.value_text,
    valueLow: r.value_low,
    valueHigh: r.value_high,
    unit: r.unit,
    qualifier: r.qualifier,
    description: r.description,
    sources: r.sources,
  }));
}
