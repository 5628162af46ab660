// What the signed-in user's role may do, mirrored from the server's role × action table
// (src/auth/permissions.ts, docs/access.md) only to decide which controls to show. The server decides.
import type { User } from '../api/types.ts';

const EVIDENCE_WRITERS = new Set(['documenter', 'analyst', 'admin']);

/** evidence.write: upload, annotate, move phases, link items to incidents. */
export function canWriteEvidence(user: User | null | undefined): boolean {
  return Boolean(user && EVIDENCE_WRITERS.has(user.role));
}

/** evidence.read-sealed: originals, their hash and metadata, notes and custody. */
export function canReadSealed(user: User | null | undefined): boolean {
  return Boolean(user && EVIDENCE_WRITERS.has(user.role));
}

const SCREENERS = new Set(['analyst', 'organiser', 'admin']);

/** sanctions.screen: screen names, keep persons of interest, export their dossiers. */
export function canScreen(user: User | null | undefined): boolean {
  return Boolean(user && SCREENERS.has(user.role));
}

const ASSESSORS = new Set(['analyst', 'admin']);

/** assessment.write: create and change risk assessments, record stages, decide suggestions. */
export function canAssess(user: User | null | undefined): boolean {
  return Boolean(user && ASSESSORS.has(user.role));
}

/** Moderating public reports needs evidence.read-sealed and evidence.write (documenter, analyst, admin). */
export function canModerate(user: User | null | undefined): boolean {
  return canWriteEvidence(user) && canReadSealed(user);
}

/** organisation.manage: create and rename organisations, add and remove their members (admins only). */
export function canManageOrganisations(user: User | null | undefined): boolean {
  return user?.role === 'admin';
}
