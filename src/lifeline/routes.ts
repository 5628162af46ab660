import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Database } from '../db/types.ts';
import { IsoDate, Slug } from '../lib/schema.ts';
import { getSituation } from '../situations/service.ts';
import { observationsToCsv, parseObservationsCsv } from './csv.ts';
import { rederiveLifeline } from './derive.ts';
import { createObservations, recordLifeline } from './records.ts';
import {
  DerivationOut,
  DisruptionInput,
  DisruptionOut,
  LifelineRecordsInput,
  Metrics,
  MetricsQuery,
  NeedsModelInput,
  NeedsModelOut,
  Observation,
  ObservationInput,
  PopulationInput,
  PopulationOut,
  Series,
  SeriesQuery,
  SourceOut,
  StockInput,
  StockOut,
} from './schema.ts';
import {
  computeMetrics,
  computeSeries,
  listDisruptions,
  listNeedsModels,
  listObservations,
  listPopulation,
  listStocks,
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
            population: Type.Array(PopulationOut),
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
        await getSituation(db, request.actor, request.params.slug, 'lifeline.write');
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

  const WRITE_NOTE =
    "Needs `lifeline.write` (documenter, analyst, admin) and, in an organisation's situation, membership. The request is checked whole and written in one " +
    'transaction, or refused with every row and reason (`errors[].field`, e.g. `disruptions.2.endsOn`) and nothing written.';

  app.post(
    '/situations/:slug/lifeline/needs',
    {
      schema: {
        tags: TAGS,
        summary: 'Record needs models and population figures',
        description:
          `${WRITE_NOTE} A model is a \`baseline-rate\` (t/day) or \`per-person\` (kg/person/day × the population of ` +
          'each day); `selected: true` makes it the one used for its commodity and deselects the previous one ' +
          '(listed in `deselected`). The population is a step series with one figure a day at most.',
        params: Params,
        body: Type.Object(
          {
            models: Type.Optional(Type.Array(NeedsModelInput, { maxItems: 100 })),
            population: Type.Optional(Type.Array(PopulationInput, { maxItems: 1000 })),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: {
          201: Type.Object({
            models: Type.Array(NeedsModelOut),
            population: Type.Array(PopulationOut),
            deselected: Type.Array(Type.String()),
          }),
        },
      },
    },
    async (request, reply) => {
      const written = await recordLifeline(db, request.actor, request.params.slug, request.body);
      return reply
        .code(201)
        .send({ models: written.models, population: written.population, deselected: written.deselected });
    },
  );

  app.post(
    '/situations/:slug/lifeline/disruptions',
    {
      schema: {
        tags: TAGS,
        summary: 'Record utility cuts and corridor status intervals, or totals of days stated by a source',
        description:
          `${WRITE_NOTE} The status must fit the kind (utilities: cut, partial; corridor: open, restricted, closed, ` +
          'humanitarian-only); an end before the start, or an interval overlapping another of the same series ' +
          '(kind, status, route and main source) is refused.',
        params: Params,
        body: Type.Object(
          { disruptions: Type.Array(DisruptionInput, { minItems: 1, maxItems: 1000 }) },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ items: Type.Array(DisruptionOut) }) },
      },
    },
    async (request, reply) => {
      const written = await recordLifeline(db, request.actor, request.params.slug, request.body);
      return reply.code(201).send({ items: written.disruptions });
    },
  );

  app.get(
    '/situations/:slug/lifeline/stocks',
    {
      schema: {
        tags: TAGS,
        summary: 'Reported stocks, with consumption and unusable level when reported',
        params: Params,
        response: { 200: Type.Object({ items: Type.Array(StockOut) }) },
      },
    },
    async (request) => {
      const situation = await getSituation(db, request.actor, request.params.slug);
      return { items: await listStocks(db, situation.id) };
    },
  );

  app.post(
    '/situations/:slug/lifeline/stocks',
    {
      schema: {
        tags: TAGS,
        summary: 'Record reported stocks (for the stock-out estimate)',
        description: `${WRITE_NOTE} Consumption per day is in the unit of the stock.`,
        params: Params,
        body: Type.Object(
          { stocks: Type.Array(StockInput, { minItems: 1, maxItems: 1000 }) },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ items: Type.Array(StockOut) }) },
      },
    },
    async (request, reply) => {
      const written = await recordLifeline(db, request.actor, request.params.slug, request.body);
      return reply.code(201).send({ items: written.stocks });
    },
  );

  app.post(
    '/situations/:slug/lifeline/records',
    {
      schema: {
        tags: TAGS,
        summary: 'Record observations, needs models, population, disruptions and stocks at once',
        description: `${WRITE_NOTE} The body is the one \`vigil lifeline record FILE\` reads.`,
        params: Params,
        body: LifelineRecordsInput,
        response: {
          201: Type.Object({
            observations: Type.Array(Observation),
            models: Type.Array(NeedsModelOut),
            population: Type.Array(PopulationOut),
            disruptions: Type.Array(DisruptionOut),
            stocks: Type.Array(StockOut),
            deselected: Type.Array(Type.String()),
          }),
        },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await recordLifeline(db, request.actor, request.params.slug, request.body)),
  );

  app.post(
    '/situations/:slug/lifeline/derive',
    {
      schema: {
        tags: TAGS,
        summary: "Derive the scenario's lifeline records again from its stored rows, without re-importing",
        description:
          'Needs `lifeline.write`. Compares what the rows give with the stored derived records (by ref) and adds, ' +
          'updates or removes only what differs, in one transaction; running it twice changes nothing the second ' +
          'time. Records entered by hand are never touched. 409 for a situation without derivation rules.',
        params: Params,
        response: { 200: DerivationOut },
      },
    },
    async (request) => rederiveLifeline(db, request.actor, request.params.slug),
  );
};
