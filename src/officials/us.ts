// Reads the bundled US directory (datasets/officials-us/, unitedstates/congress-legislators, CC0) into
// directory snapshots: members of Congress with their offices and committees, and the executive in office.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { CommitteeInput, DirectorySnapshot, MembershipInput, Office, OfficialInput } from './types.ts';

export const BUNDLED_US_DIR = new URL('../../datasets/officials-us/', import.meta.url).pathname;

export class DirectoryFormatError extends Error {}

type Yaml = Record<string, unknown>;

const isObject = (v: unknown): v is Yaml => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null =>
  typeof v === 'string' && v.trim() !== '' ? v.trim() : typeof v === 'number' ? String(v) : null;

function readYaml(dir: string, file: string): unknown {
  let text: string;
  try {
    text = readFileSync(`${dir.replace(/\/?$/, '/')}${file}`, 'utf8');
  } catch (error) {
    throw new DirectoryFormatError(`${file}: cannot read (${(error as Error).message})`);
  }
  try {
    return parse(text);
  } catch (error) {
    throw new DirectoryFormatError(`${file}: not valid YAML (${(error as Error).message})`);
  }
}

function list(value: unknown, file: string): Yaml[] {
  if (!Array.isArray(value) || !value.every(isObject))
    throw new DirectoryFormatError(`${file}: expected a list of records`);
  return value;
}

export function sortName(given: string | null, family: string | null, name: string): string {
  const text = family ? `${family} ${given ?? ''}` : name;
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
}

function names(record: Yaml, file: string, index: number) {
  const name = isObject(record.name) ? record.name : null;
  const given = str(name?.first);
  const family = str(name?.last);
  if (!given || !family)
    throw new DirectoryFormatError(`${file}: record ${index + 1} has no name.first/last`);
  const nickname = str(name?.nickname);
  const full = str(name?.official_full) ?? `${nickname ?? given} ${family}`;
  return { name: full, given, family };
}

function ids(record: Yaml, file: string, index: number): { bioguide: string; ids: Record<string, unknown> } {
  const id = isObject(record.id) ? record.id : null;
  const bioguide = str(id?.bioguide);
  if (!id || !bioguide) throw new DirectoryFormatError(`${file}: record ${index + 1} has no id.bioguide`);
  return { bioguide, ids: id };
}

function terms(record: Yaml, file: string, index: number): Yaml[] {
  const t = record.terms;
  if (!Array.isArray(t) || t.length === 0 || !t.every(isObject))
    throw new DirectoryFormatError(`${file}: record ${index + 1} has no terms`);
  return t;
}

const termSummary = (t: Yaml) => ({
  type: str(t.type),
  start: str(t.start),
  end: str(t.end),
  state: str(t.state),
  district: typeof t.district === 'number' ? t.district : null,
  party: str(t.party),
});

/** Reads a folder with the congress-legislators files (by default the bundled snapshot). */
export function readUsDirectory(dir = BUNDLED_US_DIR, today = new Date().toISOString().slice(0, 10)) {
  const legislators = list(readYaml(dir, 'legislators-current.yaml'), 'legislators-current.yaml');
  const districtOffices = list(
    readYaml(dir, 'legislators-district-offices.yaml'),
    'legislators-district-offices.yaml',
  );
  const social = list(readYaml(dir, 'legislators-social-media.yaml'), 'legislators-social-media.yaml');
  const committeesYaml = list(readYaml(dir, 'committees-current.yaml'), 'committees-current.yaml');
  const membershipYaml = readYaml(dir, 'committee-membership-current.yaml');
  if (!isObject(membershipYaml))
    throw new DirectoryFormatError('committee-membership-current.yaml: expected a map of committee codes');
  const executiveYaml = list(readYaml(dir, 'executive.yaml'), 'executive.yaml');

  const officesById = new Map<string, Office[]>();
  for (const entry of districtOffices) {
    const bioguide = isObject(entry.id) ? str(entry.id.bioguide) : null;
    if (!bioguide || !Array.isArray(entry.offices)) continue;
    officesById.set(
      bioguide,
      entry.offices.filter(isObject).map((o) => ({
        kind: 'district' as const,
        address: [str(o.building), str(o.address), str(o.suite)].filter(Boolean).join(', '),
        city: str(o.city),
        region: str(o.state),
        postalCode: str(o.zip),
        phone: str(o.phone),
        fax: str(o.fax),
      })),
    );
  }
  const socialById = new Map<string, Record<string, unknown>>();
  for (const entry of social) {
    const bioguide = isObject(entry.id) ? str(entry.id.bioguide) : null;
    if (bioguide && isObject(entry.social)) socialById.set(bioguide, entry.social);
  }

  const congress: OfficialInput[] = legislators.map((record, index) => {
    const file = 'legislators-current.yaml';
    const { bioguide, ids: allIds } = ids(record, file, index);
    const n = names(record, file, index);
    const all = terms(record, file, index);
    const term = all[all.length - 1]!;
    const type = str(term.type);
    if (type !== 'sen' && type !== 'rep')
      throw new DirectoryFormatError(
        `${file}: record ${index + 1} (${bioguide}) last term is not sen or rep`,
      );
    const state = str(term.state);
    if (!state) throw new DirectoryFormatError(`${file}: record ${index + 1} (${bioguide}) has no state`);
    const capitol: Office = {
      kind: 'capitol',
      address: str(term.address) ?? str(term.office) ?? '',
      city: 'Washington',
      region: 'DC',
      postalCode: null,
      phone: str(term.phone),
      fax: str(term.fax),
    };
    return {
      externalId: bioguide,
      name: n.name,
      givenName: n.given,
      familyName: n.family,
      chamber: type === 'sen' ? 'senate' : 'house',
      title: type === 'sen' ? 'Senator' : 'Representative',
      region: state,
      district: type === 'rep' && typeof term.district === 'number' ? term.district : null,
      party: str(term.party),
      email: null,
      phone: str(term.phone),
      contactForm: str(term.contact_form),
      url: str(term.url),
      offices: [capitol, ...(officesById.get(bioguide) ?? [])],
      terms: all.map(termSummary),
      ids: allIds,
      social: socialById.get(bioguide) ?? {},
    };
  });

  const committees: CommitteeInput[] = [];
  for (const [index, c] of committeesYaml.entries()) {
    const code = str(c.thomas_id);
    const name = str(c.name);
    if (!code || !name)
      throw new DirectoryFormatError(`committees-current.yaml: record ${index + 1} has no thomas_id/name`);
    const chamber = str(c.type) ?? 'joint';
    committees.push({
      code,
      parentCode: null,
      chamber,
      name,
      url: str(c.url),
      phone: str(c.phone),
      address: str(c.address),
    });
    if (Array.isArray(c.subcommittees)) {
      for (const s of c.subcommittees.filter(isObject)) {
        const sub = str(s.thomas_id);
        const subName = str(s.name);
        if (!sub || !subName) continue;
        committees.push({
          code: `${code}${sub}`,
          parentCode: code,
          chamber,
          name: `${name}: ${subName}`,
          url: null,
          phone: str(s.phone),
          address: str(s.address),
        });
      }
    }
  }
  const known = new Set(committees.map((c) => c.code));
  const memberships: MembershipInput[] = [];
  for (const [code, members] of Object.entries(membershipYaml)) {
    if (!known.has(code) || !Array.isArray(members)) continue;
    for (const m of members.filter(isObject)) {
      const bioguide = str(m.bioguide);
      if (!bioguide) continue;
      memberships.push({
        committeeCode: code,
        externalId: bioguide,
        rank: typeof m.rank === 'number' ? m.rank : null,
        title: str(m.title),
        side: str(m.party),
      });
    }
  }

  const executive: OfficialInput[] = [];
  for (const [index, record] of executiveYaml.entries()) {
    const all = terms(record, 'executive.yaml', index);
    const term = all[all.length - 1]!;
    const end = str(term.end);
    const start = str(term.start);
    if (!end || !start || start > today || end <= today) continue;
    const n = names(record, 'executive.yaml', index);
    const idMap = isObject(record.id) ? record.id : {};
    const externalId = str(idMap.bioguide) ?? `govtrack:${str(idMap.govtrack) ?? n.name}`;
    const president = str(term.type) === 'prez';
    executive.push({
      externalId,
      name: n.name,
      givenName: n.given,
      familyName: n.family,
      chamber: 'executive',
      title: president ? 'President' : 'Vice President',
      region: null,
      district: null,
      party: str(term.party),
      email: null,
      phone: null,
      contactForm: president ? 'https://www.whitehouse.gov/contact/' : null,
      url: 'https://www.whitehouse.gov/',
      offices: [
        {
          kind: 'executive',
          address: '1600 Pennsylvania Avenue NW',
          city: 'Washington',
          region: 'DC',
          postalCode: '20500',
          phone: null,
          fax: null,
        },
      ],
      terms: all.map(termSummary),
      ids: idMap,
      social: {},
    });
  }

  const from = dir === BUNDLED_US_DIR ? 'datasets/officials-us (bundled snapshot)' : dir;
  const snapshots: DirectorySnapshot[] = [
    { source: 'us-congress', country: 'US', loadedFrom: from, officials: congress, committees, memberships },
    { source: 'us-executive', country: 'US', loadedFrom: from, officials: executive },
  ];
  return snapshots;
}
