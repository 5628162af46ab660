// Dates as the sources give them: a day ('2023-09-19') or only a month ('2016-06'). Shown with the precision
// they have: a month-precision date reads "June 2016", never an invented day. Times of day (ISO timestamps)
// are shown in UTC.

import type { Precision } from '../api/types.ts';
import { locale, t } from '../i18n/index.ts';

const dayFormat = new Intl.DateTimeFormat(locale, {
  year: 'numeric',
  month: 'long',
  day: 'numeric',
  timeZone: 'UTC',
});
const monthFormat = new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'long', timeZone: 'UTC' });
const shortMonthFormat = new Intl.DateTimeFormat(locale, { month: 'short', timeZone: 'UTC' });
const timestampFormat = new Intl.DateTimeFormat(locale, {
  year: 'numeric',
  month: 'long',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'UTC',
  timeZoneName: 'short',
});

/** 'day' for YYYY-MM-DD, 'month' for YYYY-MM. */
export function precisionOf(value: string): Precision {
  return /^\d{4}-\d{2}$/.test(value) ? 'month' : 'day';
}

/** Milliseconds (UTC) of the first instant of the date or month. */
export function startMs(value: string): number {
  const [y, m, d] = value.split('-').map(Number);
  return Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1);
}

/** Milliseconds (UTC) of the last day of the date or month (the day itself for a day-precision date). */
export function endMs(value: string, precision: Precision = precisionOf(value)): number {
  if (precision === 'day') return startMs(value);
  const [y, m] = value.split('-').map(Number);
  return Date.UTC(y ?? 1970, m ?? 1, 0);
}

export function formatDate(value: string, precision: Precision | null = null): string {
  const p = precision ?? precisionOf(value);
  const ms = startMs(value);
  if (Number.isNaN(ms)) return value;
  return p === 'month' ? monthFormat.format(ms) : dayFormat.format(ms);
}

export function formatRange(
  start: string,
  startPrecision: Precision | null,
  end: string | null,
  endPrecision: Precision | null,
): string {
  const from = formatDate(start, startPrecision);
  if (!end || end === start) return from;
  return t('date.range', { from, to: formatDate(end, endPrecision) });
}

/** A period whose end may still be open ("since 12 December 2022"). */
export function formatPeriod(start: string, end: string | null): string {
  return end
    ? t('date.range', { from: formatDate(start), to: formatDate(end) })
    : t('date.since', { from: formatDate(start) });
}

export function formatTimestamp(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : timestampFormat.format(d);
}

export function monthLabel(ms: number): string {
  return shortMonthFormat.format(ms);
}

/** Days between two dates, counting both ends. */
export function daysInclusive(start: string, end: string): number {
  return Math.round((endMs(end) - startMs(start)) / 86_400_000) + 1;
}
