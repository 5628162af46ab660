// Shapes of the alerts API (/api/v1, docs/alerts.md) as the browser app reads them, and DELETE, which the
// shared client does not offer.
import { API_BASE, ApiError, getCsrfToken } from '../api/client.ts';

export type Severity = 'info' | 'warning' | 'critical';
export const SEVERITIES: Severity[] = ['info', 'warning', 'critical'];
export type AlertStatus = 'open' | 'acknowledged' | 'resolved';
export const STATUSES: AlertStatus[] = ['open', 'acknowledged', 'resolved'];

export interface EvidenceRef {
  kind: string;
  ref: string;
  sources: { url: string; outlet: string | null }[];
}

export interface Alert {
  id: string;
  ruleId: string;
  ruleName: string;
  kind: string;
  situationSlug: string;
  severity: Severity;
  status: AlertStatus;
  title: string;
  message: string;
  startsOn: string;
  firedOn: string;
  lastHeldOn: string;
  endedOn: string | null;
  evidence: EvidenceRef[];
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  acknowledgement: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
  resolution: string | null;
}

export const RULE_KINDS = [
  'lifeline.coverage_below',
  'lifeline.utility_cut',
  'lifeline.full_closure',
  'incidents.spike',
  'measure.status_change',
  'coordination.community',
  'risk.factor_change',
  'reports.pending',
] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

export interface AlertRule {
  id: string;
  name: string;
  kind: RuleKind;
  parameters: Record<string, unknown>;
  severity: Severity;
  enabled: boolean;
  public: boolean;
}

export interface Episode {
  key: string;
  title: string;
  message: string;
  startsOn: string;
  firedOn: string;
  lastHeldOn: string;
  endedOn: string | null;
  evidence: EvidenceRef[];
}

export interface Subscription {
  id: string;
  situationSlug: string;
  channel: 'webhook' | 'email' | 'in_app';
  target: string | null;
  minSeverity: Severity;
  enabled: boolean;
  digest: boolean;
  secret?: string;
}

/** A delivery that failed too often (GET /alert-deliveries/dead). */
export interface DeadLetter {
  id: string;
  subscriptionId: string;
  alertId: string;
  event: 'opened' | 'resolved';
  attempts: number;
  lastError: string | null;
  createdAt: string;
  channel: Subscription['channel'];
  target: string | null;
  subscriptionEnabled: boolean;
  alertTitle: string;
  situationSlug: string;
}

export interface Notification {
  id: string;
  event: 'opened' | 'resolved';
  createdAt: string;
  readAt: string | null;
  alert: Alert;
}

export interface ReplayRow {
  ruleId: string;
  ruleName: string;
  kind: string;
  severity: Severity;
  key: string;
  firedOn: string;
  startsOn: string;
  lastHeldOn: string;
  endedOn: string | null;
  daysHeld: number;
  title: string;
  message: string;
  evidence: string[];
}

export interface Replay {
  situationSlug: string;
  from: string;
  to: string;
  ruleSet: 'default' | 'situation';
  rules: { id: string; name: string; kind: string; severity: Severity }[];
  alerts: ReplayRow[];
}

/** DELETE with the session's CSRF token (204 expected). */
export async function apiDelete(path: string): Promise<void> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const csrf = getCsrfToken();
  if (csrf) headers['X-CSRF-Token'] = csrf;
  const res = await fetch(`${API_BASE}${path}`, { method: 'DELETE', headers, credentials: 'same-origin' });
  if (!res.ok) throw new ApiError(res.status, null, `HTTP ${res.status}`);
}

/** Where an alert's evidence can be looked at in the app, when it has a page. */
export function evidenceHref(e: EvidenceRef, slug: string): string | null {
  const base = `/s/${encodeURIComponent(slug)}`;
  switch (e.kind) {
    case 'incident':
      return `/incidents/${encodeURIComponent(e.ref)}`;
    case 'measure':
      return `/measures/${encodeURIComponent(e.ref)}`;
    case 'report':
      return `/reports/${encodeURIComponent(e.ref)}`;
    case 'lifeline':
      return `${base}/lifeline`;
    case 'assessment':
      return `${base}/risk`;
    case 'coordination':
      return `${base}/coordination`;
    default:
      return null;
  }
}
