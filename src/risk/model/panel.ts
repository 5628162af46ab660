// The country-year panel: a CSV with a unit column, a time column (whole years), a binary outcome and
// numeric predictors. Missing values (`NA`, `N/A`, `NaN`, `.`, blank) become NaN here and are handled
// explicitly later (impute.ts); they never become zeros. See docs/risk-model.md.
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { PanelError } from './errors.ts';

export const MISSING_TOKENS: readonly string[] = ['', 'NA', 'N/A', 'NaN', 'nan', 'na', '.', 'null', 'NULL'];
const MISSING = new Set(MISSING_TOKENS);

export interface PanelColumns {
  unit: string;
  time: string;
  outcome: string;
  /** Predictor columns; default: every other column except `exclude`. */
  predictors?: string[];
  exclude?: string[];
}

export interface Panel {
  unitColumn: string;
  timeColumn: string;
  outcomeColumn: string;
  predictors: string[];
  /** Per row (in file order). */
  units: string[];
  times: Int32Array;
  /** 0 or 1, NaN when the outcome is not (yet) known. */
  y: Float64Array;
  /** One column per predictor, NaN where missing. */
  x: Float64Array[];
  /** Line of each row in the file (1 = header), for messages. */
  lines: Int32Array;
}

export function rowCount(panel: Panel): number {
  return panel.times.length;
}

export function readPanelFile(path: string, columns: PanelColumns): Panel {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new PanelError('panel', `cannot read ${path}: ${(err as Error).message}`);
  }
  return parsePanel(text, columns, path);
}

function isMissing(v: string): boolean {
  return MISSING.has(v.trim());
}

/** Parses panel CSV text; throws PanelError naming the column, row or line at fault. */
export function parsePanel(text: string, columns: PanelColumns, source = 'panel'): Panel {
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, trim: true }) as string[][];
  } catch (err) {
    throw new PanelError('panel', `${source} is not valid CSV: ${(err as Error).message}`);
  }
  const header = records[0];
  if (!header || header.length === 0) throw new PanelError('panel', `${source} is empty (no header row)`);
  const index = new Map<string, number>();
  header.forEach((name, i) => {
    if (index.has(name))
      throw new PanelError('panel', `${source}: column '${name}' appears twice in the header`);
    index.set(name, i);
  });
  const need = (name: string, role: string): number => {
    const i = index.get(name);
    if (i === undefined) {
      throw new PanelError(
        role,
        `${source} has no column '${name}' (the ${role} column); its columns are: ${header.join(', ')}`,
      );
    }
    return i;
  };
  const unitIdx = need(columns.unit, 'unit');
  const timeIdx = need(columns.time, 'time');
  const outIdx = need(columns.outcome, 'outcome');
  const special = new Set([columns.unit, columns.time, columns.outcome]);
  let predictors: string[];
  if (columns.predictors && columns.predictors.length > 0) {
    predictors = columns.predictors;
    for (const p of predictors) {
      need(p, 'predictor');
      if (special.has(p)) throw new PanelError('predictor', `'${p}' is the unit, time or outcome column`);
    }
  } else {
    const exclude = new Set(columns.exclude ?? []);
    for (const e of exclude) need(e, 'excluded');
    predictors = header.filter((h) => !special.has(h) && !exclude.has(h));
  }
  if (predictors.length === 0) throw new PanelError('predictor', `${source} has no predictor columns`);
  const predIdx = predictors.map((p) => need(p, 'predictor'));

  const n = records.length - 1;
  if (n === 0) throw new PanelError('panel', `${source} has a header but no rows`);
  const units: string[] = new Array(n);
  const times = new Int32Array(n);
  const y = new Float64Array(n);
  const x = predictors.map(() => new Float64Array(n));
  const lines = new Int32Array(n);
  const seen = new Map<string, number>();
  for (let r = 0; r < n; r++) {
    const rec = records[r + 1] as string[];
    const line = r + 2;
    lines[r] = line;
    const unit = rec[unitIdx] ?? '';
    if (isMissing(unit)) throw new PanelError(columns.unit, `row ${r + 1} (line ${line}) has no unit`);
    units[r] = unit;
    const timeText = rec[timeIdx] ?? '';
    const time = Number(timeText);
    if (isMissing(timeText) || !Number.isInteger(time)) {
      throw new PanelError(
        columns.time,
        `row ${r + 1} (line ${line}, unit '${unit}') has time '${timeText}'; the time column must hold whole years`,
      );
    }
    times[r] = time;
    const key = `${unit}\u0000${time}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      throw new PanelError(
        columns.unit,
        `duplicate unit-time row: unit '${unit}', time ${time} appears on lines ${earlier} and ${line}`,
      );
    }
    seen.set(key, line);
    const outText = rec[outIdx] ?? '';
    if (isMissing(outText)) y[r] = Number.NaN;
    else {
      const v = Number(outText);
      if (v !== 0 && v !== 1) {
        throw new PanelError(
          columns.outcome,
          `the outcome column '${columns.outcome}' must be binary (0 or 1; NA or blank when unknown), ` +
            `but row ${r + 1} (line ${line}, unit '${unit}', time ${time}) has '${outText}'`,
        );
      }
      y[r] = v;
    }
    for (let j = 0; j < predIdx.length; j++) {
      const text = rec[predIdx[j] as number] ?? '';
      const col = x[j] as Float64Array;
      if (isMissing(text)) col[r] = Number.NaN;
      else {
        const v = Number(text);
        if (!Number.isFinite(v)) {
          throw new PanelError(
            predictors[j] as string,
            `predictor '${predictors[j]}' must be numeric (or NA/blank), but row ${r + 1} ` +
              `(line ${line}, unit '${unit}', time ${time}) has '${text}'`,
          );
        }
        col[r] = v;
      }
    }
  }
  return {
    unitColumn: columns.unit,
    timeColumn: columns.time,
    outcomeColumn: columns.outcome,
    predictors,
    units,
    times,
    y,
    x,
    lines,
  };
}

/** Serialises a panel back to CSV (NA for missing), e.g. for the synthetic generator. */
export function panelToCsv(panel: Panel): string {
  const out: string[] = [
    [panel.unitColumn, panel.timeColumn, panel.outcomeColumn, ...panel.predictors].join(','),
  ];
  const fmt = (v: number): string => (Number.isNaN(v) ? 'NA' : String(Number(v.toPrecision(6))));
  for (let r = 0; r < panel.times.length; r++) {
    const row = [csvField(panel.units[r] as string), String(panel.times[r]), fmt(panel.y[r] as number)];
    for (const col of panel.x) row.push(fmt(col[r] as number));
    out.push(row.join(','));
  }
  return `${out.join('\n')}\n`;
}

export function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}
