// The role × action table, enforced here and nowhere else (docs/access.md prints the same table).
import { ForbiddenError, UnauthorizedError } from '../lib/errors.ts';

export const ROLES = ['viewer', 'documenter', 'analyst', 'organiser', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const ACTIONS = {
  'situation.read-private': 'read private situations and draft incidents',
  'incident.write': 'create and edit incidents',
  'evidence.write': 'add and annotate evidence',
  'evidence.read-sealed': 'see sealed originals, their metadata, notes and custody, and export bundles',
  'assessment.write': 'write risk assessments',
  'analysis.run': 'run analyses (coordination, lifeline, risk models)',
  'campaign.write': 'run campaigns',
  'measure.write': 'record response measures',
  'alert.manage': 'manage alert rules, acknowledge and resolve alerts',
  'sanctions.screen':
    'screen names against sanctions lists, keep persons of interest and export their dossiers',
  'situation.write': 'create and edit situations',
  'user.manage': 'manage users and API tokens of others',
} as const;
export type Action = keyof typeof ACTIONS;

const viewer: Action[] = ['situation.read-private'];
const documenter: Action[] = [...viewer, 'incident.write', 'evidence.write', 'evidence.read-sealed'];

export const PERMISSIONS: Record<Role, ReadonlySet<Action>> = {
  viewer: new Set(viewer),
  documenter: new Set(documenter),
  analyst: new Set([...documenter, 'assessment.write', 'analysis.run', 'sanctions.screen', 'alert.manage']),
  organiser: new Set([...viewer, 'campaign.write', 'measure.write', 'sanctions.screen']),
  admin: new Set(Object.keys(ACTIONS) as Action[]),
};

export interface UserIdentity {
  id: string;
  email: string;
  role: Role;
}

export type Actor = { kind: 'anonymous' } | { kind: 'user'; user: UserIdentity; via: 'session' | 'token' };

export const ANONYMOUS: Actor = { kind: 'anonymous' };

export function can(actor: Actor, action: Action): boolean {
  return actor.kind === 'user' && PERMISSIONS[actor.user.role].has(action);
}

/** Throws 401 for an anonymous actor and 403 for a user whose role lacks the action. */
export function requirePermission(actor: Actor, action: Action): UserIdentity {
  if (actor.kind !== 'user') throw new UnauthorizedError();
  if (!PERMISSIONS[actor.user.role].has(action)) {
    throw new ForbiddenError(`the ${actor.user.role} role may not ${ACTIONS[action]}`);
  }
  return actor.user;
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
