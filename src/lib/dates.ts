// Dates known only to the month or year keep that precision: stored as the period's first day
// plus a precision, shown back in their reduced form ('2016-06'), never with an invented day.

export type DatePrecision = 'day' | 'month' | 'year';

export interface PartialDate {
  /** The first day of the period, 'YYYY-MM-DD'. */
  date: string;
  precision: DatePrecision;
}

const PATTERN = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;

/** Parses 'YYYY-MM-DD', 'YYYY-MM' or 'YYYY'; returns null for anything else or an impossible date. */
export function parsePartialDate(
  text: string,
  allowed: readonly DatePrecision[] = ['day', 'month'],
): PartialDate | null {
  const match = PATTERN.exec(text.trim());
  if (!match) return null;
  const [, year, month, day] = match;
  const precision: DatePrecision = day ? 'day' : month ? 'month' : 'year';
  if (!allowed.includes(precision)) return null;
  const date = `${year}-${month ?? '01'}-${day ?? '01'}`;
  if (!isCalendarDate(date)) return null;
  return { date, precision };
}

export function isCalendarDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const parsed = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === text;
}

export function formatPartialDate(date: string, precision: DatePrecision): string {
  if (precision === 'year') return date.slice(0, 4);
  if (precision === 'month') return date.slice(0, 7);
  return date.slice(0, 10);
}

/** The last day a partial date can mean (for overlap tests): 2016-06 → 2016-06-30. */
export function lastDayOf(partial: PartialDate): string {
  const [y, m] = partial.date.split('-').map(Number) as [number, number];
  if (partial.precision === 'day') return partial.date;
  const end = partial.precision === 'month' ? new Date(Date.UTC(y, m, 0)) : new Date(Date.UTC(y, 12, 0));
  return end.toISOString().slice(0, 10);
}
