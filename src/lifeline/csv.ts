// Lifeline observations as CSV (docs/lifeline.md): a header row of column names, then a row of HXL
// hashtags (https://hxlstandard.org), then one observation per row. Import and export use the same format.
import { parse } from 'csv-parse/sync';
import { type FieldError, ValidationError } from '../lib/errors.ts';
import { parseWith } from '../lib/schema.ts';
import type { FlowObservation } from './metrics.ts';
import { ObservationInput } from './schema.ts';

export const CSV_COLUMNS = [
  ['ref', '#meta+id'],
  ['period_start', '#date+start'],
  ['period_end', '#date+end'],
  ['route', '#loc+route'],
  ['commodity', '#item+type'],
  ['quantity', '#value+quantity'],
  ['unit', '#value+unit'],
  ['tonnes_per_truckload', '#value+tonnes_per_truckload'],
  ['qualifier', '#value+qualifier'],
  ['carriers', '#org+carrier'],
  ['direction', '#meta+direction'],
  ['outcome', '#status+outcome'],
  ['confidence', '#meta+confidence'],
  ['stated_expected', '#value+expected'],
  ['reported_on', '#date+reported'],
  ['derived_from', '#meta+derived_from'],
  ['note', '#description+note'],
  ['sources', '#meta+source+url'],
  ['outlets', '#meta+source+name'],
] as const;
const TAGS = new Map<string, string>(CSV_COLUMNS);
const REQUIRED = ['period_start', 'commodity', 'quantity', 'unit', 'direction', 'confidence', 'sources'];
const LIST = ' | ';

export interface ParsedCsv {
  inputs: ObservationInput[];
  /** The file line of each input, for messages ("line 7"). */
  lines: number[];
}

/** Parses a lifeline CSV; every bad row is reported with its line and reason, and then nothing is kept. */
export function parseObservationsCsv(text: string): ParsedCsv {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { info: true, bom: true, skip_empty_lines: true }) as unknown as typeof records;
  } catch (error) {
    const e = error as Error & { lines?: number };
    throw ValidationError.field(`line ${e.lines ?? '?'}`, e.message);
  }
  const [header, hxl, ...rows] = records;
  if (!header || !hxl)
    throw ValidationError.field('line 1', 'a header row and a row of HXL hashtags are required');
  const names = header.record.map((h) => h.trim());
  const errors: FieldError[] = [];
  names.forEach((name, i) => {
    const tag = TAGS.get(name);
    const given = (hxl.record[i] ?? '').trim().toLowerCase().replace(/\s+/g, '');
    if (!tag) errors.push({ field: 'line 1', message: `unknown column "${name}"` });
    else if (given !== tag)
      errors.push({ field: 'line 2', message: `column ${name} needs the HXL hashtag ${tag}` });
  });
  for (const r of REQUIRED)
    if (!names.includes(r)) errors.push({ field: 'line 1', message: `missing column "${r}"` });
  if (errors.length) throw new ValidationError(errors);

  const inputs: ObservationInput[] = [];
  const lines: number[] = [];
  for (const { record, info } of rows) {
    const line = info.lines;
    const cell = (name: string) => {
      const i = names.indexOf(name);
      const v = i < 0 ? '' : (record[i] ?? '').trim();
      return v === '' ? undefined : v;
    };
    const num = (name: string) => {
      const v = cell(name);
      if (v === undefined) return undefined;
      const n = Number(v.replaceAll(',', ''));
      if (!Number.isFinite(n))
        errors.push({ field: `line ${line}.${name}`, message: `"${v}" is not a number` });
      return n;
    };
    const urls = cell('sources')?.split(LIST) ?? [];
    const outlets = cell('outlets')?.split(LIST) ?? [];
    if (outlets.length && outlets.length !== urls.length)
      errors.push({
        field: `line ${line}.outlets`,
        message: `${outlets.length} names for ${urls.length} sources`,
      });
    const candidate = {
      ref: cell('ref'),
      periodStart: cell('period_start'),
      periodEnd: cell('period_end'),
      route: cell('route'),
      commodity: cell('commodity'),
      quantity: num('quantity'),
      unit: cell('unit'),
      tonnesPerTruckload: num('tonnes_per_truckload'),
      qualifier: cell('qualifier'),
      carriers: cell('carriers')?.split(LIST),
      direction: cell('direction'),
      outcome: cell('outcome'),
      confidence: cell('confidence'),
      statedExpected: num('stated_expected'),
      reportedOn: cell('reported_on'),
      note: cell('note'),
      sources: urls.map((url, i) => ({ url: url.trim(), outlet: outlets[i]?.trim() || null })),
    };
    const clean = Object.fromEntries(Object.entries(candidate).filter(([, v]) => v !== undefined));
    try {
      inputs.push(parseWith(ObservationInput, clean, `line ${line}`));
      lines.push(line);
    } catch (error) {
      if (error instanceof ValidationError) errors.push(...error.errors);
      else throw error;
    }
  }
  if (errors.length) throw new ValidationError(errors);
  return { inputs, lines };
}

const quote = (value: string | number | null | undefined): string => {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

/** Observations as CSV in the import format (normalised quantities: t, l, persons, vehicles). */
export function observationsToCsv(observations: FlowObservation[]): string {
  const lines = [CSV_COLUMNS.map(([n]) => n).join(','), CSV_COLUMNS.map(([, t]) => t).join(',')];
  for (const o of observations) {
    const values: Record<string, string | number | null> = {
      ref: o.ref,
      period_start: o.periodStart,
      period_end: o.periodEnd,
      route: o.route,
      commodity: o.commodity,
      quantity: o.quantity,
      unit: o.unit,
      tonnes_per_truckload: null,
      qualifier: o.qualifier,
      carriers: o.carriers.join(LIST),
      direction: o.direction,
      outcome: o.outcome,
      confidence: o.confidence,
      stated_expected: o.statedExpected,
      reported_on: o.reportedOn,
      derived_from: o.derivedFrom.join(LIST),
      note: [o.note, o.conversion ? `Converted: ${o.conversion}.` : ''].filter(Boolean).join(' '),
      sources: o.sources.map((s) => s.url).join(LIST),
      outlets: o.sources.every((s) => s.outlet) ? o.sources.map((s) => s.outlet).join(LIST) : '',
    };
    lines.push(CSV_COLUMNS.map(([n]) => quote(values[n])).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
