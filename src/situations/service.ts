// Situations: the place, population and time span that everything else is scoped to.
import {
  type Action,
  type Actor,
  can,
  inOrganisation,
  requirePermission,
  requirePermissionIn,
} from '../auth/permissions.ts';
import type { Queryable } from '../db/types.ts';
import { ConflictError, NotFoundError, ValidationError } from '../lib/errors.ts';
import { findOrganisation } from '../organisations/service.ts';
import type { Layer, Situation, SituationCreate, SituationPatch } from './schema.ts';

export interface SituationRecord extends Situation {
  id: string;
  /** The organisation it belongs to; null: the installation's own (docs/organisations.md). */
  organisationId: string | null;
}

interface SituationRow {
  id: string;
  slug: string;
  name: string;
  description: string;
  area: Record<string, unknown> | null;
  population: number | null;
  population_note: string | null;
  population_sources: string[];
  starts_on: string;
  ends_on: string | null;
  context_from: string | null;
  visibility: 'public' | 'private';
  organisation_id: string | null;
  organisation_slug: string | null;
  created_at: Date;
  updated_at: Date;
}

// A subquery rather than a join, so INSERT/UPDATE … RETURNING give the same shape as SELECT.
const COLUMNS = `id, slug, name, description, area, population, population_note, population_sources,
  starts_on, ends_on, context_from, visibility, organisation_id,
  (SELECT o.slug FROM organisations o WHERE o.id = situations.organisation_id) AS organisation_slug,
  created_at, updated_at`;

function fromRow(row: SituationRow): SituationRecord {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    description: row.description,
    area: row.area,
    population:
      row.population === null
        ? null
        : { value: row.population, note: row.population_note, sources: row.population_sources },
    startsOn: row.starts_on,
    endsOn: row.ends_on,
    contextFrom: row.context_from,
    visibility: row.visibility,
    organisation: row.organisation_slug,
    organisationId: row.organisation_id,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function checkSpan(startsOn: string, endsOn: string | null | undefined): void {
  if (endsOn && endsOn < startsOn) throw ValidationError.field('endsOn', 'must not be before startsOn');
}

/**
 * Whether the actor may read the situation's private content: a private situation itself, and inside any
 * situation its drafts and unpublished records. The role must have `situation.read-private` and, for a
 * situation of an organisation, the actor must be a member (or an admin). Use this, never
 * `can(actor, 'situation.read-private')` alone, for every query-level filter.
 */
export function canReadPrivate(actor: Actor, situation: Pick<SituationRecord, 'organisationId'>): boolean {
  return can(actor, 'situation.read-private') && inOrganisation(actor, situation.organisationId);
}

/** The one check for reading a situation: public ones are for everybody, private ones per `canReadPrivate`. */
export function canRead(
  actor: Actor,
  situation: Pick<SituationRecord, 'visibility' | 'organisationId'>,
): boolean {
  return situation.visibility === 'public' || canReadPrivate(actor, situation);
}

/**
 * Checks that the actor may do `action` in this situation: 404 when they may not even read it (its existence
 * does not leak), otherwise 401/403 when their role lacks the action or they are not in its organisation.
 */
export function requireActionOn(
  actor: Actor,
  action: Action,
  situation: Pick<SituationRecord, 'slug' | 'visibility' | 'organisationId'>,
) {
  if (!canRead(actor, situation)) throw new NotFoundError(`situation ${situation.slug}`);
  return requirePermissionIn(actor, action, situation.organisationId);
}

export async function createSituation(
  db: Queryable,
  actor: Actor,
  input: SituationCreate,
): Promise<SituationRecord> {
  requirePermission(actor, 'situation.write');
  const organisationId = await organisationIdOf(db, input.organisation);
  requirePermissionIn(actor, 'situation.write', organisationId);
  return insertSituation(db, input);
}

/** The id of the organisation named by slug (null for none); an unknown slug is a bad `organisation` field. */
async function organisationIdOf(db: Queryable, slug: string | null | undefined): Promise<string | null> {
  if (!slug) return null;
  const organisation = await findOrganisation(db, slug);
  if (!organisation) throw ValidationError.field('organisation', `no organisation ${slug}`);
  return organisation.id;
}

/** Inserts without a permission check: for trusted callers such as the scenario import. */
export async function insertSituation(db: Queryable, input: SituationCreate): Promise<SituationRecord> {
  checkSpan(input.startsOn, input.endsOn);
  const organisationId = await organisationIdOf(db, input.organisation);
  const rows = await db.query<SituationRow>(
    `INSERT INTO situations (slug, name, description, area, population, population_note, population_sources,
       starts_on, ends_on, context_from, visibility, organisation_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     ON CONFLICT (slug) DO NOTHING RETURNING ${COLUMNS}`,
    [
      input.slug,
      input.name,
      input.description ?? '',
      input.area ? JSON.stringify(input.area) : null,
      input.population?.value ?? null,
      input.population?.note ?? null,
      JSON.stringify(input.population?.sources ?? []),
      input.startsOn,
      input.endsOn ?? null,
      input.contextFrom ?? null,
      input.visibility,
      organisationId,
    ],
  );
  if (!rows[0]) throw new ConflictError(`a situation with slug ${input.slug} already exists`);
  return fromRow(rows[0]);
}

export async function updateSituation(
  db: Queryable,
  actor: Actor,
  slug: string,
  patch: SituationPatch,
): Promise<SituationRecord> {
  requirePermission(actor, 'situation.write');
  const current = await getSituation(db, actor, slug, 'situation.write');
  const { organisation, ...fields } = patch;
  const organisationId =
    organisation === undefined ? current.organisationId : await organisationIdOf(db, organisation);
  // Moving a situation to another organisation needs the right in both.
  requirePermissionIn(actor, 'situation.write', organisationId);
  const next = { ...current, ...fields };
  checkSpan(next.startsOn, next.endsOn);
  const rows = await db.query<SituationRow>(
    `UPDATE situations SET name = $2, description = $3, area = $4, population = $5, population_note = $6,
       population_sources = $7, starts_on = $8, ends_on = $9, context_from = $10, visibility = $11,
       organisation_id = $12, updated_at = now()
     WHERE id = $1 RETURNING ${COLUMNS}`,
    [
      current.id,
      next.name,
      next.description,
      next.area ? JSON.stringify(next.area) : null,
      next.population?.value ?? null,
      next.population?.note ?? null,
      JSON.stringify(next.population?.sources ?? []),
      next.startsOn,
      next.endsOn ?? null,
      next.contextFrom ?? null,
      next.visibility,
      organisationId,
    ],
  );
  return fromRow(rows[0]!);
}

export async function findSituation(db: Queryable, slug: string): Promise<SituationRecord | null> {
  const rows = await db.query<SituationRow>(`SELECT ${COLUMNS} FROM situations WHERE slug = $1`, [slug]);
  return rows[0] ? fromRow(rows[0]) : null;
}

export async function findSituationById(db: Queryable, id: string): Promise<SituationRecord | null> {
  const rows = await db.query<SituationRow>(`SELECT ${COLUMNS} FROM situations WHERE id = $1`, [id]);
  return rows[0] ? fromRow(rows[0]) : null;
}

/** A situation the actor may read; a private one is "not found" to others, so its existence does not leak. */
/**
 * A situation the actor may read; a private one is "not found" to others, so its existence does not leak.
 * With `action`, also checks that the actor may do it there (`requireActionOn`): pass it from every write.
 */
export async function getSituation(
  db: Queryable,
  actor: Actor,
  slug: string,
  action?: Action,
): Promise<SituationRecord> {
  const situation = await findSituation(db, slug);
  if (!situation || !canRead(actor, situation)) throw new NotFoundError(`situation ${slug}`);
  if (action) requirePermissionIn(actor, action, situation.organisationId);
  return situation;
}

export async function listSituations(db: Queryable, actor: Actor): Promise<SituationRecord[]> {
  const rows = await db.query<SituationRow>(
    `SELECT ${COLUMNS} FROM situations ORDER BY starts_on DESC, name`,
  );
  return rows.map(fromRow).filter((s) => canRead(actor, s));
}

export async function deleteSituation(db: Queryable, slug: string): Promise<boolean> {
  const rows = await db.query('DELETE FROM situations WHERE slug = $1 RETURNING id', [slug]);
  return rows.length > 0;
}

export async function replaceLayers(db: Queryable, situationId: string, layers: Layer[]): Promise<void> {
  await db.query('DELETE FROM situation_layers WHERE situation_id = $1', [situationId]);
  for (const layer of layers) {
    await db.query(
      `INSERT INTO situation_layers (id, situation_id, name, kind, schematic, note, sources, geojson)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        layer.id,
        situationId,
        layer.name,
        layer.kind,
        layer.schematic,
        layer.note,
        JSON.stringify(layer.sources),
        JSON.stringify(layer.geojson),
      ],
    );
  }
}

export async function listLayers(db: Queryable, situationId: string): Promise<Layer[]> {
  return db.query<Layer>(
    `SELECT id, name, kind, schematic, note, sources, geojson FROM situation_layers
     WHERE situation_id = $1 ORDER BY kind DESC, id`,
    [situationId],
  );
}
