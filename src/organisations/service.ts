// Organisations: teams sharing one installation. Membership decides who reads an organisation's private
// situations (src/situations/service.ts `canRead`); managing organisations needs `organisation.manage`.
import { type Actor, requirePermission } from '../auth/permissions.ts';
import { findUserByEmail, normaliseEmail } from '../auth/service.ts';
import type { Database, Queryable } from '../db/types.ts';
import { ConflictError, NotFoundError, ValidationError } from '../lib/errors.ts';
import type {
  Member,
  Membership,
  MembershipChange,
  Organisation,
  OrganisationCreate,
  OrganisationDetail,
  OrganisationPatch,
} from './schema.ts';

export interface OrganisationRecord {
  id: string;
  slug: string;
  name: string;
}

interface OrganisationRow {
  id: string;
  slug: string;
  name: string;
  members: number;
  situations: number;
  created_at: Date;
}

// The situation count reads only the column this module's migration added (situations.organisation_id).
const SELECT = `SELECT o.id, o.slug, o.name, o.created_at,
  (SELECT count(*)::int FROM organisation_members m WHERE m.organisation_id = o.id) AS members,
  (SELECT count(*)::int FROM situations s WHERE s.organisation_id = o.id) AS situations
  FROM organisations o`;

const fromRow = (row: OrganisationRow): Organisation => ({
  slug: row.slug,
  name: row.name,
  members: row.members,
  situations: row.situations,
  createdAt: row.created_at.toISOString(),
});

/** Who made a change, as the membership history records it. */
const actorLabel = (actor: Actor): string => (actor.kind === 'user' ? actor.user.email : 'anonymous');

/** The organisation with this slug, without a permission check (for resolving a slug to an id). */
export async function findOrganisation(db: Queryable, slug: string): Promise<OrganisationRecord | null> {
  const [row] = await db.query<OrganisationRecord>(
    'SELECT id, slug, name FROM organisations WHERE slug = $1',
    [slug],
  );
  return row ?? null;
}

async function requireOrganisation(db: Queryable, slug: string): Promise<OrganisationRecord> {
  const organisation = await findOrganisation(db, slug);
  if (!organisation) throw new NotFoundError(`organisation ${slug}`);
  return organisation;
}

export async function createOrganisation(
  db: Queryable,
  actor: Actor,
  input: OrganisationCreate,
): Promise<Organisation> {
  requirePermission(actor, 'organisation.manage');
  const name = input.name.trim();
  if (!name) throw ValidationError.field('name', 'must not be blank');
  const inserted = await db.query<{ id: string }>(
    'INSERT INTO organisations (slug, name) VALUES ($1, $2) ON CONFLICT (slug) DO NOTHING RETURNING id',
    [input.slug, name],
  );
  if (!inserted[0]) throw new ConflictError(`an organisation with slug ${input.slug} already exists`);
  return getOrganisationSummary(db, input.slug);
}

async function getOrganisationSummary(db: Queryable, slug: string): Promise<Organisation> {
  const [row] = await db.query<OrganisationRow>(`${SELECT} WHERE o.slug = $1`, [slug]);
  if (!row) throw new NotFoundError(`organisation ${slug}`);
  return fromRow(row);
}

export async function renameOrganisation(
  db: Queryable,
  actor: Actor,
  slug: string,
  patch: OrganisationPatch,
): Promise<Organisation> {
  requirePermission(actor, 'organisation.manage');
  const name = patch.name.trim();
  if (!name) throw ValidationError.field('name', 'must not be blank');
  const rows = await db.query('UPDATE organisations SET name = $2 WHERE slug = $1 RETURNING id', [
    slug,
    name,
  ]);
  if (!rows[0]) throw new NotFoundError(`organisation ${slug}`);
  return getOrganisationSummary(db, slug);
}

export async function listOrganisations(db: Queryable, actor: Actor): Promise<Organisation[]> {
  requirePermission(actor, 'organisation.manage');
  const rows = await db.query<OrganisationRow>(`${SELECT} ORDER BY o.slug`);
  return rows.map(fromRow);
}

/** An organisation with its members and the history of membership changes. */
export async function getOrganisation(
  db: Queryable,
  actor: Actor,
  slug: string,
): Promise<OrganisationDetail> {
  requirePermission(actor, 'organisation.manage');
  const organisation = await getOrganisationSummary(db, slug);
  const members = await db.query<{ email: string; role: string; added_at: Date }>(
    `SELECT u.email, u.role, m.added_at FROM organisation_members m
     JOIN organisations o ON o.id = m.organisation_id JOIN users u ON u.id = m.user_id
     WHERE o.slug = $1 ORDER BY u.email`,
    [slug],
  );
  const history = await db.query<{
    user_email: string;
    change: 'added' | 'removed';
    actor_label: string;
    at: Date;
  }>(
    `SELECT l.user_email, l.change, l.actor_label, l.at FROM organisation_membership_log l
     JOIN organisations o ON o.id = l.organisation_id WHERE o.slug = $1 ORDER BY l.at, l.id`,
    [slug],
  );
  return {
    organisation,
    members: members.map(
      (m): Member => ({ email: m.email, role: m.role, addedAt: m.added_at.toISOString() }),
    ),
    history: history.map(
      (h): MembershipChange => ({
        email: h.user_email,
        change: h.change,
        by: h.actor_label,
        at: h.at.toISOString(),
      }),
    ),
  };
}

async function requireUser(db: Queryable, email: string) {
  const user = await findUserByEmail(db, normaliseEmail(email));
  if (!user) throw ValidationError.field('email', `no user ${email.trim().toLowerCase()}`);
  return user;
}

/** Makes a user a member; the change is logged with who made it. 409 when they already are one. */
export async function addMember(db: Database, actor: Actor, slug: string, email: string): Promise<Member> {
  requirePermission(actor, 'organisation.manage');
  const organisation = await requireOrganisation(db, slug);
  const user = await requireUser(db, email);
  return db.transaction(async (tx) => {
    // added_by stays NULL for the terminal operator, whose actor id matches no user row.
    const [row] = await tx.query<{ added_at: Date }>(
      `INSERT INTO organisation_members (organisation_id, user_id, added_by)
       VALUES ($1, $2, (SELECT id FROM users WHERE id = $3::uuid))
       ON CONFLICT (organisation_id, user_id) DO NOTHING RETURNING added_at`,
      [organisation.id, user.id, actor.kind === 'user' ? actor.user.id : null],
    );
    if (!row) throw new ConflictError(`${user.email} is already a member of ${slug}`);
    await tx.query(
      `INSERT INTO organisation_membership_log (organisation_id, user_id, user_email, change, actor_label)
       VALUES ($1, $2, $3, 'added', $4)`,
      [organisation.id, user.id, user.email, actorLabel(actor)],
    );
    return { email: user.email, role: user.role, addedAt: row.added_at.toISOString() };
  });
}

/** Ends a membership (logged); 404 when the user is not a member. Takes effect at their next request. */
export async function removeMember(db: Database, actor: Actor, slug: string, email: string): Promise<void> {
  requirePermission(actor, 'organisation.manage');
  const organisation = await requireOrganisation(db, slug);
  const user = await requireUser(db, email);
  await db.transaction(async (tx) => {
    const rows = await tx.query(
      'DELETE FROM organisation_members WHERE organisation_id = $1 AND user_id = $2 RETURNING user_id',
      [organisation.id, user.id],
    );
    if (!rows[0]) throw new NotFoundError(`membership of ${user.email} in ${slug}`);
    await tx.query(
      `INSERT INTO organisation_membership_log (organisation_id, user_id, user_email, change, actor_label)
       VALUES ($1, $2, $3, 'removed', $4)`,
      [organisation.id, user.id, user.email, actorLabel(actor)],
    );
  });
}

/** The organisations a user is a member of, by name: what the session and the account page show. */
export async function membershipsOf(db: Queryable, userId: string): Promise<Membership[]> {
  return db.query<Membership>(
    `SELECT o.slug, o.name FROM organisation_members m JOIN organisations o ON o.id = m.organisation_id
     WHERE m.user_id = $1 ORDER BY o.name, o.slug`,
    [userId],
  );
}
