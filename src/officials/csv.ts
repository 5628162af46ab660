// Any country's officials from a CSV file (docs/officials.md, "CSV format"). Every bad row is
// reported with its row number and field, and then nothing is stored.
import { parse } from 'csv-parse/sync';
import { type FieldError, ValidationError } from '../lib/errors.ts';
import type { DirectorySnapshot, OfficialInput } from './types.ts';

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
] as const;
const REQUIRED = ['id', 'name', 'title', 'body'];
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Parses an officials CSV for one country (ISO 3166-1 alpha-2). Row 1 is the first row after the header. */
export function parseOfficialsCsv(text: string, country: string, loadedFrom: string): DirectorySnapshot {
  const code = country.toUpperCase();
  if (!/^[A-Z]{2}$/.test(code))
    throw ValidationError.field('--country', 'must be a two-letter ISO 3166 code');
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true }) as string[][];
  } catch (error) {
    const e = error as Error & { lines?: number };
    throw ValidationError.field(`line ${e.lines ?? '?'}`, e.message);
  }
  const [header, ...rows] = records;
  if (!header) throw ValidationError.field('header', 'the file is empty; a header row is required');
  const names = header.map((h) => h.trim().toLowerCase());
  const errors: FieldError[] = [];
  for (const name of names) {
    if (!(CSV_COLUMNS as readonly string[]).includes(name))
      errors.push({
        field: 'header',
        message: `unknown column "${name}" (known: ${CSV_COLUMNS.join(', ')})`,
      });
  }
  for (const name of REQUIRED) {
    if (!names.includes(name)) errors.push({ field: 'header', message: `missing column "${name}"` });
  }
  if (errors.length) throw new ValidationError(errors);
  if (rows.length === 0) throw ValidationError.field('row 1', 'the file has a header but no officials');

  const seen = new Map<string, number>();
  const officials: OfficialInput[] = [];
  rows.forEach((cells, index) => {
    const row = index + 1;
    const at = (field: string) => `row ${row}.${field}`;
    if (cells.length !== names.length) {
      errors.push({ field: `row ${row}`, message: `has ${cells.length} fields, the header ${names.length}` });
      return;
    }
    const v: Record<string, string | null> = {};
    names.forEach((name, i) => {
      const cell = (cells[i] ?? '').trim();
      v[name] = cell === '' ? null : cell;
    });
    const rowErrors: FieldError[] = [];
    for (const name of REQUIRED) if (!v[name]) rowErrors.push({ field: at(name), message: 'is required' });
    const id = v.id ?? '';
    if (id && !/^[A-Za-z0-9._:-]{1,100}$/.test(id))
      rowErrors.push({ field: at('id'), message: 'letters, digits, . _ : - only (at most 100)' });
    if (id && seen.has(id))
      rowErrors.push({ field: at('id'), message: `"${id}" is already used by row ${seen.get(id)}` });
    if (v.email && !EMAIL.test(v.email))
      rowErrors.push({ field: at('email'), message: `"${v.email}" is not an email address` });
    for (const f of ['url', 'contact_form']) {
      const u = v[f];
      if (u && !(/^https?:\/\//.test(u) && URL.canParse(u)))
        rowErrors.push({ field: at(f), message: `"${u}" is not an http(s) URL` });
    }
    let district: number | null = null;
    if (v.district) {
      district = Number(v.district);
      if (!Number.isInteger(district) || district < 0 || district > 999) {
        rowErrors.push({ field: at('district'), message: `"${v.district}" is not a whole number 0–999` });
      }
    }
    for (const name of names) {
      if ((v[name]?.length ?? 0) > 2000)
        rowErrors.push({ field: at(name), message: 'is longer than 2000 characters' });
    }
    if (rowErrors.length) {
      errors.push(...rowErrors);
      return;
    }
    seen.set(id, row);
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
      ids: { [`csv:${code}`]: id },
      social: {},
    });
  });
  if (errors.length) throw new ValidationError(errors);
  return { source: `csv:${code}`, country: code, loadedFrom, officials };
}
