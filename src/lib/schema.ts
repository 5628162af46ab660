// Shared schema pieces (TypeBox: JSON Schema that validates requests, types the code and feeds OpenAPI),
// and validation of plain values (CLI flags, file rows) against the same schemas.
import { FormatRegistry, type Static, type TSchema, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { isCalendarDate } from './dates.ts';
import { type FieldError, ValidationError } from './errors.ts';

// The formats TypeBox checks when validating outside HTTP (Fastify's Ajv has its own, equivalent set).
FormatRegistry.Set('date', isCalendarDate);
FormatRegistry.Set('uuid', (v) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v));
FormatRegistry.Set('uri', (v) => URL.canParse(v));
FormatRegistry.Set('email', (v) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v));

export const IsoDate = Type.String({
  format: 'date',
  description: 'A calendar date, YYYY-MM-DD',
  examples: ['2023-01-15'],
});
const PARTIAL_DATE_PATTERN = '^\\d{4}-\\d{2}(-\\d{2})?$';
export const PartialDateText = Type.String({
  pattern: PARTIAL_DATE_PATTERN,
  description: 'A date known to the day (YYYY-MM-DD) or only to the month (YYYY-MM)',
  examples: ['2022-12-12', '2016-06'],
});
export const HttpUrl = Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2048 });
const SLUG_PATTERN = '^[a-z0-9]+(-[a-z0-9]+)*$';
export const Slug = Type.String({ pattern: SLUG_PATTERN, minLength: 2, maxLength: 80 });

/** Plain words for the patterns people meet in forms, instead of the regular expression itself. */
export const PATTERN_MESSAGES: Readonly<Record<string, string>> = {
  [SLUG_PATTERN]: 'must be lower-case letters and digits, in words joined by single hyphens (e.g. "team-a")',
  '^https?://': 'must start with http:// or https://',
  [PARTIAL_DATE_PATTERN]: 'must be a date (YYYY-MM-DD) or a month (YYYY-MM)',
};
export const Uuid = Type.String({ format: 'uuid' });

export const GeoJsonObject = Type.Object(
  {
    type: Type.String({
      enum: ['Feature', 'FeatureCollection', 'Polygon', 'MultiPolygon', 'Point', 'LineString'],
    }),
  },
  { additionalProperties: true, description: 'A GeoJSON object (RFC 7946), coordinates in [lon, lat] order' },
);

/** A value that may be null (JSON null, not a missing field). */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** A source as responses show it: where a fact comes from, and the outlet's name when known. */
export const SourceOut = Type.Object({ url: Type.String(), outlet: Nullable(Type.String()) });
export type SourceOut = Static<typeof SourceOut>;

export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
  },
  { $id: 'Problem', description: 'RFC 7807 problem details' },
);

/** Validates a plain value against a schema; throws ValidationError naming each bad field. */
export function parseWith<S extends TSchema>(schema: S, value: unknown, fieldPrefix = ''): Static<S> {
  if (Value.Check(schema, value)) return value as Static<S>;
  const errors: FieldError[] = [];
  for (const error of Value.Errors(schema, value)) {
    const path = error.path.replace(/^\//, '').replaceAll('/', '.');
    const field = [fieldPrefix, path].filter(Boolean).join('.') || '(value)';
    if (!errors.some((e) => e.field === field)) errors.push({ field, message: error.message });
  }
  throw new ValidationError(errors);
}
