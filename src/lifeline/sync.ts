// Brings the stored derived lifeline records in line with a derivation plan: adds what is new, updates what
// changed, removes what the rows no longer give, and says which. Records are matched by ref; only records
// that name the rows they come from (derived_from) are touched, so records entered by hand never are.
import type { Queryable } from '../db/types.ts';
import type { DerivationPlan } from './derive.ts';

export interface ChangeList {
  added: string[];
  updated: string[];
  removed: string[];
  unchanged: number;
}

export interface PlanApplied {
  observations: ChangeList;
  models: ChangeList;
  population: ChangeList;
  disruptions: ChangeList;
  stocks: ChangeList;
  /** Hand-entered records that share a ref with a derived one: left as they are, the derived one not written. */
  kept: { ref: string; reason: string }[];
  changed: boolean;
}

type Row = Record<string, unknown>;
interface Spec<T> {
  table: string;
  /** Column → value of a planned record, in a fixed order (external_ref and derived_from included). */
  columns: (r: T) => Row;
  /** Written before others (e.g. deselected needs models before the selected one, for the unique index). */
  first?: (r: T) => boolean;
}

const JSONB = new Set(['sources']);

const sourcesOut = (s: { url: string; outlet?: string | null }[]) =>
  s.map((x) => ({ url: x.url, outlet: x.outlet ?? null }));

/** One canonical text for a column value, so a planned and a stored value compare equal when they are. */
function canonical(column: string, value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (JSONB.has(column)) return JSON.stringify(sourcesOut(value as { url: string }[]));
  if (Array.isArray(value)) return JSON.stringify(value);
  return JSON.stringify(value);
}

const param = (column: string, value: unknown) =>
  JSONB.has(column) ? JSON.stringify(sourcesOut(value as { url: string }[])) : (value ?? null);

async function applyKind<T>(
  tx: Queryable,
  situationId: string,
  spec: Spec<T>,
  planned: T[],
  kept: PlanApplied['kept'],
): Promise<ChangeList> {
  const out: ChangeList = { added: [], updated: [], removed: [], unchanged: 0 };
  const rowsPlanned = planned.map((p) => ({ row: spec.columns(p), first: spec.first?.(p) ?? false }));
  const columns = Object.keys(rowsPlanned[0]?.row ?? spec.columns({} as T));
  const keyOf = (r: Row) => (r.external_ref as string | null) ?? (r.derived_from as string[]).join('+');
  const stored = await tx.query<Row & { id: string }>(
    `SELECT id, ${columns.join(', ')} FROM ${spec.table} WHERE situation_id = $1 AND cardinality(derived_from) > 0`,
    [situationId],
  );
  const byKey = new Map(stored.map((r) => [keyOf(r), r]));
  const refs = rowsPlanned.map((p) => p.row.external_ref).filter((r): r is string => typeof r === 'string');
  const handRefs = new Set(
    (
      await tx.query<{ external_ref: string }>(
        `SELECT external_ref FROM ${spec.table}
         WHERE situation_id = $1 AND cardinality(derived_from) = 0 AND external_ref = ANY($2::text[])`,
        [situationId, refs],
      )
    ).map((r) => r.external_ref),
  );
  const plannedKeys = new Set(rowsPlanned.map((p) => keyOf(p.row)));
  // Removals first, then the records written first (deselections), then the others.
  for (const r of stored) {
    if (plannedKeys.has(keyOf(r))) continue;
    await tx.query(`DELETE FROM ${spec.table} WHERE id = $1`, [r.id]);
    out.removed.push(keyOf(r));
  }
  const ordered = [...rowsPlanned.filter((p) => p.first), ...rowsPlanned.filter((p) => !p.first)];
  for (const { row } of ordered) {
    const key = keyOf(row);
    if (handRefs.has(key)) {
      kept.push({
        ref: key,
        reason: `a ${spec.table.replace('lifeline_', '')} record with this ref was entered by hand; it is kept and the derived one is not written`,
      });
      continue;
    }
    const current = byKey.get(key);
    if (!current) {
      await tx.query(
        `INSERT INTO ${spec.table} (situation_id, ${columns.join(', ')})
         VALUES ($1, ${columns.map((_, i) => `$${i + 2}`).join(', ')})`,
        [situationId, ...columns.map((c) => param(c, row[c]))],
      );
      out.added.push(key);
    } else if (columns.some((c) => canonical(c, current[c]) !== canonical(c, row[c]))) {
      await tx.query(
        `UPDATE ${spec.table} SET ${columns.map((c, i) => `${c} = $${i + 2}`).join(', ')} WHERE id = $1`,
        [current.id, ...columns.map((c) => param(c, row[c]))],
      );
      out.updated.push(key);
    } else out.unchanged++;
  }
  return out;
}

/**
 * Marks every observation of the situation that overlaps another of the same scope (the test of
 * metrics.conflicts()), and clears the mark on those that no longer do. Only rows whose mark changes are
 * written, so the per-day totals (0010) move only for them.
 */
export async function refreshOverlaps(tx: Queryable, situationId: string): Promise<number> {
  const rows = await tx.query<{ id: string }>(
    `UPDATE lifeline_observations o SET overlapping = x.overlaps
     FROM (
       SELECT a.id, EXISTS (
         SELECT 1 FROM lifeline_observations b
         WHERE b.situation_id = a.situation_id AND b.id <> a.id
           AND daterange(b.period_start, b.period_end, '[]') && daterange(a.period_start, a.period_end, '[]')
           AND b.unit = a.unit AND b.direction = a.direction AND b.outcome = a.outcome
           AND (b.commodity = a.commodity OR b.commodity = 'cargo' OR a.commodity = 'cargo')
           AND (b.route IS NULL OR a.route IS NULL OR b.route = a.route)
           AND (cardinality(b.carriers) = 0 OR cardinality(a.carriers) = 0 OR b.carriers && a.carriers)
       ) AS overlaps
       FROM lifeline_observations a WHERE a.situation_id = $1
     ) x
     WHERE o.id = x.id AND o.overlapping <> x.overlaps
     RETURNING o.id`,
    [situationId],
  );
  return rows.length;
}

export async function applyPlan(
  tx: Queryable,
  situationId: string,
  plan: DerivationPlan,
): Promise<PlanApplied> {
  const kept: PlanApplied['kept'] = [];
  const observations = await applyKind(
    tx,
    situationId,
    {
      table: 'lifeline_observations',
      columns: (o: DerivationPlan['observations'][number]) => ({
        external_ref: o.ref,
        derived_from: o.derivedFrom,
        period_start: o.periodStart,
        period_end: o.periodEnd,
        route: o.route,
        commodity: o.commodity,
        quantity: o.quantity,
        unit: o.unit,
        quantity_given: o.quantityGiven,
        unit_given: o.unitGiven,
        conversion: o.conversion,
        qualifier: o.qualifier,
        carriers: o.carriers,
        direction: o.direction,
        outcome: o.outcome,
        confidence: o.confidence,
        stated_expected: o.statedExpected,
        reported_on: o.reportedOn,
        note: o.note,
        sources: o.sources,
      }),
    },
    plan.observations,
    kept,
  );
  const models = await applyKind(
    tx,
    situationId,
    {
      table: 'lifeline_needs',
      columns: (m: DerivationPlan['needs'][number]) => ({
        external_ref: m.ref,
        derived_from: m.derivedFrom,
        commodity: m.commodity,
        model: m.model,
        rate: m.rate,
        rate_high: m.rateHigh,
        unit: m.unit,
        valid_from: m.validFrom,
        valid_to: m.validTo,
        selected: m.selected,
        label: m.label,
        assumptions: m.assumptions,
        sources: m.sources,
      }),
      first: (m) => !m.selected,
    },
    plan.needs,
    kept,
  );
  const population = await applyKind(
    tx,
    situationId,
    {
      table: 'lifeline_population',
      columns: (p: DerivationPlan['population'][number]) => ({
        external_ref: p.ref,
        derived_from: p.derivedFrom,
        on_date: p.onDate,
        persons: p.persons,
        persons_high: p.personsHigh,
        qualifier: p.qualifier,
        note: p.note,
        sources: p.sources,
      }),
    },
    plan.population,
    kept,
  );
  const disruptions = await applyKind(
    tx,
    situationId,
    {
      table: 'lifeline_disruptions',
      columns: (d: DerivationPlan['disruptions'][number]) => ({
        external_ref: d.ref,
        derived_from: d.derivedFrom,
        kind: d.kind,
        status: d.status,
        route: d.route,
        basis: d.basis,
        starts_on: d.startsOn,
        ends_on: d.endsOn,
        ends_on_alternative: d.endsOnAlternative,
        confirmed_until: d.confirmedUntil,
        stated_days: d.statedDays,
        confidence: d.confidence,
        note: d.note,
        sources: d.sources,
      }),
    },
    plan.disruptions,
    kept,
  );
  const stocks = await applyKind(
    tx,
    situationId,
    {
      table: 'lifeline_stocks',
      columns: (s: DerivationPlan['stocks'][number]) => ({
        external_ref: s.ref,
        derived_from: s.derivedFrom,
        commodity: s.commodity,
        on_date: s.onDate,
        quantity: s.quantity,
        unit: s.unit,
        consumption_per_day: s.consumptionPerDay,
        unusable_below: s.unusableBelow,
        note: s.note,
        sources: s.sources,
      }),
    },
    plan.stocks,
    kept,
  );
  const lists = [observations, models, population, disruptions, stocks];
  const changed = lists.some((l) => l.added.length + l.updated.length + l.removed.length > 0);
  if (observations.added.length + observations.updated.length + observations.removed.length)
    await refreshOverlaps(tx, situationId);
  return { observations, models, population, disruptions, stocks, kept, changed };
}
