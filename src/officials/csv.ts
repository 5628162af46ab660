// Any country's officials from a file (docs/officials.md, "Other countries"): CSV (with an optional CSV of
// committees) or YAML (officials and committees in one document). Both become the same records, checked by
// the same rules; every error is reported as `file:line: field: reason`, and then nothing is stored.
import { parse } from 'csv-parse/sync';
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, type YAMLMap } from 'yaml';
import { type FieldError, ValidationError } from '../lib/errors.ts';
import type { CommitteeInput, DirectorySnapshot, MembershipInput, OfficialInput } from './types.ts';

export const CSV_COLUMNS = [
  'id',
  'name',
  'given_name',
  'family_name',
  'title',
  'body',
  'region',
  'district',
  'party',
  'email',
  'phone',
  'address',
  'contact_form',
  'url',
  'committees',
] as const;
export const COMMITTEE_COLUMNS = ['code', 'name', 'body', 'parent_code', 'url'] as const;
const REQUIRED = ['id', 'name', 'title', 'body'];
const COMMITTEE_REQUIRED = ['code', 'name'];
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const CODE = /^[A-Za-z0-9._-]{1,40}$/;

/** One record read from a file: its values (strings, or membership lists from YAML) and where each is. */
interface SourceRecord {
  file: string;
  line: number;
  values: Record<string, unknown>;
  /** The line of each field, when the format knows it (YAML); else the record's line. */
  lines: Record<string, number>;
}

interface MembershipRef {
  code: string;
  title: string | null;
  rank: number | null;
  line: number;
}

class Problems {
  readonly list: (FieldError & { file: string; line: number })[] = [];
  add(file: string, line: number, message: string): void {
    this.list.push({ field: `${file}:${line}`, message, file, line });
  }
  /** Throws every problem, in file and line order (stable: a record's problems keep their order). */
  throwIfAny(): void {
    if (!this.list.length) return;
    const sorted = [...this.list].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
    throw new ValidationError(sorted.map(({ field, message }) => ({ field, message })));
  }
}

function countryCode(country: string): string {
  const code = country.toUpperCase();
  if (!/^[A-Z]{2}$/.test(code))
    throw ValidationError.field('--country', 'must be a two-letter ISO 3166 code');
  return code;
}

const text = (v: unknown): string | null => {
  if (typeof v === 'number') return String(v);
  if (typeof v !== 'string') return null;
  const t = v.trim();
  return t === '' ? null : t;
};

// CSV ------------------------------------------------------------------------------------------------

/** Reads a CSV file into records numbered by the physical line each starts on (line 1 is the header). */
function readCsv(
  content: string,
  file: string,
  known: readonly string[],
  required: string[],
  problems: Problems,
): SourceRecord[] {
  let rows: { info: { lines: number }; raw: string; record: string[] }[];
  try {
    rows = parse(content, {
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true,
      info: true,
      raw: true,
    }) as never;
  } catch (error) {
    const e = error as Error & { lines?: number };
    problems.add(file, e.lines ?? 1, e.message.replace(/ at line \d+$/, ''));
    return [];
  }
  const [header, ...body] = rows;
  if (!header) {
    problems.add(file, 1, 'the file is empty; a header row is required');
    return [];
  }
  const names = header.record.map((h) => h.trim().toLowerCase());
  for (const name of names)
    if (!known.includes(name)) problems.add(file, 1, `unknown column "${name}" (known: ${known.join(', ')})`);
  for (const name of required) if (!names.includes(name)) problems.add(file, 1, `missing column "${name}"`);
  if (problems.list.length) return [];
  const records: SourceRecord[] = [];
  for (const row of body) {
    // info.lines is where the record ends; a quoted cell may span lines, so count back to where it starts.
    const line =
      row.info.lines -
      (row.raw
        .replace(/^[\r\n]+/, '')
        .replace(/\r?\n$/, '')
        .split('\n').length -
        1);
    if (row.record.length !== names.length) {
      problems.add(file, line, `has ${row.record.length} fields, the header ${names.length}`);
      continue;
    }
    const values: Record<string, unknown> = {};
    names.forEach((name, i) => {
      values[name] = row.record[i] ?? '';
    });
    records.push({ file, line, values, lines: {} });
  }
  return records;
}

/** `XX-FA:Chair; XX-DEF` → memberships (a CSV cell). */
function csvMemberships(cell: unknown, line: number): MembershipRef[] {
  const value = text(cell);
  if (!value) return [];
  return value
    .split(';')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const [code, ...title] = part.split(':');
      return { code: (code ?? '').trim(), title: text(title.join(':')), rank: null, line };
    });
}

/** Parses an officials CSV for one country (ISO 3166-1 alpha-2), with an optional CSV of its committees. */
export function parseOfficialsCsv(
  content: string,
  country: string,
  file: string,
  committees?: { content: string; file: string },
): DirectorySnapshot {
  const code = countryCode(country);
  const problems = new Problems();
  const committeeRecords = committees
    ? readCsv(committees.content, committees.file, COMMITTEE_COLUMNS, COMMITTEE_REQUIRED, problems)
    : [];
  const records = readCsv(content, file, CSV_COLUMNS, REQUIRED, problems);
  problems.throwIfAny();
  if (records.length === 0) problems.add(file, 2, 'the file has a header but no officials');
  problems.throwIfAny();
  return buildSnapshot(
    code,
    file,
    records.map((r) => {
      const { committees: cell, ...values } = r.values;
      return { ...r, values, memberships: csvMemberships(cell, r.line) };
    }),
    committeeRecords,
    problems,
  );
}

// YAML -----------------------------------------------------------------------------------------------

function yamlRecord(node: YAMLMap, file: string, counter: LineCounter): SourceRecord {
  const lineOf = (n: Node | null | undefined, fallback: number) =>
    n?.range ? counter.linePos(n.range[0]).line : fallback;
  const line = lineOf(node, 1);
  const values: Record<string, unknown> = {};
  const lines: Record<string, number> = {};
  for (const pair of node.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    lines[key] = lineOf(pair.key as Node, line);
    const value = pair.value as Node | null;
    values[key] = isScalar(value) ? value.value : value;
  }
  return { file, line, values, lines };
}

/** Parses an officials YAML document (docs/officials.md): `officials:` and optional `committees:`. */
export function parseOfficialsYaml(content: string, country: string, file: string): DirectorySnapshot {
  const code = countryCode(country);
  const problems = new Problems();
  const counter = new LineCounter();
  const doc = parseDocument(content, { lineCounter: counter, uniqueKeys: true });
  for (const error of doc.errors)
    problems.add(
      file,
      error.linePos?.[0]?.line ?? 1,
      error.message.split('\n')[0]!.replace(/ at line.*$/, ''),
    );
  problems.throwIfAny();
  const root = doc.contents;
  if (!isMap(root)) {
    problems.add(
      file,
      1,
      'expected a mapping with `officials:` (and optionally `country:` and `committees:`)',
    );
    problems.throwIfAny();
  }
  const top = yamlRecord(root as YAMLMap, file, counter);
  for (const key of Object.keys(top.values))
    if (!['country', 'committees', 'officials'].includes(key))
      problems.add(file, top.lines[key]!, `unknown key "${key}" (known: country, committees, officials)`);
  const stated = text(top.values.country);
  if (stated && stated.toUpperCase() !== code)
    problems.add(file, top.lines.country!, `country ${stated} does not match --country ${code}`);
  const list = (key: string): SourceRecord[] => {
    const node = top.values[key];
    if (node === undefined || node === null) return [];
    if (!isSeq(node)) {
      problems.add(file, top.lines[key]!, `${key}: expected a list`);
      return [];
    }
    return node.items.flatMap((item) => {
      if (!isMap(item)) {
        problems.add(
          file,
          (item as Node | null)?.range ? counter.linePos((item as Node).range![0]).line : 1,
          `${key}: each entry must be a mapping (key: value lines)`,
        );
        return [];
      }
      return [yamlRecord(item, file, counter)];
    });
  };
  const committees = list('committees');
  const officials = list('officials');
  if (!top.values.officials) problems.add(file, 1, 'missing `officials:`');
  else if (officials.length === 0 && problems.list.length === 0)
    problems.add(file, top.lines.officials!, 'officials: the list is empty');
  problems.throwIfAny();

  const withMemberships = officials.map((record) => {
    const memberships: MembershipRef[] = [];
    const node = record.values.committees;
    const at = record.lines.committees ?? record.line;
    if (node !== undefined && node !== null) {
      if (!isSeq(node)) problems.add(file, at, 'committees: expected a list of codes or {code, title, rank}');
      else
        for (const item of node.items) {
          const line = (item as Node).range ? counter.linePos((item as Node).range![0]).line : at;
          if (isScalar(item))
            memberships.push({ code: String(item.value ?? ''), title: null, rank: null, line });
          else if (isMap(item)) {
            const m = yamlRecord(item, file, counter);
            for (const k of Object.keys(m.values))
              if (!['code', 'title', 'rank'].includes(k))
                problems.add(file, m.lines[k]!, `committees: unknown key "${k}" (known: code, title, rank)`);
            const rank = m.values.rank;
            if (rank !== undefined && rank !== null && !(Number.isInteger(rank) && (rank as number) >= 0))
              problems.add(file, m.lines.rank!, `committees.rank: "${String(rank)}" is not a whole number`);
            memberships.push({
              code: text(m.values.code) ?? '',
              title: text(m.values.title),
              rank: Number.isInteger(rank) ? (rank as number) : null,
              line,
            });
          } else problems.add(file, line, 'committees: each entry is a code or {code, title, rank}');
        }
    }
    // Values other than scalars (lists, maps) are refused by the shared checks below.
    const { committees: _memberships, ...values } = record.values;
    return { ...record, values, memberships };
  });
  return buildSnapshot(code, file, withMemberships, committees, problems);
}

// Shared checks --------------------------------------------------------------------------------------

const OFFICIAL_KEYS = CSV_COLUMNS.filter((c) => c !== 'committees');

function buildSnapshot(
  country: string,
  file: string,
  records: (SourceRecord & { memberships: MembershipRef[] })[],
  committeeRecords: SourceRecord[],
  problems: Problems,
): DirectorySnapshot {
  const committees: CommitteeInput[] = [];
  const committeeLines = new Map<string, number>();
  const committeeFiles = new Map<string, string>();
  for (const r of committeeRecords) {
    const at = (k: string) => r.lines[k] ?? r.line;
    for (const k of Object.keys(r.values))
      if (!(COMMITTEE_COLUMNS as readonly string[]).includes(k))
        problems.add(r.file, at(k), `unknown key "${k}" (known: ${COMMITTEE_COLUMNS.join(', ')})`);
    const v = (k: string) => text(r.values[k]);
    for (const k of COMMITTEE_REQUIRED) if (!v(k)) problems.add(r.file, at(k), `${k}: is required`);
    const code = v('code')?.toUpperCase() ?? '';
    if (code && !CODE.test(code))
      problems.add(r.file, at('code'), `code: "${code}" must be letters, digits, . _ - (at most 40)`);
    if (code && committeeLines.has(code))
      problems.add(r.file, at('code'), `code: "${code}" is already used on line ${committeeLines.get(code)}`);
    const url = v('url');
    if (url && !(/^https?:\/\//.test(url) && URL.canParse(url)))
      problems.add(r.file, at('url'), `url: "${url}" is not an http(s) URL`);
    if (!code) continue;
    committeeLines.set(code, r.line);
    committeeFiles.set(code, r.file);
    committees.push({
      code,
      parentCode: v('parent_code')?.toUpperCase() ?? null,
      chamber: v('body')?.toLowerCase() ?? 'parliament',
      name: v('name') ?? code,
      url,
      phone: null,
      address: null,
    });
  }
  for (const c of committees) {
    if (c.parentCode && !committeeLines.has(c.parentCode))
      problems.add(
        committeeFiles.get(c.code) ?? file,
        committeeLines.get(c.code)!,
        `parent_code: no committee "${c.parentCode}"`,
      );
  }

  const seen = new Map<string, number>();
  const officials: OfficialInput[] = [];
  const memberships: MembershipInput[] = [];
  for (const r of records) {
    const before = problems.list.length;
    const at = (k: string) => r.lines[k] ?? r.line;
    for (const k of Object.keys(r.values))
      if (!(OFFICIAL_KEYS as readonly string[]).includes(k))
        problems.add(r.file, at(k), `unknown key "${k}" (known: ${CSV_COLUMNS.join(', ')})`);
    const v: Record<string, string | null> = {};
    for (const k of OFFICIAL_KEYS) {
      const raw = r.values[k];
      if (raw !== undefined && raw !== null && typeof raw === 'object')
        problems.add(r.file, at(k), `${k}: expected a single value, not a list or mapping`);
      v[k] = text(raw);
      if ((v[k]?.length ?? 0) > 2000) problems.add(r.file, at(k), `${k}: is longer than 2000 characters`);
    }
    for (const k of REQUIRED) if (!v[k]) problems.add(r.file, at(k), `${k}: is required`);
    const id = v.id ?? '';
    if (id && !/^[A-Za-z0-9._:-]{1,100}$/.test(id))
      problems.add(r.file, at('id'), 'id: letters, digits, . _ : - only (at most 100)');
    if (id && seen.has(id))
      problems.add(r.file, at('id'), `id: "${id}" is already used on line ${seen.get(id)}`);
    if (v.email && !EMAIL.test(v.email))
      problems.add(r.file, at('email'), `email: "${v.email}" is not an email address`);
    for (const k of ['url', 'contact_form']) {
      const u = v[k];
      if (u && !(/^https?:\/\//.test(u) && URL.canParse(u)))
        problems.add(r.file, at(k), `${k}: "${u}" is not an http(s) URL`);
    }
    let district: number | null = null;
    if (v.district) {
      district = Number(v.district);
      if (!Number.isInteger(district) || district < 0 || district > 999)
        problems.add(r.file, at('district'), `district: "${v.district}" is not a whole number 0–999`);
    }
    const codes = new Set<string>();
    for (const m of r.memberships) {
      const code = m.code.toUpperCase();
      if (!code) problems.add(r.file, m.line, 'committees: a membership without a committee code');
      else if (!committeeLines.has(code))
        problems.add(
          r.file,
          m.line,
          `committees: no committee "${code}" (define it under committees:, or in the --committees file)`,
        );
      else if (codes.has(code)) problems.add(r.file, m.line, `committees: "${code}" is listed twice`);
      codes.add(code);
    }
    if (id && !seen.has(id)) seen.set(id, r.line);
    if (problems.list.length > before) continue;
    for (const m of r.memberships)
      memberships.push({
        committeeCode: m.code.toUpperCase(),
        externalId: id,
        rank: m.rank,
        title: m.title,
        side: null,
      });
    officials.push({
      externalId: id,
      name: v.name!,
      givenName: v.given_name ?? null,
      familyName: v.family_name ?? null,
      chamber: v.body!.toLowerCase(),
      title: v.title!,
      region: v.region ?? null,
      district,
      party: v.party ?? null,
      email: v.email?.toLowerCase() ?? null,
      phone: v.phone ?? null,
      contactForm: v.contact_form ?? null,
      url: v.url ?? null,
      offices: v.address
        ? [
            {
              kind: 'office',
              address: v.address,
              city: null,
              region: v.region ?? null,
              postalCode: null,
              phone: v.phone ?? null,
              fax: null,
            },
          ]
        : [],
      terms: [],
      ids: { [`csv:${country}`]: id },
      social: {},
    });
  }
  problems.throwIfAny();
  return {
    source: `csv:${country}`,
    country,
    loadedFrom: file,
    officials,
    committees,
    memberships,
  };
}

/** Parses an officials file by its extension: `.yaml`/`.yml`, else CSV. */
export function parseOfficialsFile(
  content: string,
  country: string,
  file: string,
  committees?: { content: string; file: string },
): DirectorySnapshot {
  if (/\.ya?ml$/i.test(file)) {
    if (committees)
      throw ValidationError.field(
        '--committees',
        'only with a CSV file: a YAML file lists its own committees',
      );
    return parseOfficialsYaml(content, country, file);
  }
  return parseOfficialsCsv(content, country, file, committees);
}
