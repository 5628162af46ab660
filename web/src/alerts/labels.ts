// Labels of the alerts' enumerations, from the message catalogue (with the raw value when a newer server
// sends one the catalogue does not know yet).
import { tMaybe } from '../i18n/index.ts';

export const severityLabel = (s: string) => tMaybe(`alerts.severity.${s}`, s);
export const statusLabel = (s: string) => tMaybe(`alerts.status.${s}`, s);
export const kindLabel = (k: string) => tMaybe(`alerts.kind.${k}`, k);
export const channelLabel = (c: string) => tMaybe(`alerts.channel.${c}`, c);
export const evidenceKindLabel = (k: string) => tMaybe(`alerts.evidence.kind.${k}`, k);
