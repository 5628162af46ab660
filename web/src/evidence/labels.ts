// Words and formats of the evidence vault: Berkeley Protocol phases, verification methods and conclusions,
// custody actions, file sizes and hashes.
import { locale, t, tMaybe } from '../i18n/index.ts';

/** The Berkeley Protocol phases, in order (src/evidence/item-schema.ts). */
export const PHASES = [
  'inquiry',
  'preliminary-assessment',
  'collection',
  'preservation',
  'verification',
  'investigative-analysis',
] as const;

export const NOTE_METHODS = [
  'geolocation',
  'chronolocation',
  'source-check',
  'metadata-check',
  'reverse-image-search',
  'witness-corroboration',
  'technical-analysis',
  'other',
] as const;

export const CONCLUSIONS = ['confirms', 'supports', 'inconclusive', 'contradicts'] as const;

function fallback(value: string): string {
  const s = value.replace(/[-_]+/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function phaseLabel(phase: string): string {
  return tMaybe(`phase.${phase}`, fallback(phase));
}

/** "4 of 6" for a known phase, null otherwise. */
export function phaseStep(phase: string): string | null {
  const i = (PHASES as readonly string[]).indexOf(phase);
  return i < 0 ? null : t('phase.step', { n: i + 1, of: PHASES.length });
}

export function methodLabel(method: string): string {
  return tMaybe(`method.${method}`, fallback(method));
}

export function conclusionLabel(conclusion: string): string {
  return tMaybe(`conclusion.${conclusion}`, fallback(conclusion));
}

export function actionLabel(action: string): string {
  return tMaybe(`custody.action.${action}`, fallback(action));
}

export function originLabel(origin: string): string {
  return tMaybe(`evidence.origin.${origin}`, fallback(origin));
}

const UNITS = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte'] as const;

/** A size for reading ("1.4 MB"); the exact byte count goes beside it where it matters. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return new Intl.NumberFormat(locale, {
    style: 'unit',
    unit: UNITS[unit],
    unitDisplay: unit === 0 ? 'long' : 'short',
    maximumFractionDigits: unit === 0 ? 0 : 1,
  }).format(value);
}

/** The first characters of a hash, enough to tell items apart on screen. */
export function shortHash(hash: string): string {
  return `${hash.slice(0, 12)}…`;
}
