// Persons and entities of interest in a situation (e.g. officials responsible for a blockade): their
// role, the incidents that document it, their screenings against sanctions lists, and a dossier for a
// Global Magnitsky-style submission. Readable and writable with `sanctions.screen` only, and in a situation of
// an organisation only by its members (docs/organisations.md), even when the situation is public: these are
// allegations about named people, not public pages.
import { type Actor, requirePermissionIn } from '../auth/permissions.ts';
import type { Database, Queryable } from '../db/types.ts';
import { authorOf, getIncident } from '../evidence/incidents.ts';
import { NotFoundError, ValidationError } from '../lib/errors.ts';
import { canRead, findSituationById, getSituation } from '../situations/service.ts';
import { screenNames } from './sanctions.ts';
import type { Person, PersonCreate, PersonScreening, SourceOut } from './schema.ts';
import { parseStepDate } from './vocabulary.ts';

interface PersonRow {
  id: string;
  situation_id: string;
  kind: string;
  name: string;
  aliases: string[];
  role: string;
  role_since: string | null;
  role_until: string | null;
  nationality: string | null;
  birth_date: string | null;
  notes: string;
  sources: SourceOut[];
  created_at: Date;
  updated_at: Date;
}

async function incidentLinks(
  db: Queryable,
  actor: Actor,
  situationSlug: string,
  links: PersonCreate['incidents'],
) {
  const out: { id: string; note: string }[] = [];
  for (const [i, link] of (links ?? []).entries()) {
    const incident = await getIncident(db, actor, link.incidentId).catch(() => null);
    if (!incident || incident.situationSlug !== situationSlug) {
      throw ValidationError.field(`incidents.${i}.incidentId`, 'is not an incident of this situation');
    }
    if (!out.some((o) => o.id === link.incidentId)) out.push({ id: link.incidentId, note: link.note ?? '' });
  }
  return out;
}

export async function createPerson(
  db: Database,
  actor: Actor,
  slug: string,
  input: PersonCreate,
): Promise<Person> {
  const situation = await getSituation(db, actor, slug);
  const user = requirePermissionIn(actor, 'sanctions.screen', situation.organisationId);
  if (!/\p{L}/u.test(input.name)) throw ValidationError.field('name', 'is an empty name');
  if (input.birthDate && !parseStepDate(input.birthDate))
    throw ValidationError.field('birthDate', 'is not a date');
  if (input.roleSince && input.roleUntil && input.roleUntil < input.roleSince) {
    throw ValidationError.field('roleUntil', 'must not be before roleSince');
  }
  const links = await incidentLinks(db, actor, situation.slug, input.incidents);
  const id = await db.transaction(async (tx) => {
    const [row] = await tx.query<{ id: string }>(
      `INSERT INTO persons_of_interest (situation_id, kind, name, aliases, role, role_since, role_until, nationality,
         birth_date, notes, sources, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
      [
        situation.id,
        input.kind,
        input.name.trim(),
        JSON.stringify((input.aliases ?? []).map((a) => a.trim()).filter(Boolean)),
        input.role,
        input.roleSince ?? null,
        input.roleUntil ?? null,
        input.nationality ?? null,
        input.birthDate ?? null,
        input.notes ?? '',
        JSON.stringify((input.sources ?? []).map((s) => ({ url: s.url, outlet: s.outlet ?? null }))),
        user.id,
      ],
    );
    for (const link of links) {
      await tx.query('INSERT INTO person_incidents (person_id, incident_id, note) VALUES ($1, $2, $3)', [
        row!.id,
        link.id,
        link.note,
      ]);
    }
    return row!.id;
  });
  return getPerson(db, actor, id);
}

async function readablePerson(db: Queryable, actor: Actor, id: string) {
  const [row] = await db.query<PersonRow>('SELECT * FROM persons_of_interest WHERE id = $1', [id]);
  const situation = row ? await findSituationById(db, row.situation_id) : null;
  if (!row || !situation || !canRead(actor, situation)) throw new NotFoundError(`person ${id}`);
  requirePermissionIn(actor, 'sanctions.screen', situation.organisationId);
  return { row, situation };
}

interface ScreeningRow {
  id: string;
  screened_at: Date;
  screened_by_label: string;
  threshold: number;
  lists: PersonScreening['lists'];
  matches: PersonScreening['matches'];
}
const screeningFromRow = (r: ScreeningRow): PersonScreening => ({
  id: r.id,
  screenedAt: r.screened_at.toISOString(),
  screenedBy: r.screened_by_label,
  threshold: r.threshold,
  lists: r.lists,
  matches: r.matches,
});

async function personFromRow(db: Queryable, actor: Actor, row: PersonRow, slug: string): Promise<Person> {
  const links = await db.query<{ incident_id: string; note: string }>(
    'SELECT incident_id, note FROM person_incidents WHERE person_id = $1 ORDER BY incident_id',
    [row.id],
  );
  const incidents: Person['incidents'] = [];
  for (const link of links) {
    const incident = await getIncident(db, actor, link.incident_id).catch(() => null);
    if (!incident) continue;
    incidents.push({
      id: incident.id,
      title: incident.title,
      start: incident.start,
      note: link.note,
      sources: incident.sources.map((s) => ({ url: s.url, outlet: s.outlet })),
    });
  }
  incidents.sort((a, b) => a.start.localeCompare(b.start));
  const [screening] = await db.query<ScreeningRow>(
    'SELECT * FROM person_screenings WHERE person_id = $1 ORDER BY screened_at DESC LIMIT 1',
    [row.id],
  );
  return {
    id: row.id,
    situationSlug: slug,
    kind: row.kind,
    name: row.name,
    aliases: row.aliases,
    role: row.role,
    roleSince: row.role_since,
    roleUntil: row.role_until,
    nationality: row.nationality,
    birthDate: row.birth_date,
    notes: row.notes,
    sources: row.sources.map((s) => ({ url: s.url, outlet: s.outlet ?? null })),
    incidents,
    latestScreening: screening ? screeningFromRow(screening) : null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export async function getPerson(db: Queryable, actor: Actor, id: string): Promise<Person> {
  const { row, situation } = await readablePerson(db, actor, id);
  return personFromRow(db, actor, row, situation.slug);
}

export async function listPersons(db: Queryable, actor: Actor, slug: string): Promise<Person[]> {
  const situation = await getSituation(db, actor, slug, 'sanctions.screen');
  const rows = await db.query<PersonRow>(
    'SELECT * FROM persons_of_interest WHERE situation_id = $1 ORDER BY name, id',
    [situation.id],
  );
  const out: Person[] = [];
  for (const row of rows) out.push(await personFromRow(db, actor, row, situation.slug));
  return out;
}

/** Screens a person's name and aliases against the active lists and keeps the result. */
export async function screenPerson(
  db: Database,
  actor: Actor,
  id: string,
  threshold?: number,
): Promise<Person> {
  const { row } = await readablePerson(db, actor, id);
  const names = [row.name, ...row.aliases];
  const screened = await screenNames(db, names, { threshold });
  const matches = screened.results.flatMap((r) => r.matches.map((m) => ({ screenedName: r.name, ...m })));
  // One row per list entry: the best score any of the person's names reached.
  const best = new Map<string, (typeof matches)[number]>();
  for (const m of matches) {
    const key = `${m.list.id}/${m.entryId}`;
    if ((best.get(key)?.score ?? -1) < m.score) best.set(key, m);
  }
  await db.query(
    `INSERT INTO person_screenings (person_id, screened_by_label, threshold, lists, matches) VALUES ($1, $2, $3, $4, $5)`,
    [
      id,
      authorOf(actor).label,
      screened.threshold,
      JSON.stringify(screened.lists.map((l) => ({ id: l.id, source: l.source, version: l.version }))),
      JSON.stringify([...best.values()].sort((a, b) => b.score - a.score)),
    ],
  );
  return getPerson(db, actor, id);
}

export interface Dossier {
  format: 'vigil-dossier/1';
  generatedAt: string;
  purpose: string;
  situation: { slug: string; name: string; startsOn: string; endsOn: string | null };
  person: Omit<Person, 'latestScreening' | 'incidents'>;
  evidence: Person['incidents'];
  screening: PersonScreening | null;
  caveats: string[];
}

export async function buildDossier(db: Queryable, actor: Actor, id: string): Promise<Dossier> {
  const { row, situation } = await readablePerson(db, actor, id);
  const person = await personFromRow(db, actor, row, situation.slug);
  const { latestScreening, incidents, ...rest } = person;
  const caveats = [
    'A name match is not an identification: compare dates of birth, nationalities and other details before relying on it.',
    'List results are as of the list versions named; lists change, so screen again against current files before a submission.',
  ];
  if (!latestScreening) caveats.push('This person has not been screened yet.');
  else if (latestScreening.matches.length === 0)
    caveats.push(
      'No list entry matched at the threshold used: the person does not appear to be designated on these lists.',
    );
  return {
    format: 'vigil-dossier/1',
    generatedAt: new Date().toISOString(),
    purpose:
      'Supporting material for a targeted-sanctions submission (e.g. under the Global Magnitsky Act): the person, their role, the documented incidents and current list status.',
    situation: {
      slug: situation.slug,
      name: situation.name,
      startsOn: situation.startsOn,
      endsOn: situation.endsOn,
    },
    person: rest,
    evidence: incidents,
    screening: latestScreening,
    caveats,
  };
}

const src = (sources: readonly SourceOut[]) =>
  sources.map((s) => (s.outlet ? `[${s.outlet}](${s.url})` : `<${s.url}>`)).join('; ');
const md = (text: string) => text.replace(/([\\`*_{}[\]<>|#])/g, '\\$1');

export function dossierMarkdown(d: Dossier): string {
  const p = d.person;
  const out: string[] = [
    `# Dossier: ${md(p.name)}`,
    '',
    `Situation: ${md(d.situation.name)} (${d.situation.startsOn} to ${d.situation.endsOn ?? 'ongoing'}). Generated ${d.generatedAt} by Vigil.`,
    '',
    `> ${d.purpose}`,
    '',
    '## Person',
    '',
    `- Name: ${md(p.name)} (${p.kind})`,
  ];
  if (p.aliases.length) out.push(`- Also known as: ${p.aliases.map(md).join('; ')}`);
  out.push(
    `- Role: ${md(p.role)}${p.roleSince ? ` (from ${p.roleSince}${p.roleUntil ? ` to ${p.roleUntil}` : ''})` : ''}`,
  );
  if (p.nationality) out.push(`- Nationality: ${md(p.nationality)}`);
  if (p.birthDate) out.push(`- Born: ${p.birthDate}`);
  if (p.sources.length) out.push(`- Sources for the role: ${src(p.sources)}`);
  if (p.notes) out.push('', md(p.notes));
  out.push('', '## Evidence: documented incidents', '');
  if (d.evidence.length === 0) out.push('No incidents are linked yet.');
  for (const e of d.evidence) {
    out.push(
      `- ${e.start}: ${md(e.title)}${e.note ? ` — ${md(e.note)}` : ''}`,
      `  Sources: ${src(e.sources)}`,
    );
  }
  out.push('', '## Sanctions list status', '');
  const s = d.screening;
  if (!s) out.push('Not screened yet.');
  else {
    out.push(`Screened ${s.screenedAt} by ${md(s.screenedBy)}, threshold ${s.threshold}, against:`, '');
    for (const l of s.lists) out.push(`- ${l.source}, ${l.version}`);
    out.push('');
    if (s.matches.length === 0) out.push('No entry matched.');
    else {
      out.push(
        '| list | entry | listed name | matched name | score | why |',
        '| --- | --- | --- | --- | ---: | --- |',
      );
      for (const m of s.matches) {
        out.push(
          `| ${m.list.source} (${md(m.list.version)}) | ${md(m.entryId)} | ${md(m.name)} | ${md(m.matchedName)} | ${m.score.toFixed(3)} | ${md(m.reasons.join('; '))} |`,
        );
      }
    }
  }
  out.push('', '## Caveats', '', ...d.caveats.map((c) => `- ${c}`), '');
  return out.join('\n');
}
