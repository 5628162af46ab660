import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { requirePermission } from '../auth/permissions.ts';
import type { Database } from '../db/types.ts';
import { IsoDate, Slug } from '../lib/schema.ts';
import { getSituation } from '../situations/service.ts';
import { observationsToCsv, parseObservationsCsv } from './csv.ts';
import {
  DisruptionOut,
  Metrics,
  MetricsQuery,
  NeedsModelOut,
  Observation,
  ObservationInput,
  Series,
  SeriesQuery,
  SourceOut,
} from './schema.ts';
import {
  computeMetrics,
  computeSeries,
  createObservations,
  listDisruptions,
  listNeedsModels,
  listObservations,
  listPopulation,
  listSupplyObservations,
} from './service.ts';
import { lifelineSignals } from './signals.ts';

const Params = Type.Object({ slug: Slug });
const Window = Type.Object(
  { from: Type.Optional(IsoDate), to: Type.Optional(IsoDate) },
  { additionalProperties: false },
);
const TAGS = ['lifeline'];

export const lifelineRoutes: FastifyPluginAsyncTypebox<{ db: Database }> = async (app, { db }) => {
  // CSV bodies for the import endpoint only (this plugin's scope); CSV is not a form type, so browsers preflight it.
  app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: 10_485_760 }, (_req, body, done) =>
    done(null, body),
  );

  app.get(
    '/situations/:slug/supplies',
    {
      schema: {
        tags: TAGS,
        summary:
          'Supply observations as the sources report them (values kept as written, with their numeric range)',
        params: Params,
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                id: Type.String(),
                externalRef: Type.Union([Type.String(), Type.Null()]),
                observedOn: Type.String(),
                observedPrecision: Type.String(),
                metric: Type.String(),
                valueText: Type.String(),
                valueLow: Type.Union([Type.Number(), Type.Null()]),
                valueHigh: Type.Union([Type.Number(), Type.Null()]),
                unit: Type.String(),
                qualifier: Type.Union([Type.String(), Type.Null()]),
                description: Type.String(),
                sources: Type.Array(SourceOut),
              }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const situation = await getSituation(db, request.actor, request.params.slug);
      return { items: await listSupplyObservations(db, situation.id) };
    },
  );

  app.get(
    '/situations/:slug/lifeline/metrics',
    {
      schema: {
        tags: TAGS,
        summary:
          'Delivered against needed, coverage, shortfall, last delivery, closures, utility cuts, stock-outs',
        description:
          'Window `from`..`to` (both included; default: the situation period), `asOf` for "days since the last delivery" ' +
          '(default `to`). Overlapping figures are never added: each flow lists the figures used, those not used and why, ' +
          'and conflicting figures side by side. Every figure carries its sources and formula.',
        params: Params,
        querystring: MetricsQuery,
        response: { 200: Metrics },
      },
    },
    async (request) => computeMetrics(db, request.actor, request.params.slug, request.query),
  );

  app.get(
    '/situations/:slug/lifeline/series',
    {
      schema: {
        tags: TAGS,
        summary:
          'Daily series for the lifeline chart: delivered (daily figures and period averages) against needed',
        description:
          '`delivered` is the sum of figures reported for that day; `periodAverage` spreads a period total evenly and ' +
          'is labelled as an average, not a daily figure. Closures and utility cuts are returned as intervals, ' +
          'contested figures side by side.',
        params: Params,
        querystring: SeriesQuery,
        response: { 200: Series },
      },
    },
    async (request) => computeSeries(db, request.actor, request.params.slug, request.query),
  );

  app.get(
    '/situations/:slug/lifeline/disruptions',
    {
      schema: {
        tags: TAGS,
        summary:
          'Utility cuts and corridor status intervals, and stated totals, each with its sources and source rows',
        params: Params,
        querystring: Window,
        response: { 200: Type.Object({ items: Type.Array(DisruptionOut) }) },
      },
    },
    async (request) => {
      const situation = await getSituation(db, request.actor, request.params.slug);
      const { from, to } = request.query;
      const window = from || to ? { from: from ?? '0001-01-01', to: to ?? '9999-12-31' } : undefined;
      return { items: await listDisruptions(db, situation.id, window) };
    },
  );

  app.get(
    '/situations/:slug/lifeline/needs',
    {
      schema: {
        tags: TAGS,
        summary:
          'Needs models (the selected one and alternatives, with assumptions) and the population series',
        params: Params,
        response: {
          200: Type.Object({
            models: Type.Array(NeedsModelOut),
            population: Type.Array(
              Type.Object({
                onDate: Type.String(),
                persons: Type.Integer(),
                personsHigh: Type.Union([Type.Integer(), Type.Null()]),
                qualifier: Type.Union([Type.String(), Type.Null()]),
                note: Type.String(),
                derivedFrom: Type.Array(Type.String()),
                sources: Type.Array(SourceOut),
              }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const situation = await getSituation(db, request.actor, request.params.slug);
      const [models, population] = await Promise.all([
        listNeedsModels(db, situation.id),
        listPopulation(db, situation.id),
      ]);
      return { models, population };
    },
  );

  app.get(
    '/situations/:slug/lifeline/signals',
    {
      schema: {
        tags: TAGS,
        summary: 'Signals for alerting: low coverage for N days, a full closure starting, a long utility cut',
        params: Params,
        querystring: Type.Object(
          {
            from: Type.Optional(IsoDate),
            to: Type.Optional(IsoDate),
            coverageBelow: Type.Number({ minimum: 0, maximum: 10, default: 0.5 }),
            minDays: Type.Integer({ minimum: 1, default: 7 }),
            utilityCutDays: Type.Integer({ minimum: 1, default: 30 }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                kind: Type.String(),
                situationSlug: Type.String(),
                startsOn: Type.String(),
                endsOn: Type.Union([Type.String(), Type.Null()]),
                value: Type.Number(),
                threshold: Type.Union([Type.Number(), Type.Null()]),
                unit: Type.String(),
                subject: Type.String(),
                message: Type.String(),
                evidence: Type.Array(Type.Object({ ref: Type.String(), sources: Type.Array(SourceOut) })),
              }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const q = request.query;
      await getSituation(db, request.actor, request.params.slug); // 404 for what the actor may not see
      const items = await lifelineSignals(
        db,
        request.params.slug,
        {
          from: q.from,
          to: q.to,
          coverageBelow: { threshold: q.coverageBelow, minDays: q.minDays },
          closureStarted: true,
          utilityCutLongerThan: { days: q.utilityCutDays },
        },
        request.actor,
      );
      return { items };
    },
  );

  app.get(
    '/situations/:slug/lifeline/observations',
    {
      schema: {
        tags: TAGS,
        summary:
          'Lifeline observations (what crossed a route), each with the source rows it was derived from',
        params: Params,
        querystring: Window,
        response: { 200: Type.Object({ items: Type.Array(Observation) }) },
      },
    },
    async (request) => {
      const situation = await getSituation(db, request.actor, request.params.slug);
      const { from, to } = request.query;
      const window = from || to ? { from: from ?? '0001-01-01', to: to ?? '9999-12-31' } : undefined;
      return { items: await listObservations(db, situation.id, window) };
    },
  );

  app.get(
    '/situations/:slug/lifeline/observations.csv',
    {
      schema: {
        tags: TAGS,
        summary: 'Lifeline observations as CSV with HXL hashtags (the import format, docs/lifeline.md)',
        params: Params,
        produces: ['text/csv'],
      },
    },
    async (request, reply) => {
      const situation = await getSituation(db, request.actor, request.params.slug);
      const csv = observationsToCsv(await listObservations(db, situation.id));
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${situation.slug}-lifeline.csv"`)
        .send(csv);
    },
  );

  app.post(
    '/situations/:slug/lifeline/observations',
    {
      schema: {
        tags: TAGS,
        summary: 'Record observations (documenter, analyst, admin): all of them, or none with every reason',
        description:
          'JSON `{ "observations": [...] }`, or a CSV body (`content-type: text/csv`) in the format of docs/lifeline.md. ' +
          'Units are converted explicitly (kg, t, truckloads with tonnesPerTruckload, l, m3, persons, vehicles); an ' +
          'unknown unit, a negative quantity, an end before the start, or a period overlapping another of the same ' +
          'series is refused with the row and the reason, and nothing is written.',
        params: Params,
        body: Type.Union([
          Type.Object(
            { observations: Type.Array(ObservationInput, { minItems: 1, maxItems: 5000 }) },
            { additionalProperties: false },
          ),
          Type.String({ description: 'CSV (text/csv)' }),
        ]),
        response: { 201: Type.Object({ items: Type.Array(Observation) }) },
      },
    },
    async (request, reply) => {
      const body = request.body;
      let items: Awaited<ReturnType<typeof createObservations>>;
      if (typeof body === 'string') {
        // Check who may write before reading the file, so a refused request learns nothing from it.
        await getSituation(db, request.actor, request.params.slug);
        requirePermission(request.actor, 'incident.write');
        const parsed = parseObservationsCsv(body);
        items = await createObservations(
          db,
          request.actor,
          request.params.slug,
          parsed.inputs,
          (i) => `line ${parsed.lines[i]}`,
        );
      } else {
        items = await createObservations(db, request.actor, request.params.slug, body.observations);
      }
      return reply.code(201).send({ items });
    },
  );
};
