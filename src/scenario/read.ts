// Reads a scenario folder (scenarios/<slug>/) into validated records. Any malformed row fails the
// whole read with its file, line and reason, before anything touches the database.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { parse } from 'csv-parse/sync';
import { IncidentCreate } from '../evidence/schema.ts';
import { type DatePrecision, parsePartialDate } from '../lib/dates.ts';
import { ValidationError } from '../lib/errors.ts';
import { parseWith } from '../lib/schema.ts';
import type { SupplyObservationInput } from '../lifeline/service.ts';
import type { MeasureInput } from '../response/service.ts';
import { type Layer, SituationCreate } from '../situations/schema.ts';

export const SCENARIOS_DIR = new URL('../../scenarios/', import.meta.url).pathname;

export class ScenarioFormatError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | null,
    readonly reason: string,
  ) {
    super(`${file}${line === null ? '' : `:${line}`}: ${reason}`);
  }
}

export interface ScenarioIncident {
  ref: string;
  input: IncidentCreate;
}

export interface Scenario {
  slug: string;
  contentHash: string;
  situation: SituationCreate;
  layers: Layer[];
  incidents: ScenarioIncident[];
  supplies: SupplyObservationInput[];
  measures: MeasureInput[];
}

const Text = Type.String();
const Ref = Type.String({ pattern: '^[a-z]+-\\d{3,}$' });
const Sources = Type.String({ pattern: '^https?://\\S+( \\| https?://\\S+)*$' });

const IncidentRow = Type.Object({
  ref: Ref,
  start: Text,
  end: Text,
  category: Text,
  title: Text,
  description: Text,
  place: Text,
  lat: Text,
  lon: Text,
  point_source: Type.String({ pattern: '^(|source|gazetteer:[a-z0-9-]+)$' }),
  confidence: Text,
  status: Text,
  sources: Sources,
  outlets: Text,
});
const GazetteerRow = Type.Object({
  id: Type.String({ pattern: '^[a-z0-9-]+$' }),
  name: Type.String({ minLength: 1 }),
  aliases: Text,
  lat: Type.String({ pattern: '^-?\\d+(\\.\\d+)?$' }),
  lon: Type.String({ pattern: '^-?\\d+(\\.\\d+)?$' }),
  precision: Type.String({ minLength: 1 }),
  source_url: Type.String({ pattern: '^https?://' }),
  note: Text,
});
const SupplyRow = Type.Object({
  ref: Ref,
  date: Text,
  metric: Type.String({ pattern: '^[a-z0-9_]+$' }),
  value_text: Type.String({ minLength: 1 }),
  value_low: Text,
  value_high: Text,
  unit: Type.String({ minLength: 1 }),
  qualifier: Text,
  description: Text,
  sources: Sources,
  outlets: Text,
});
const MeasureRow = Type.Object({
  ref: Ref,
  kind: Type.String({ minLength: 1 }),
  actor: Type.String({ minLength: 1 }),
  target: Type.String({ minLength: 1 }),
  title: Type.String({ minLength: 1 }),
  status: Type.String({ minLength: 1 }),
  date: Text,
  description: Text,
  sources: Sources,
  outlets: Text,
});

const FeatureCollection = Type.Object({
  type: Type.Literal('FeatureCollection'),
  features: Type.Array(
    Type.Object({
      type: Type.Literal('Feature'),
      geometry: Type.Object({ type: Type.String(), coordinates: Type.Array(Type.Unknown()) }),
      properties: Type.Record(Type.String(), Type.Unknown()),
    }),
  ),
});

interface Row<T> {
  line: number;
  value: T;
}

function readCsv<S extends TSchema>(dir: string, file: string, schema: S): Row<Static<S>>[] {
  const text = readFileSync(join(dir, file), 'utf8');
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(text, { columns: true, info: true, skip_empty_lines: true, bom: true });
  } catch (error) {
    const e = error as Error & { lines?: number };
    throw new ScenarioFormatError(file, e.lines ?? null, e.message);
  }
  return records.map(({ record, info }) => {
    try {
      return { line: info.lines, value: parseWith(schema, record) };
    } catch (error) {
      throw new ScenarioFormatError(file, info.lines, (error as Error).message);
    }
  });
}

function sourcesOf(urls: string, outlets: string, file: string, line: number) {
  const urlList = urls.split(' | ');
  const outletList = outlets ? outlets.split(' | ') : [];
  if (outletList.length !== 0 && outletList.length !== urlList.length) {
    throw new ScenarioFormatError(
      file,
      line,
      `outlets: ${outletList.length} names for ${urlList.length} sources`,
    );
  }
  return urlList.map((url, i) => ({ url, outlet: outletList[i]?.trim() || null }));
}

function optionalNumber(text: string, field: string, file: string, line: number): number | null {
  if (text.trim() === '') return null;
  const value = Number(text);
  if (!Number.isFinite(value))
    throw new ScenarioFormatError(file, line, `${field}: "${text}" is not a number`);
  return value;
}

function partialDate(text: string, field: string, file: string, line: number, allowed: DatePrecision[]) {
  const parsed = parsePartialDate(text, allowed);
  if (!parsed)
    throw new ScenarioFormatError(file, line, `${field}: "${text}" is not a date (YYYY-MM-DD or YYYY-MM)`);
  return parsed;
}

function readJson(dir: string, file: string): unknown {
  try {
    return JSON.parse(readFileSync(join(dir, file), 'utf8'));
  } catch (error) {
    throw new ScenarioFormatError(file, null, (error as Error).message);
  }
}

function checkSchema<S extends TSchema>(schema: S, value: unknown, file: string): Static<S> {
  try {
    return parseWith(schema, value);
  } catch (error) {
    throw new ScenarioFormatError(
      file,
      null,
      error instanceof ValidationError ? error.message : String(error),
    );
  }
}

const FILES = [
  'situation.json',
  'incidents.csv',
  'gazetteer.csv',
  'supplies.csv',
  'measures.csv',
  'places.geojson',
];

export function readScenario(dir: string): Scenario {
  const hash = createHash('sha256');
  for (const file of FILES) {
    try {
      hash.update(file).update(readFileSync(join(dir, file)));
    } catch (error) {
      throw new ScenarioFormatError(file, null, `cannot read: ${(error as Error).message}`);
    }
  }
  const situation = checkSchema(SituationCreate, readJson(dir, 'situation.json'), 'situation.json');

  const gazetteer = new Map(
    readCsv(dir, 'gazetteer.csv', GazetteerRow).map(({ value, line }) => {
      const lat = Number(value.lat);
      const lon = Number(value.lon);
      if (Math.abs(lat) > 90 || Math.abs(lon) > 180) {
        throw new ScenarioFormatError('gazetteer.csv', line, 'lat/lon out of range');
      }
      return [value.id, { ...value, lat, lon }] as const;
    }),
  );

  const refs = new Set<string>();
  const uniqueRef = (ref: string, file: string, line: number) => {
    if (refs.has(ref)) throw new ScenarioFormatError(file, line, `ref: ${ref} appears twice`);
    refs.add(ref);
  };

  const incidents = readCsv(dir, 'incidents.csv', IncidentRow).map(({ value: row, line }) => {
    const file = 'incidents.csv';
    uniqueRef(row.ref, file, line);
    let point: { lat: number; lon: number } | null = null;
    let pointSource: 'source' | 'gazetteer' | null = null;
    let pointNote: string | null = null;
    const lat = optionalNumber(row.lat, 'lat', file, line);
    const lon = optionalNumber(row.lon, 'lon', file, line);
    if ((lat === null) !== (lon === null))
      throw new ScenarioFormatError(file, line, 'lat and lon: give both or neither');
    if (row.point_source.startsWith('gazetteer:')) {
      const entry = gazetteer.get(row.point_source.slice('gazetteer:'.length));
      if (!entry)
        throw new ScenarioFormatError(file, line, `point_source: no gazetteer entry ${row.point_source}`);
      point = { lat: entry.lat, lon: entry.lon };
      pointSource = 'gazetteer';
      pointNote = `Located from the scenario gazetteer entry "${entry.name}" (${entry.precision}); coordinates from ${entry.source_url}`;
    } else if (row.point_source === 'source') {
      if (lat === null || lon === null)
        throw new ScenarioFormatError(file, line, 'point_source "source" needs lat and lon');
      point = { lat, lon };
      pointSource = 'source';
      pointNote = 'Coordinates as given in the source dataset';
    } else if (lat !== null) {
      throw new ScenarioFormatError(
        file,
        line,
        'point_source: lat/lon given without saying where they come from',
      );
    }
    const input = {
      title: row.title,
      description: row.description,
      category: row.category,
      start: row.start,
      end: row.end || null,
      placeName: row.place || null,
      point,
      pointSource,
      pointNote,
      confidence: row.confidence,
      status: row.status,
      sources: sourcesOf(row.sources, row.outlets, file, line),
    };
    try {
      const checked = parseWith(IncidentCreate, input);
      partialDate(checked.start, 'start', file, line, ['day', 'month']);
      if (checked.end) partialDate(checked.end, 'end', file, line, ['day', 'month']);
      return { ref: row.ref, input: checked };
    } catch (error) {
      if (error instanceof ScenarioFormatError) throw error;
      throw new ScenarioFormatError(file, line, (error as Error).message);
    }
  });

  const supplies = readCsv(dir, 'supplies.csv', SupplyRow).map(
    ({ value: row, line }): SupplyObservationInput => {
      const file = 'supplies.csv';
      uniqueRef(row.ref, file, line);
      const date = partialDate(row.date, 'date', file, line, ['day', 'month', 'year']);
      return {
        externalRef: row.ref,
        observedOn: date.date,
        observedPrecision: date.precision,
        metric: row.metric,
        valueText: row.value_text,
        valueLow: optionalNumber(row.value_low, 'value_low', file, line),
        valueHigh: optionalNumber(row.value_high, 'value_high', file, line),
        unit: row.unit,
        qualifier: row.qualifier || null,
        description: row.description,
        sources: sourcesOf(row.sources, row.outlets, file, line),
      };
    },
  );

  const measures = readCsv(dir, 'measures.csv', MeasureRow).map(({ value: row, line }): MeasureInput => {
    const file = 'measures.csv';
    uniqueRef(row.ref, file, line);
    const date = row.date ? partialDate(row.date, 'date', file, line, ['day', 'month', 'year']) : null;
    return {
      externalRef: row.ref,
      kind: row.kind,
      actor: row.actor,
      target: row.target,
      title: row.title,
      statusText: row.status,
      date: date?.date ?? null,
      datePrecision: date?.precision ?? null,
      description: row.description,
      sources: sourcesOf(row.sources, row.outlets, file, line),
    };
  });

  const places = checkSchema(FeatureCollection, readJson(dir, 'places.geojson'), 'places.geojson');
  const pointFeatures = places.features.filter((f) => f.geometry.type === 'Point');
  const layers: Layer[] = [
    {
      id: 'places',
      name: 'Places',
      kind: 'places',
      schematic: false,
      note: 'Places named in the scenario, located from its gazetteer (each with its own source)',
      sources: [...new Set(pointFeatures.map((f) => String(f.properties.source_url ?? '')).filter(Boolean))],
      geojson: { type: 'FeatureCollection', features: pointFeatures },
    },
    ...places.features
      .filter((f) => f.geometry.type === 'LineString')
      .map(
        (f): Layer => ({
          id: String(f.properties.id ?? 'route'),
          name: String(f.properties.name ?? 'Route'),
          kind: 'route',
          schematic: f.properties.schematic === true,
          note: typeof f.properties.note === 'string' ? f.properties.note : null,
          sources: Array.isArray(f.properties.sources) ? f.properties.sources.map(String) : [],
          geojson: { type: 'FeatureCollection', features: [f] },
        }),
      ),
  ];
  for (const layer of layers) {
    if (layer.kind === 'route' && !layer.schematic) {
      throw new ScenarioFormatError(
        'places.geojson',
        null,
        `route ${layer.id} must be marked schematic: true`,
      );
    }
  }
  return {
    slug: situation.slug,
    contentHash: hash.digest('hex'),
    situation,
    layers,
    incidents,
    supplies,
    measures,
  };
}
