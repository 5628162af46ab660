// Message lookup. Every user-facing string goes through t(); a translation is one more catalogue with the
// same keys (see messages.en.ts), chosen here, with no change to components.
import { messages as en } from './messages.en.ts';

export type MessageKey = keyof typeof en;
export type Params = Record<string, string | number>;

const catalogue: Record<MessageKey, string> = en;

/** The BCP 47 locale used for dates and numbers. */
export const locale: string = catalogue['meta.locale'];

const plural = new Intl.PluralRules(locale);
const numbers = new Intl.NumberFormat(locale);

function interpolate(text: string, params?: Params): string {
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const v = params[name];
    if (v === undefined) return whole;
    return typeof v === 'number' ? numbers.format(v) : v;
  });
}

/** The message for key with {placeholders} filled in (numbers are formatted for the locale). */
export function t(key: MessageKey, params?: Params): string {
  return interpolate(catalogue[key], params);
}

/**
 * A counted message: looks up `${base}.${pluralCategory}` (e.g. `.one`, `.other`), falling back to `.other`.
 * The count is available to the message as {count}.
 */
export function tn(base: string, count: number, params?: Params): string {
  const cat = plural.select(count);
  const key = (`${base}.${cat}` in catalogue ? `${base}.${cat}` : `${base}.other`) as MessageKey;
  return interpolate(catalogue[key] ?? base, { count, ...params });
}

/** A message whose key is built at run time (e.g. a category from the server), or a fallback when absent. */
export function tMaybe(key: string, fallback: string, params?: Params): string {
  return key in catalogue ? interpolate(catalogue[key as MessageKey], params) : fallback;
}

export function formatNumber(n: number): string {
  return numbers.format(n);
}
