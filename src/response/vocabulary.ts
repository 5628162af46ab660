// The measures tracker's documented vocabulary (docs/response.md): what kind of measure it is, and where
// it stands. Statuses are not a straight line: the usual path runs proposed → introduced → passed one
// chamber → adopted/issued → in force → lifted, with rejected and lapsed as ends and pending and held as
// states any measure may be in. A change that goes back along the path, or out of an end, needs a note.
import type { DatePrecision } from '../lib/dates.ts';
import { formatPartialDate, parsePartialDate } from '../lib/dates.ts';
import { ValidationError } from '../lib/errors.ts';

export const MEASURE_CATEGORIES = {
  sanction: 'targeted or sectoral sanctions (asset freezes, visa bans, Global Magnitsky designations)',
  aid_restriction: 'cutting off or conditioning foreign aid (e.g. Section 907 and its waivers)',
  aid_flow: 'aid given or reported (amounts, programmes), the context of an aid restriction',
  boycott: 'a boycott of events, goods or institutions (the events registry holds hosted events and calls)',
  legal_proceeding: 'a case before a court or tribunal (ICJ, ECHR, arbitration)',
  resolution_or_bill: 'a resolution, bill or amendment of a parliament or assembly',
  diplomatic_statement: 'a statement, letter or declaration by a government, official or body',
  humanitarian_access_demand: 'a demand for humanitarian access or an open corridor',
  hearing_or_meeting: 'a hearing or meeting of a body (UN Security Council, a commission)',
  other: 'anything else (missions, advocacy), with the source kind kept',
} as const;
export type MeasureCategory = keyof typeof MEASURE_CATEGORIES;

export const MEASURE_STATUSES = {
  proposed: 'proposed or drafted, not yet formally introduced',
  introduced: 'formally introduced, filed or initiated (a bill introduced, a case filed)',
  passed_one_chamber: 'passed by one chamber of a two-chamber legislature',
  adopted: 'adopted or enacted (a law passed, a resolution adopted, a waiver signed, a mission established)',
  issued: 'issued or published (a statement, a letter, a report, an op-ed)',
  rejected: 'voted down, refused or dismissed: an end',
  lapsed: 'expired without a decision (e.g. at the end of a congress): an end',
  in_force: 'in force or being applied',
  lifted: 'lifted, repealed or ended after being in force: an end',
  pending: 'awaiting a decision (a court case under way); may occur at any point',
  held: 'took place (a hearing, a meeting); may occur at any point',
} as const;
export type MeasureStatus = keyof typeof MEASURE_STATUSES;

/** Position on the usual path; statuses without a rank (pending, held, rejected, lapsed) are off it. */
const PATH_RANK: Partial<Record<MeasureStatus, number>> = {
  proposed: 0,
  introduced: 1,
  passed_one_chamber: 2,
  adopted: 3,
  issued: 3,
  in_force: 4,
  lifted: 5,
};
const ENDS: ReadonlySet<MeasureStatus> = new Set(['rejected', 'lapsed', 'lifted']);

export const USUAL_PATH: MeasureStatus[] = [
  'proposed',
  'introduced',
  'passed_one_chamber',
  'adopted',
  'in_force',
  'lifted',
];

export function isMeasureStatus(value: string): value is MeasureStatus {
  return Object.hasOwn(MEASURE_STATUSES, value);
}

/**
 * Why a change from `history` (oldest first) to `next` leaves the usual path, or null when it follows it.
 * Such a change is accepted only with a note.
 */
export function offPathReason(history: readonly MeasureStatus[], next: MeasureStatus): string | null {
  const current = history.at(-1);
  if (current === undefined) return null;
  if (ENDS.has(current)) return `${current} is an end; leaving it for ${next}`;
  const nextRank = PATH_RANK[next];
  if (nextRank === undefined) return null;
  let reached = -1;
  for (const s of history) reached = Math.max(reached, PATH_RANK[s] ?? -1);
  if (nextRank < reached) {
    const furthest = history.filter((s) => PATH_RANK[s] === reached).at(-1);
    return `going back from ${furthest} to ${next}`;
  }
  return null;
}

/** The category a scenario (source) kind maps to. Unknown kinds are `other`; the source kind is kept. */
export const SOURCE_KIND_CATEGORY: Record<string, MeasureCategory> = {
  advocacy: 'other',
  eu_mission: 'other',
  eu_resolution: 'resolution_or_bill',
  eu_statement: 'diplomatic_statement',
  legal_proceeding: 'legal_proceeding',
  un_meeting: 'hearing_or_meeting',
  un_statement: 'diplomatic_statement',
  us_aid: 'aid_flow',
  us_amendment: 'resolution_or_bill',
  us_bill: 'resolution_or_bill',
  us_hearing: 'hearing_or_meeting',
  us_law: 'aid_restriction',
  us_letter: 'diplomatic_statement',
  us_resolution: 'resolution_or_bill',
  us_statement: 'diplomatic_statement',
  us_waiver: 'aid_restriction',
  sanction: 'sanction',
  boycott: 'boycott',
};

/** Source kinds that belong to the events registry rather than the measures tracker. */
export const EVENT_SOURCE_KINDS = { event_hosted: 'event', boycott_call: 'boycott call' } as const;

export interface StatusStep {
  status: MeasureStatus;
  date: string | null;
  precision: DatePrecision | null;
  /** The source's wording for this step (the last step carries the whole status text). */
  statusText: string | null;
  note: string | null;
}

const MONTHS: Record<string, string> = {
  jan: '01',
  feb: '02',
  mar: '03',
  apr: '04',
  may: '05',
  jun: '06',
  jul: '07',
  aug: '08',
  sep: '09',
  oct: '10',
  nov: '11',
  dec: '12',
};
/** '23 Jan 2023' → '2023-01-23'. */
function wordDate(text: string): string | null {
  const m = /^(\d{1,2}) ([A-Za-z]{3})[a-z]* (\d{4})$/.exec(text.trim());
  const month = m ? MONTHS[m[2]!.toLowerCase()] : undefined;
  return m && month ? `${m[3]}-${month}-${m[1]!.padStart(2, '0')}` : null;
}

// Rules over the source's free-text status, first match wins. Each names the status the text means;
// a few also recover an earlier dated step that the text states (e.g. "passed Senate … 2023-11-15").
const STATUS_RULES: [RegExp, MeasureStatus][] = [
  [/^passed (senate|house)/i, 'passed_one_chamber'],
  [/^(adopted|signed|established)/i, 'adopted'],
  [/^in force/i, 'in_force'],
  [/^(pending|relinquished)/i, 'pending'],
  [/^(introduced|initiated)/i, 'introduced'],
  [/^proposed/i, 'proposed'],
  [/^(held|no statement)/i, 'held'],
  [/^(statement|published|report published|sent|announced|letter|call|petition|protest)/i, 'issued'],
  [/^(rejected|refused|dismissed|failed)/i, 'rejected'],
  [/^(lapsed|expired)/i, 'lapsed'],
  [/^(lifted|repealed|revoked)/i, 'lifted'],
];

/** The vocabulary status a source's wording means, or null when no rule knows it. */
export function statusOfText(statusText: string): MeasureStatus | null {
  for (const [pattern, status] of STATUS_RULES) if (pattern.test(statusText.trim())) return status;
  return null;
}

/**
 * The dated steps a source row states: its status mapped to the vocabulary (original wording kept on the
 * last step), plus the earlier steps its wording dates. Falls back to `pending` with a note when no rule
 * matches, so that an unknown wording is visible rather than guessed.
 */
export function stepsFromSource(
  statusText: string,
  date: string | null,
  precision: DatePrecision | null,
): StatusStep[] {
  const at = { date, precision };
  const text = statusText.trim();
  const passed = /^passed (senate|house)\b[^;]*?(\d{4}-\d{2}-\d{2})/i.exec(text);
  if (passed) {
    return [
      { status: 'introduced', ...at, statusText: null, note: 'introduced on the date the source gives' },
      { status: 'passed_one_chamber', date: passed[2]!, precision: 'day', statusText, note: null },
    ];
  }
  const mission = /^established ([^;]+); launched (.+)$/i.exec(text);
  const established = mission ? wordDate(mission[1]!) : null;
  const launched = mission ? wordDate(mission[2]!) : null;
  if (established && launched) {
    return [
      {
        status: 'adopted',
        date: established,
        precision: 'day',
        statusText: `established ${mission![1]}`,
        note: null,
      },
      { status: 'in_force', date: launched, precision: 'day', statusText, note: null },
    ];
  }
  const status = statusOfText(text);
  if (status === 'pending' && date) {
    // A court case: filed on the row's date, pending since (the wording dates the steps in between).
    return [
      {
        status: 'introduced',
        ...at,
        statusText: null,
        note: 'filed or requested on the date the source gives',
      },
      { status: 'pending', date: null, precision: null, statusText, note: null },
    ];
  }
  if (status === null) {
    return [
      { status: 'pending', ...at, statusText, note: 'the source wording matches no rule; mapped to pending' },
    ];
  }
  return [{ status, ...at, statusText, note: null }];
}

export function parseStepDate(
  text: string | null | undefined,
): { date: string; precision: DatePrecision } | null {
  if (!text) return null;
  return parsePartialDate(text, ['day', 'month', 'year']);
}

/** An optional date of a measure, status step or event (YYYY, YYYY-MM or YYYY-MM-DD); bad text names the field. */
export function optionalStepDate(
  text: string | null | undefined,
  field: string,
): { date: string; precision: DatePrecision } | null {
  if (text === null || text === undefined) return null;
  const parsed = parseStepDate(text);
  if (!parsed) throw ValidationError.field(field, `"${text}" is not a date (YYYY, YYYY-MM or YYYY-MM-DD)`);
  return parsed;
}

/** A stored date and its precision as the API shows it ('2016-06'), or null. */
export function shownDate(date: string | null, precision: string | null): string | null {
  return date && precision ? formatPartialDate(date, precision as DatePrecision) : null;
}
