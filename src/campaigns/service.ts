// Campaigns: an ask per situation, its targets (by rule or by hand), letters and call scripts with merge
// fields, and each official's recorded position on the ask. Reads follow the situation's visibility
// (drafts only for `campaign.write` in the situation's organisation); writes need `campaign.write` (organiser,
// admin) and, in a situation of an organisation, its membership (docs/organisations.md).
import { type Actor, ANONYMOUS, canIn, requirePermission } from '../auth/permissions.ts';
import type { Database, Queryable } from '../db/types.ts';
import { ConflictError, NotFoundError, ValidationError } from '../lib/errors.ts';
import type { Official } from '../officials/schema.ts';
import {
  ensureDirectory,
  getOfficial,
  getOfficialsByIds,
  officialIdsMatching,
} from '../officials/service.ts';
import { getSituation } from '../situations/service.ts';
import type {
  CallScripts,
  Campaign,
  CampaignCreate,
  CampaignPatch,
  DeliveryRoute,
  Position,
  PositionCreate,
  PositionValue,
  Target,
  TargetRule,
} from './schema.ts';

export interface CampaignRecord extends Campaign {
  situationId: string;
}

interface CampaignRow {
  id: string;
  slug: string;
  situation_id: string;
  situation_slug: string;
  title: string;
  ask: string;
  status: Campaign['status'];
  target_rules: TargetRule[];
  letter_subject: string;
  letter_template: string;
  call_scripts: CallScripts;
  petition_text: string | null;
  target_officials: string[] | null;
  signature_count: number;
  created_at: Date;
  updated_at: Date;
}

const SELECT = `SELECT c.id, c.slug, c.situation_id, s.slug AS situation_slug, c.title, c.ask, c.status, c.target_rules,
    c.letter_subject, c.letter_template, c.call_scripts, c.petition_text, c.created_at, c.updated_at,
    (SELECT array_agg(t.official_id::text ORDER BY t.official_id) FROM campaign_targets t WHERE t.campaign_id = c.id)
      AS target_officials,
    (SELECT count(*)::integer FROM petition_signatures p WHERE p.campaign_id = c.id AND p.confirmed_at IS NOT NULL)
      AS signature_count
  FROM campaigns c JOIN situations s ON s.id = c.situation_id`;

function fromRow(r: CampaignRow): CampaignRecord {
  return {
    id: r.id,
    slug: r.slug,
    situation: r.situation_slug,
    situationId: r.situation_id,
    title: r.title,
    ask: r.ask,
    status: r.status,
    targetRules: r.target_rules,
    letterSubject: r.letter_subject,
    letterTemplate: r.letter_template,
    callScripts: r.call_scripts,
    petitionText: r.petition_text,
    targetOfficials: r.target_officials ?? [],
    signatureCount: r.signature_count,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

// Merge fields (docs/campaigns.md). Unknown ones are refused when a template is saved.
export const MERGE_FIELDS = [
  'official.name',
  'official.title',
  'official.given_name',
  'official.family_name',
  'official.state',
  'official.district',
  'official.party',
  'official.phone',
  'official.committees',
  'campaign.title',
  'campaign.ask',
  'supporter.name',
  'supporter.region',
  'supporter.postal_code',
] as const;
const MERGE = /\{\{\s*([a-z_.]+)\s*\}\}/g;

function checkTemplate(field: string, text: string | undefined): void {
  if (!text) return;
  const unknown = [...text.matchAll(MERGE)]
    .map((m) => m[1]!)
    .filter((f) => !(MERGE_FIELDS as readonly string[]).includes(f));
  if (unknown.length)
    throw ValidationError.field(
      field,
      `unknown merge field(s) ${[...new Set(unknown)].map((f) => `{{${f}}}`).join(', ')}`,
    );
}

function checkTemplates(input: Partial<CampaignCreate>): void {
  checkTemplate('letterSubject', input.letterSubject);
  checkTemplate('letterTemplate', input.letterTemplate);
  for (const [key, text] of Object.entries(input.callScripts ?? {}))
    checkTemplate(`callScripts.${key}`, text);
}

export function renderTemplate(text: string, values: Record<string, string | null | undefined>): string {
  return text.replace(MERGE, (whole, name: string) => {
    if (!(name in values)) return whole;
    return values[name] ?? '';
  });
}

async function findCampaign(db: Queryable, slug: string): Promise<CampaignRecord | null> {
  const rows = await db.query<CampaignRow>(`${SELECT} WHERE c.slug = $1`, [slug]);
  return rows[0] ? fromRow(rows[0]) : null;
}

/** A campaign the actor may see: its situation readable, and a draft only with `campaign.write`. */
export async function getCampaign(db: Queryable, actor: Actor, slug: string): Promise<CampaignRecord> {
  const campaign = await findCampaign(db, slug);
  if (!campaign) throw new NotFoundError(`campaign ${slug}`);
  let organisationId: string | null;
  try {
    organisationId = (await getSituation(db, actor, campaign.situation)).organisationId;
  } catch {
    throw new NotFoundError(`campaign ${slug}`);
  }
  // A draft is the organisation's work in progress: its members (and admins) see it, no one else.
  if (campaign.status === 'draft' && !canIn(actor, 'campaign.write', organisationId))
    throw new NotFoundError(`campaign ${slug}`);
  return campaign;
}

/** A campaign the actor may change: readable, and `campaign.write` in its situation's organisation (403). */
async function getCampaignToWrite(db: Queryable, actor: Actor, slug: string): Promise<CampaignRecord> {
  const campaign = await getCampaign(db, actor, slug);
  await getSituation(db, actor, campaign.situation, 'campaign.write');
  return campaign;
}

/**
 * The few fields a public action needs (signing, letters), in one light query: an active campaign of a
 * situation anyone may read. The petition endpoint's throughput rests on this (bench/campaigns.ts).
 */
type PublicCampaign = { id: string; slug: string; title: string; ask: string; petitionText: string | null };
// Looked up at most once a second per campaign: a flood of signatures costs one statement each, and a
// campaign closed or made private stops taking signatures within a second.
const publicCampaigns = new WeakMap<Queryable, Map<string, { until: number; campaign: PublicCampaign }>>();
const PUBLIC_CAMPAIGN_TTL_MS = 1000;

export async function activePublicCampaign(db: Queryable, slug: string): Promise<PublicCampaign> {
  let cache = publicCampaigns.get(db);
  if (!cache) {
    cache = new Map();
    publicCampaigns.set(db, cache);
  }
  const hit = cache.get(slug);
  if (hit && hit.until > Date.now()) return hit.campaign;
  const campaign = await lookUpPublicCampaign(db, slug);
  cache.set(slug, { until: Date.now() + PUBLIC_CAMPAIGN_TTL_MS, campaign });
  return campaign;
}

async function lookUpPublicCampaign(db: Queryable, slug: string): Promise<PublicCampaign> {
  const [row] = await db.query<{
    id: string;
    slug: string;
    title: string;
    ask: string;
    status: string;
    petition_text: string | null;
    situation_slug: string;
  }>(
    `SELECT c.id, c.slug, c.title, c.ask, c.status, c.petition_text, s.slug AS situation_slug
     FROM campaigns c JOIN situations s ON s.id = c.situation_id WHERE c.slug = $1`,
    [slug],
  );
  if (row?.status !== 'active') throw new NotFoundError(`campaign ${slug}`);
  try {
    await getSituation(db, ANONYMOUS, row.situation_slug);
  } catch {
    throw new NotFoundError(`campaign ${slug}`);
  }
  return { id: row.id, slug: row.slug, title: row.title, ask: row.ask, petitionText: row.petition_text };
}

export async function listCampaigns(
  db: Queryable,
  actor: Actor,
  situationSlug: string,
): Promise<CampaignRecord[]> {
  const situation = await getSituation(db, actor, situationSlug);
  const rows = await db.query<CampaignRow>(
    `${SELECT} WHERE c.situation_id = $1 ORDER BY c.created_at, c.slug`,
    [situation.id],
  );
  const seesDrafts = canIn(actor, 'campaign.write', situation.organisationId);
  return rows.map(fromRow).filter((c) => c.status !== 'draft' || seesDrafts);
}

async function setTargets(tx: Queryable, campaignId: string, officialIds: string[]): Promise<void> {
  const unique = [...new Set(officialIds)];
  if (unique.length) {
    const found = await tx.query<{ id: string }>('SELECT id FROM officials WHERE id = ANY($1::uuid[])', [
      unique,
    ]);
    const known = new Set(found.map((r) => r.id));
    const index = unique.findIndex((id) => !known.has(id));
    if (index >= 0) throw ValidationError.field(`targetOfficials.${index}`, `no official ${unique[index]}`);
  }
  await tx.query('DELETE FROM campaign_targets WHERE campaign_id = $1', [campaignId]);
  if (unique.length)
    await tx.query('INSERT INTO campaign_targets (campaign_id, official_id) SELECT $1, unnest($2::uuid[])', [
      campaignId,
      unique,
    ]);
}

export async function createCampaign(
  db: Database,
  actor: Actor,
  situationSlug: string,
  input: CampaignCreate,
): Promise<CampaignRecord> {
  const user = requirePermission(actor, 'campaign.write');
  const situation = await getSituation(db, actor, situationSlug, 'campaign.write');
  checkTemplates(input);
  if (await findCampaign(db, input.slug)) throw new ConflictError(`a campaign ${input.slug} already exists`);
  await db.transaction(async (tx) => {
    const [row] = await tx.query<{ id: string }>(
      `INSERT INTO campaigns (situation_id, slug, title, ask, status, target_rules, letter_subject, letter_template,
         call_scripts, petition_text, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
      [
        situation.id,
        input.slug,
        input.title,
        input.ask,
        input.status ?? 'active',
        JSON.stringify(input.targetRules ?? []),
        input.letterSubject ?? '',
        input.letterTemplate ?? '',
        JSON.stringify(input.callScripts ?? {}),
        input.petitionText ?? null,
        user.id,
      ],
    );
    await setTargets(tx, row!.id, input.targetOfficials ?? []);
  });
  return (await findCampaign(db, input.slug))!;
}

export async function updateCampaign(
  db: Database,
  actor: Actor,
  slug: string,
  patch: CampaignPatch,
): Promise<CampaignRecord> {
  requirePermission(actor, 'campaign.write');
  const campaign = await getCampaignToWrite(db, actor, slug);
  checkTemplates(patch);
  const columns: Record<string, unknown> = {
    title: patch.title,
    ask: patch.ask,
    status: patch.status,
    target_rules: patch.targetRules && JSON.stringify(patch.targetRules),
    letter_subject: patch.letterSubject,
    letter_template: patch.letterTemplate,
    call_scripts: patch.callScripts && JSON.stringify(patch.callScripts),
    petition_text: patch.petitionText,
  };
  await db.transaction(async (tx) => {
    const sets: string[] = [];
    const params: unknown[] = [];
    for (const [column, value] of Object.entries(columns)) {
      if (value === undefined) continue;
      params.push(value);
      sets.push(`${column} = $${params.length}`);
    }
    params.push(campaign.id);
    await tx.query(
      `UPDATE campaigns SET ${[...sets, 'updated_at = now()'].join(', ')} WHERE id = $${params.length}`,
      params,
    );
    if (patch.targetOfficials) await setTargets(tx, campaign.id, patch.targetOfficials);
  });
  publicCampaigns.get(db)?.delete(slug);
  return (await findCampaign(db, slug))!;
}

// Positions -----------------------------------------------------------------------------------------

interface PositionRow {
  id: string;
  official_id: string;
  campaign_slug: string;
  position: PositionValue;
  stated_on: string | null;
  note: string | null;
  source_url: string | null;
  source_text: string | null;
  recorded_by_label: string;
  recorded_at: Date;
}

const toPosition = (r: PositionRow): Position => ({
  id: r.id,
  officialId: r.official_id,
  campaign: r.campaign_slug,
  position: r.position,
  statedOn: r.stated_on,
  note: r.note,
  sourceUrl: r.source_url,
  sourceText: r.source_text,
  recordedBy: r.recorded_by_label,
  recordedAt: r.recorded_at.toISOString(),
});

export async function recordPosition(
  db: Database,
  actor: Actor,
  officialId: string,
  input: PositionCreate,
): Promise<{ current: Position; history: Position[] }> {
  const user = requirePermission(actor, 'campaign.write');
  if (!input.sourceUrl && !input.sourceText)
    throw ValidationError.field('sourceUrl', 'a position needs its source: sourceUrl or sourceText');
  const campaign = await getCampaignToWrite(db, actor, input.campaign);
  const official = await getOfficial(db, officialId);
  await db.query(
    `INSERT INTO official_positions (official_id, campaign_id, position, stated_on, note, source_url, source_text,
       recorded_by, recorded_by_label)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      official.id,
      campaign.id,
      input.position,
      input.statedOn ?? null,
      input.note ?? null,
      input.sourceUrl ?? null,
      input.sourceText ?? null,
      actor.kind === 'user' && actor.user.id !== '00000000-0000-0000-0000-000000000000' ? user.id : null,
      user.email,
    ],
  );
  const history = await positionHistory(db, actor, official.id, campaign.slug);
  return { current: history.current!, history: history.history };
}

export async function positionHistory(
  db: Database,
  actor: Actor,
  officialId: string,
  campaignSlug: string,
): Promise<{ officialId: string; campaign: string; current: Position | null; history: Position[] }> {
  const campaign = await getCampaign(db, actor, campaignSlug);
  const official = await getOfficial(db, officialId);
  const rows = await db.query<PositionRow>(
    `SELECT p.id, p.official_id, c.slug AS campaign_slug, p.position, p.stated_on, p.note, p.source_url, p.source_text,
       p.recorded_by_label, p.recorded_at
     FROM official_positions p JOIN campaigns c ON c.id = p.campaign_id
     WHERE p.official_id = $1 AND p.campaign_id = $2 ORDER BY p.recorded_at, p.id`,
    [official.id, campaign.id],
  );
  const history = rows.map(toPosition);
  return {
    officialId: official.id,
    campaign: campaign.slug,
    current: history[history.length - 1] ?? null,
    history,
  };
}

/** The current position of each official on a campaign's ask ('unknown' when none is recorded). */
async function currentPositions(
  db: Queryable,
  campaignId: string,
  officialIds: string[],
): Promise<Map<string, PositionValue>> {
  const rows = await db.query<{ official_id: string; position: PositionValue }>(
    `SELECT DISTINCT ON (official_id) official_id, position FROM official_positions
     WHERE campaign_id = $1 AND official_id = ANY($2::uuid[]) ORDER BY official_id, recorded_at DESC, id DESC`,
    [campaignId, officialIds],
  );
  return new Map(rows.map((r) => [r.official_id, r.position]));
}

// Targets, scripts and letters ----------------------------------------------------------------------

export interface SupporterPlace {
  state?: string;
  district?: number;
}

function describeRule(rule: TargetRule): string {
  if ('committee' in rule) return `committee ${rule.committee.toUpperCase()}`;
  if ('delegation' in rule) return 'your delegation';
  if ('state' in rule) return `state ${rule.state.toUpperCase()}${rule.chamber ? ` (${rule.chamber})` : ''}`;
  return `chamber ${rule.chamber}`;
}

/** The official's first office as postal address lines (name first), or null without an office. */
export function postalAddress(official: Official): string | null {
  const office = official.offices[0];
  if (!office) return null;
  return [
    official.name,
    official.title,
    office.address,
    [office.city, office.region, office.postalCode].filter(Boolean).join(' '),
  ]
    .filter(Boolean)
    .join('\n');
}

export function deliveryRoute(official: Official): DeliveryRoute {
  if (official.email) return { kind: 'email', address: official.email };
  if (official.contactForm) return { kind: 'contact_form', address: official.contactForm };
  return { kind: 'postal', address: postalAddress(official) ?? official.name };
}

/** The campaign's targets: by rule (delegation rules need the supporter's state and district) and by hand. */
export async function resolveTargets(
  db: Database,
  actor: Actor,
  slug: string,
  place: SupporterPlace = {},
): Promise<Target[]> {
  const campaign = await getCampaign(db, actor, slug);
  await ensureDirectory(db);
  if (place.district !== undefined && !place.state)
    throw ValidationError.field('district', 'needs state (districts are numbered within a state)');
  const why = new Map<string, string[]>();
  const add = (ids: string[], reason: string) => {
    for (const id of ids) why.set(id, [...(why.get(id) ?? []), reason]);
  };
  for (const rule of campaign.targetRules) {
    if ('committee' in rule)
      add(await officialIdsMatching(db, { committee: rule.committee }), describeRule(rule));
    else if ('delegation' in rule) {
      if (!place.state) continue;
      add(await officialIdsMatching(db, { state: place.state, chamber: 'senate' }), describeRule(rule));
      if (place.district !== undefined)
        add(
          await officialIdsMatching(db, { state: place.state, chamber: 'house', district: place.district }),
          describeRule(rule),
        );
    } else if ('state' in rule)
      add(await officialIdsMatching(db, { state: rule.state, chamber: rule.chamber }), describeRule(rule));
    else add(await officialIdsMatching(db, { chamber: rule.chamber }), describeRule(rule));
  }
  add(campaign.targetOfficials, 'chosen by hand');
  const officials = await getOfficialsByIds(db, [...why.keys()]);
  const positions = await currentPositions(db, campaign.id, [...why.keys()]);
  return officials.map((official) => ({
    official,
    position: positions.get(official.id) ?? 'unknown',
    why: why.get(official.id) ?? [],
    delivery: deliveryRoute(official),
  }));
}

export interface SupporterFields {
  name?: string;
  region?: string;
  postalCode?: string;
}

/** The call script (chosen by the official's recorded position) and the letter for one official. */
export async function actionText(
  db: Database,
  actor: Actor,
  slug: string,
  officialId: string,
  supporter: SupporterFields = {},
) {
  const campaign = await getCampaign(db, actor, slug);
  const official = await getOfficial(db, officialId);
  const position = (await currentPositions(db, campaign.id, [official.id])).get(official.id) ?? 'unknown';
  const ruleCommittees = new Set(
    campaign.targetRules.flatMap((r) => ('committee' in r ? [r.committee.toUpperCase()] : [])),
  );
  const seats = official.committees.filter((c) => ruleCommittees.has(c.code));
  const values: Record<string, string | null> = {
    'official.name': official.name,
    'official.title': official.title,
    'official.given_name': official.givenName,
    'official.family_name': official.familyName,
    'official.state': official.state,
    'official.district': official.district === null ? null : String(official.district),
    'official.party': official.party,
    'official.phone': official.phone,
    'official.committees': seats.map((c) => c.name).join(', '),
    'campaign.title': campaign.title,
    'campaign.ask': campaign.ask,
    'supporter.name': supporter.name ?? null,
    'supporter.region': supporter.region ?? null,
    'supporter.postal_code': supporter.postalCode ?? null,
  };
  const scripts = campaign.callScripts;
  let script = scripts[position] ?? scripts.default ?? `Please ${campaign.ask}`;
  if (seats.length && scripts.committee) script = `${script}\n\n${scripts.committee}`;
  const { terms: _terms, ids: _ids, social: _social, ...summary } = official;
  return {
    official: summary,
    position,
    script: renderTemplate(script, values),
    letterSubject: renderTemplate(campaign.letterSubject || campaign.title, values),
    letter: renderTemplate(campaign.letterTemplate, values),
    delivery: deliveryRoute(summary),
  };
}

// Calls and letters ---------------------------------------------------------------------------------

/** Records what happened on a supporter's call (public; no personal data). */
export async function reportCall(
  db: Database,
  slug: string,
  input: { official: string; outcome: string; statedPosition?: PositionValue },
): Promise<void> {
  const campaign = await getCampaign(db, ANONYMOUS, slug);
  if (campaign.status !== 'active') throw new NotFoundError(`campaign ${slug}`);
  const official = await getOfficial(db, input.official);
  await db.query(
    'INSERT INTO campaign_calls (campaign_id, official_id, outcome, stated_position) VALUES ($1, $2, $3, $4)',
    [campaign.id, official.id, input.outcome, input.statedPosition ?? null],
  );
}

/** Call outcomes per official, most called first. */
export async function callSummary(db: Database, actor: Actor, slug: string) {
  const campaign = await getCampaign(db, actor, slug);
  const rows = await db.query<{
    official_id: string;
    name: string;
    outcome: string;
    stated_position: string | null;
    n: number;
  }>(
    `SELECT k.official_id, o.name, k.outcome, k.stated_position, count(*)::integer AS n
     FROM campaign_calls k JOIN officials o ON o.id = k.official_id
     WHERE k.campaign_id = $1 GROUP BY k.official_id, o.name, k.outcome, k.stated_position`,
    [campaign.id],
  );
  const byOfficial = new Map<
    string,
    {
      officialId: string;
      name: string;
      calls: number;
      outcomes: Record<string, number>;
      statedPositions: Record<string, number>;
    }
  >();
  for (const r of rows) {
    const entry = byOfficial.get(r.official_id) ?? {
      officialId: r.official_id,
      name: r.name,
      calls: 0,
      outcomes: {},
      statedPositions: {},
    };
    entry.calls += r.n;
    entry.outcomes[r.outcome] = (entry.outcomes[r.outcome] ?? 0) + r.n;
    if (r.stated_position)
      entry.statedPositions[r.stated_position] = (entry.statedPositions[r.stated_position] ?? 0) + r.n;
    byOfficial.set(r.official_id, entry);
  }
  return [...byOfficial.values()].sort((a, b) => b.calls - a.calls || a.name.localeCompare(b.name));
}

const words = (text: string) =>
  text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);

/**
 * How much of a written letter differs from the template filled for its official: the share of words not
 * matched, in order, by the template (longest common subsequence). Under 5 % counts as unchanged.
 */
export function compareLetter(templateText: string, writtenText: string) {
  const template = words(templateText);
  const written = words(writtenText);
  const previous = new Array<number>(template.length + 1).fill(0);
  for (const w of written) {
    let diagonal = 0;
    for (let j = 1; j <= template.length; j++) {
      const above = previous[j]!;
      previous[j] = w === template[j - 1] ? diagonal + 1 : Math.max(previous[j]!, previous[j - 1]!);
      diagonal = above;
    }
  }
  const common = previous[template.length] ?? 0;
  const total = Math.max(written.length, template.length, 1);
  const changedShare = Math.round(((total - common) / total) * 1000) / 1000;
  const unchanged = changedShare < 0.05;
  return {
    unchanged,
    changedShare,
    warning: unchanged
      ? 'Your letter is the template unchanged. Offices give identical letters less weight: say in your own words why this matters to you.'
      : null,
  };
}

/** Compares a supporter's letter with the template for that official, as WriteToThem warns of identical letters. */
export async function checkLetter(
  db: Database,
  actor: Actor,
  slug: string,
  input: { official: string; text: string } & SupporterFields,
) {
  const { letter } = await actionText(db, actor, slug, input.official, input);
  return compareLetter(letter, input.text);
}
