// The role × action table, enforced here and nowhere else (docs/access.md prints the same table).
import { ForbiddenError, UnauthorizedError } from '../lib/errors.ts';

export const ROLES = ['viewer', 'documenter', 'analyst', 'organiser', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const ACTIONS = {
  'situation.read-private': 'read private situations and draft incidents',
  'incident.write': 'create and edit incidents',
  'lifeline.write':
    'record lifeline observations, needs models, population figures, disruptions and stocks, and re-derive them',
  'evidence.write': 'add and annotate evidence',
  'evidence.read-sealed': 'see sealed originals, their metadata, notes and custody, and export bundles',
  'assessment.write': 'write risk assessments',
  'analysis.run': 'run analyses (coordination, lifeline, risk models)',
  'coordination.read':
    "read a situation's stored social-media posts, coordination runs, communities and narratives",
  'coordination.write':
    "import posts, start coordination runs, set a narrative's stance and link communities and narratives",
  'campaign.write': 'run campaigns',
  'measure.write': 'record response measures',
  'alert.manage': 'manage alert rules, acknowledge and resolve alerts',
  'sanctions.screen':
    'screen names against sanctions lists, keep persons of interest and export their dossiers',
  'situation.write': 'create and edit situations',
  'organisation.manage': "manage organisations and their members, and act in every organisation's situations",
  'user.manage': 'manage users and API tokens of others',
} as const;
export type Action = keyof typeof ACTIONS;

const viewer: Action[] = ['situation.read-private'];
const documenter: Action[] = [
  ...viewer,
  'incident.write',
  'lifeline.write',
  'evidence.write',
  'evidence.read-sealed',
];

export const PERMISSIONS: Record<Role, ReadonlySet<Action>> = {
  viewer: new Set(viewer),
  documenter: new Set(documenter),
  analyst: new Set([
    ...documenter,
    'assessment.write',
    'analysis.run',
    'coordination.read',
    'coordination.write',
    'sanctions.screen',
    'alert.manage',
  ]),
  organiser: new Set([...viewer, 'campaign.write', 'measure.write', 'sanctions.screen']),
  admin: new Set(Object.keys(ACTIONS) as Action[]),
};

export interface UserIdentity {
  id: string;
  email: string;
  role: Role;
}

/**
 * The organisations a user acts in: the ids of their memberships, or `'all'` for the system's own readers
 * and the operator at the terminal (who holds the database itself). Absent means none.
 */
export type OrganisationScope = readonly string[] | 'all';

export type Actor =
  | { kind: 'anonymous' }
  | { kind: 'user'; user: UserIdentity; via: 'session' | 'token'; organisations?: OrganisationScope };

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

/**
 * Whether the actor acts in the organisation a situation belongs to: always for a situation of the
 * installation (`null`), for members, and for those who manage organisations (admins).
 */
export function inOrganisation(actor: Actor, organisationId: string | null): boolean {
  if (organisationId === null) return true;
  if (actor.kind !== 'user') return false;
  if (PERMISSIONS[actor.user.role].has('organisation.manage')) return true;
  const scope = actor.organisations ?? [];
  return scope === 'all' || scope.includes(organisationId);
}

/** `can` on one situation: the role must allow the action, and the actor must act in its organisation. */
export function canIn(actor: Actor, action: Action, organisationId: string | null): boolean {
  return can(actor, action) && inOrganisation(actor, organisationId);
}

/** `requirePermission` on one situation: 401 anonymous, 403 when the role or the organisation lacks it. */
export function requirePermissionIn(
  actor: Actor,
  action: Action,
  organisationId: string | null,
): UserIdentity {
  const user = requirePermission(actor, action);
  if (!inOrganisation(actor, organisationId)) {
    throw new ForbiddenError(`only members of the situation's organisation may ${ACTIONS[action]}`);
  }
  return user;
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
