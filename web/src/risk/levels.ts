// Words and colours of risk levels. The colours are a sequential blue scale (ColorBrewer "Blues", safe for
// colour-blind readers), never red: red is kept for alerts. Each cell also carries its level as text.
import type { MarkStatus } from '../api/risk.ts';
import { t } from '../i18n/index.ts';

export const LEVEL_ORDER: readonly MarkStatus[] = ['unknown', 'absent', 'present', 'strongly-present'];

export function levelLabel(level: MarkStatus): string {
  return t(`risk.level.${level}`);
}

export function levelClass(level: MarkStatus): string {
  return `level level-${level}`;
}
