// Readers for sanctions list files: the OFAC SDN CSV set (sdn, alt, add; no header, `-0-` for empty, a
// final Ctrl-Z line) and the UN Security Council Consolidated List XML. Any malformed row fails the whole
// read with its file, line and reason, before anything touches the database.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { AliasKind } from './matcher.ts';
import { parseXml, XmlError, type XmlNode } from './xml.ts';

export const BUNDLED_LISTS_DIR = new URL('../../datasets/sanctions-lists/', import.meta.url).pathname;

export type ListSource = 'ofac-sdn' | 'un-consolidated';
export type EntryType = 'individual' | 'entity' | 'vessel' | 'aircraft';

export interface ListEntry {
  entryId: string;
  entryType: EntryType;
  name: string;
  aliases: { name: string; kind: AliasKind }[];
  programs: string[];
  details: Record<string, unknown>;
}

export interface ParsedList {
  source: ListSource;
  /** The list's own generation date (UN), or null when the files carry none (OFAC CSV). */
  publishedAt: string | null;
  /** SHA-256 over the files (for several files: over their names and hashes, sorted). */
  sha256: string;
  files: { name: string; sha256: string; bytes: number }[];
  entries: ListEntry[];
}

export class ListFormatError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | null,
    readonly reason: string,
  ) {
    super(`${file}${line === null ? '' : `:${line}`}: ${reason}`);
  }
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

function combinedHash(files: { name: string; sha256: string }[]): string {
  if (files.length === 1) return files[0]!.sha256;
  return sha256(
    files
      .map((f) => `${f.sha256}  ${f.name}\n`)
      .sort()
      .join(''),
  );
}

// OFAC

const empty = (value: string | undefined) => {
  const v = (value ?? '').trim();
  return v === '-0-' || v === '' ? null : v;
};

function readOfacCsv(path: string, columns: number): { line: number; fields: string[] }[] {
  const file = basename(path);
  let text = readFileSync(path, 'latin1');
  // The files end with a line holding only Ctrl-Z (0x1A), an old end-of-file mark.
  const ctrlZ = String.fromCharCode(0x1a);
  text = text.trimEnd();
  if (text.endsWith(ctrlZ)) text = text.slice(0, -1);
  if (text.includes(ctrlZ)) throw new ListFormatError(file, null, 'a Ctrl-Z byte before the end of the file');
  if (/^\s*</.test(text)) throw new ListFormatError(file, 1, 'this is XML, not an OFAC CSV file');
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      info: true,
      skip_empty_lines: true,
      relax_column_count: true,
      trim: false,
    }) as unknown as typeof records;
  } catch (error) {
    const e = error as Error & { lines?: number };
    throw new ListFormatError(file, e.lines ?? null, e.message);
  }
  return records.map(({ record, info }) => {
    if (record.length !== columns) {
      throw new ListFormatError(file, info.lines, `${record.length} columns where ${columns} were expected`);
    }
    if (!/^\d+$/.test(record[0]!.trim())) {
      throw new ListFormatError(file, info.lines, `entry number "${record[0]}" is not a number`);
    }
    return { line: info.lines, fields: record };
  });
}

/** The OFAC SDN file names a folder may hold: OFAC's own (sdn.csv…) or prefixed (ofac-sdn.csv…). */
export function ofacFiles(dir: string): { sdn: string; alt: string | null; add: string | null } {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new ListFormatError(dir, null, 'not a folder holding the OFAC files sdn.csv, alt.csv, add.csv');
  }
  const find = (name: string) =>
    [name, `ofac-${name}`, name.toUpperCase()].map((n) => join(dir, n)).find((p) => existsSync(p)) ?? null;
  const sdn = find('sdn.csv');
  if (!sdn)
    throw new ListFormatError(dir, null, 'no sdn.csv (or ofac-sdn.csv) in this folder: unknown list format');
  return { sdn, alt: find('alt.csv'), add: find('add.csv') };
}

const SDN_TYPES: Record<string, EntryType> = {
  individual: 'individual',
  vessel: 'vessel',
  aircraft: 'aircraft',
};

export function readOfac(dir: string): ParsedList {
  const paths = ofacFiles(dir);
  const entries = new Map<string, ListEntry>();
  for (const { line, fields } of readOfacCsv(paths.sdn, 12)) {
    const [entNum, name, type, program, title, callSign, vesselType, , , vesselFlag, vesselOwner, remarks] =
      fields;
    const id = entNum!.trim();
    const primary = empty(name);
    if (!primary) throw new ListFormatError(basename(paths.sdn), line, 'empty name');
    if (entries.has(id)) throw new ListFormatError(basename(paths.sdn), line, `entry ${id} appears twice`);
    const details: Record<string, unknown> = {};
    for (const [key, value] of Object.entries({
      title,
      callSign,
      vesselType,
      vesselFlag,
      vesselOwner,
      remarks,
    })) {
      const v = empty(value);
      if (v) details[key] = v;
    }
    entries.set(id, {
      entryId: id,
      entryType: SDN_TYPES[empty(type)?.toLowerCase() ?? ''] ?? 'entity',
      name: primary,
      aliases: [],
      programs: (empty(program) ?? '')
        .split(/\]\s*\[|\s*;\s*/)
        .map((p) => p.replace(/[[\]]/g, '').trim())
        .filter(Boolean),
      details,
    });
  }
  if (entries.size === 0) throw new ListFormatError(basename(paths.sdn), null, 'no entries');
  if (paths.alt) {
    for (const { line, fields } of readOfacCsv(paths.alt, 5)) {
      const [entNum, , altType, altName] = fields;
      const entry = entries.get(entNum!.trim());
      if (!entry) throw new ListFormatError(basename(paths.alt), line, `alias of unknown entry ${entNum}`);
      const name = empty(altName);
      if (!name) continue;
      const t = (empty(altType) ?? 'aka').toLowerCase();
      entry.aliases.push({ name, kind: t === 'fka' ? 'fka' : t === 'nka' ? 'nka' : 'aka' });
    }
  }
  if (paths.add) {
    for (const { line, fields } of readOfacCsv(paths.add, 6)) {
      const [entNum, , address, cityState, country, remarks] = fields;
      const entry = entries.get(entNum!.trim());
      if (!entry) throw new ListFormatError(basename(paths.add), line, `address of unknown entry ${entNum}`);
      const parts = [address, cityState, country, remarks].map(empty).filter((p): p is string => p !== null);
      if (parts.length) {
        const addresses = (entry.details.addresses as string[] | undefined) ?? [];
        addresses.push(parts.join(', '));
        entry.details.addresses = addresses;
      }
    }
  }
  const files = [paths.sdn, paths.alt, paths.add]
    .filter((p): p is string => p !== null)
    .map((p) => {
      const data = readFileSync(p);
      return { name: basename(p), sha256: sha256(data), bytes: data.length };
    });
  return {
    source: 'ofac-sdn',
    publishedAt: null,
    sha256: combinedHash(files),
    files,
    entries: [...entries.values()],
  };
}

// UN

const text = (node: XmlNode | undefined): string => (node ? node.text.trim() : '');
const child = (node: XmlNode, name: string) => node.children.find((c) => c.name === name);
const childrenNamed = (node: XmlNode, name: string) => node.children.filter((c) => c.name === name);

function unEntry(node: XmlNode, type: EntryType, file: string): ListEntry {
  const nameParts = ['FIRST_NAME', 'SECOND_NAME', 'THIRD_NAME', 'FOURTH_NAME'].map((n) =>
    text(child(node, n)),
  );
  const name = nameParts.filter(Boolean).join(' ');
  const id = text(child(node, 'REFERENCE_NUMBER')) || text(child(node, 'DATAID'));
  if (!id) throw new ListFormatError(file, node.line, `${node.name} without REFERENCE_NUMBER or DATAID`);
  if (!name) throw new ListFormatError(file, node.line, `${node.name} ${id} has no name`);
  const aliases: ListEntry['aliases'] = [];
  for (const alias of childrenNamed(node, type === 'individual' ? 'INDIVIDUAL_ALIAS' : 'ENTITY_ALIAS')) {
    const aliasName = text(child(alias, 'ALIAS_NAME'));
    if (!aliasName) continue;
    const quality = text(child(alias, 'QUALITY')).toLowerCase();
    aliases.push({ name: aliasName, kind: quality === 'low' ? 'low quality alias' : 'good quality alias' });
  }
  const original = text(child(node, 'NAME_ORIGINAL_SCRIPT'));
  if (original) aliases.push({ name: original, kind: 'original script' });
  const values = (n: string) =>
    childrenNamed(node, n).flatMap((c) => childrenNamed(c, 'VALUE').map(text).filter(Boolean));
  const details: Record<string, unknown> = {};
  const listed = text(child(node, 'LISTED_ON'));
  if (listed) details.listedOn = listed;
  const dataId = text(child(node, 'DATAID'));
  if (dataId) details.dataId = dataId;
  const nationality = values('NATIONALITY');
  if (nationality.length) details.nationalities = nationality;
  const designation = values('DESIGNATION');
  if (designation.length) details.designations = designation;
  const births = childrenNamed(node, 'INDIVIDUAL_DATE_OF_BIRTH')
    .map((b) => text(child(b, 'DATE')) || text(child(b, 'YEAR')))
    .filter(Boolean);
  if (births.length) details.datesOfBirth = births;
  const comments = text(child(node, 'COMMENTS1'));
  if (comments) details.remarks = comments;
  return {
    entryId: id,
    entryType: type,
    name,
    aliases,
    programs: [text(child(node, 'UN_LIST_TYPE'))].filter(Boolean),
    details,
  };
}

export function readUn(path: string): ParsedList {
  const file = basename(path);
  if (!existsSync(path) || !statSync(path).isFile()) throw new ListFormatError(path, null, 'no such file');
  const data = readFileSync(path);
  if (
    !/^\s*</.test(
      data
        .subarray(0, 200)
        .toString('utf8')
        .replace(/^\uFEFF/, ''),
    )
  ) {
    throw new ListFormatError(
      file,
      1,
      'not XML: unknown list format (expected the UN consolidated list XML)',
    );
  }
  let root: XmlNode;
  try {
    root = parseXml(data.toString('utf8'));
  } catch (error) {
    if (error instanceof XmlError) throw new ListFormatError(file, error.line, error.message);
    throw error;
  }
  if (root.name !== 'CONSOLIDATED_LIST') {
    throw new ListFormatError(
      file,
      root.line,
      `root element <${root.name}> is not a UN CONSOLIDATED_LIST: unknown list format`,
    );
  }
  const generated = root.attributes.dateGenerated;
  if (!generated || Number.isNaN(Date.parse(generated))) {
    throw new ListFormatError(file, root.line, 'the list has no valid dateGenerated attribute');
  }
  const entries: ListEntry[] = [];
  const seen = new Set<string>();
  const add = (entry: ListEntry, line: number) => {
    if (seen.has(entry.entryId))
      throw new ListFormatError(file, line, `entry ${entry.entryId} appears twice`);
    seen.add(entry.entryId);
    entries.push(entry);
  };
  for (const group of root.children) {
    if (group.name === 'INDIVIDUALS') {
      for (const n of childrenNamed(group, 'INDIVIDUAL')) add(unEntry(n, 'individual', file), n.line);
    } else if (group.name === 'ENTITIES') {
      for (const n of childrenNamed(group, 'ENTITY')) add(unEntry(n, 'entity', file), n.line);
    }
  }
  if (entries.length === 0) throw new ListFormatError(file, null, 'no INDIVIDUAL or ENTITY entries');
  const hash = sha256(data);
  return {
    source: 'un-consolidated',
    publishedAt: new Date(generated).toISOString(),
    sha256: hash,
    files: [{ name: file, sha256: hash, bytes: data.length }],
    entries,
  };
}

/** Reads a list from a path whose format is recognised: an OFAC folder, or a UN XML file. */
export function readListPath(path: string): ParsedList {
  if (!existsSync(path)) throw new ListFormatError(path, null, 'no such file or folder');
  if (statSync(path).isDirectory()) return readOfac(path);
  const head = readFileSync(path, 'utf8').slice(0, 2000);
  if (/<CONSOLIDATED_LIST\b/.test(head)) return readUn(path);
  throw new ListFormatError(
    basename(path),
    null,
    'unknown list format: expected a folder with the OFAC SDN CSV files or a UN consolidated list XML file',
  );
}

/** The snapshots shipped in datasets/sanctions-lists/ (see its README: not current lists). */
export function readBundledLists(dir = BUNDLED_LISTS_DIR): ParsedList[] {
  return [readOfac(dir), readUn(join(dir, 'UN_consolidated.xml'))];
}
