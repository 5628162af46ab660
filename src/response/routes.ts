// Measures tracker and events registry API. Reads follow the situation's visibility; writes need
// `measure.write` (organiser, admin). Sanctions screening and dossiers: sanctions-routes.ts.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Database } from '../db/types.ts';
import { Slug, Uuid } from '../lib/schema.ts';
import { getSituation } from '../situations/service.ts';
import { statusChangesFeed } from './atom.ts';
import {
  addBoycottResponse,
  createBoycottCall,
  createHostedEvent,
  getHostedEvent,
  listBoycottCalls,
  listHostedEvents,
} from './events.ts';
import {
  BoycottCall,
  BoycottCallCreate,
  BoycottResponseCreate,
  FeedChange,
  HostedEvent,
  HostedEventCreate,
  IncidentLinks,
  ItemLinks,
  Measure,
  MeasureCreate,
  MeasureQuery,
  MeasureWithHistory,
  StepIn,
} from './schema.ts';
import {
  changeMeasureStatus,
  createMeasure,
  getMeasure,
  listMeasures,
  listStatusChanges,
  setMeasureIncidents,
  setMeasureItems,
} from './service.ts';
import { MEASURE_CATEGORIES, MEASURE_STATUSES, SOURCE_KIND_CATEGORY, USUAL_PATH } from './vocabulary.ts';

const tags = ['response'];
const eventTags = ['events registry'];

export const responseRoutes: FastifyPluginAsyncTypebox<{ db: Database }> = async (app, { db }) => {
  app.get(
    '/measures/vocabulary',
    {
      schema: {
        tags,
        summary:
          'The documented vocabulary: measure categories, statuses, the usual path, source-kind mapping',
        response: {
          200: Type.Object({
            categories: Type.Record(Type.String(), Type.String()),
            statuses: Type.Record(Type.String(), Type.String()),
            usualPath: Type.Array(Type.String()),
            ends: Type.Array(Type.String()),
            sourceKinds: Type.Record(Type.String(), Type.String()),
            eventSourceKinds: Type.Array(Type.String()),
          }),
        },
      },
    },
    async () => ({
      categories: MEASURE_CATEGORIES,
      statuses: MEASURE_STATUSES,
      usualPath: USUAL_PATH,
      ends: ['rejected', 'lapsed', 'lifted'],
      sourceKinds: SOURCE_KIND_CATEGORY,
      eventSourceKinds: ['event_hosted', 'boycott_call'],
    }),
  );

  app.get(
    '/situations/:slug/measures',
    {
      schema: {
        tags,
        summary: 'Response measures with their vocabulary status and the source wording (table view)',
        description:
          'Filters combine with AND. `from`/`to` apply to the measure date (or, without one, its status date); ' +
          '`actor`, `target` and `q` are case-insensitive substrings. Ordered by date.',
        params: Type.Object({ slug: Slug }),
        querystring: MeasureQuery,
        response: { 200: Type.Object({ items: Type.Array(Measure) }) },
      },
    },
    async (request) => ({
      items: await listMeasures(db, request.actor, request.params.slug, request.query),
    }),
  );

  app.post(
    '/situations/:slug/measures',
    {
      schema: {
        tags,
        summary: 'Record a measure (organiser, admin)',
        params: Type.Object({ slug: Slug }),
        body: MeasureCreate,
        response: { 201: MeasureWithHistory },
      },
    },
    async (request, reply) => {
      const measure = await createMeasure(db, request.actor, request.params.slug, request.body);
      return reply.code(201).header('location', `/api/v1/measures/${measure.id}`).send(measure);
    },
  );

  app.get(
    '/situations/:slug/measures/changes',
    {
      schema: {
        tags,
        summary: 'Status changes of all measures, newest recorded first (timeline view)',
        params: Type.Object({ slug: Slug }),
        querystring: Type.Object(
          { limit: Type.Integer({ minimum: 1, maximum: 1000, default: 200 }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(FeedChange) }) },
      },
    },
    async (request) => ({
      items: await listStatusChanges(db, request.actor, request.params.slug, request.query.limit),
    }),
  );

  app.get(
    '/situations/:slug/measures/feed.atom',
    {
      schema: {
        tags,
        summary: 'Atom feed of measure status changes, one entry per change',
        params: Type.Object({ slug: Slug }),
        produces: ['application/atom+xml'],
        response: { 200: Type.String({ description: 'An Atom 1.0 document (RFC 4287)' }) },
      },
    },
    async (request, reply) => {
      const situation = await getSituation(db, request.actor, request.params.slug);
      const changes = await listStatusChanges(db, request.actor, situation.slug, 500);
      const apiBase = `${request.protocol}://${request.host}/api/v1`;
      return reply.type('application/atom+xml; charset=utf-8').send(
        statusChangesFeed({
          situationSlug: situation.slug,
          situationName: situation.name,
          apiBase,
          changes,
        }),
      );
    },
  );

  app.get(
    '/measures/:id',
    {
      schema: {
        tags,
        summary: 'One measure with its dated status history and linked incidents',
        params: Type.Object({ id: Uuid }),
        response: { 200: MeasureWithHistory },
      },
    },
    async (request) => getMeasure(db, request.actor, request.params.id),
  );

  app.post(
    '/measures/:id/status',
    {
      schema: {
        tags,
        summary: 'Record a new status (organiser, admin); a change off the usual path needs a note',
        params: Type.Object({ id: Uuid }),
        body: StepIn,
        response: { 200: MeasureWithHistory },
      },
    },
    async (request) => changeMeasureStatus(db, request.actor, request.params.id, request.body),
  );

  app.put(
    '/measures/:id/incidents',
    {
      schema: {
        tags,
        summary: 'Replace the incidents a measure is linked to (organiser, admin)',
        params: Type.Object({ id: Uuid }),
        body: IncidentLinks,
        response: { 200: MeasureWithHistory },
      },
    },
    async (request) =>
      setMeasureIncidents(db, request.actor, request.params.id, request.body.incidentIds, request.body.basis),
  );

  app.put(
    '/measures/:id/items',
    {
      schema: {
        tags,
        summary: 'Replace the evidence items a measure is linked to (organiser, admin)',
        params: Type.Object({ id: Uuid }),
        body: ItemLinks,
        response: { 200: MeasureWithHistory },
      },
    },
    async (request) =>
      setMeasureItems(db, request.actor, request.params.id, request.body.itemIds, request.body.basis),
  );

  // Events registry

  app.get(
    '/situations/:slug/events',
    {
      schema: {
        tags: eventTags,
        summary: 'International events hosted by the target state, with boycott calls and responses',
        params: Type.Object({ slug: Slug }),
        response: { 200: Type.Object({ items: Type.Array(HostedEvent) }) },
      },
    },
    async (request) => ({ items: await listHostedEvents(db, request.actor, request.params.slug) }),
  );

  app.post(
    '/situations/:slug/events',
    {
      schema: {
        tags: eventTags,
        summary: 'Record a hosted event (organiser, admin)',
        params: Type.Object({ slug: Slug }),
        body: HostedEventCreate,
        response: { 201: HostedEvent },
      },
    },
    async (request, reply) => {
      const event = await createHostedEvent(db, request.actor, request.params.slug, request.body);
      return reply.code(201).header('location', `/api/v1/events/${event.id}`).send(event);
    },
  );

  app.get(
    '/events/:id',
    {
      schema: {
        tags: eventTags,
        summary: 'One hosted event with its boycott calls and responses',
        params: Type.Object({ id: Uuid }),
        response: { 200: HostedEvent },
      },
    },
    async (request) => getHostedEvent(db, request.actor, request.params.id),
  );

  app.post(
    '/events/:id/responses',
    {
      schema: {
        tags: eventTags,
        summary: 'Record a response to an event or a call: who withdrew, who stayed (organiser, admin)',
        params: Type.Object({ id: Uuid }),
        body: BoycottResponseCreate,
        response: { 201: HostedEvent },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await addBoycottResponse(db, request.actor, request.params.id, request.body)),
  );

  app.get(
    '/situations/:slug/boycott-calls',
    {
      schema: {
        tags: eventTags,
        summary: 'All boycott calls, including those about events the registry does not hold',
        params: Type.Object({ slug: Slug }),
        response: { 200: Type.Object({ items: Type.Array(BoycottCall) }) },
      },
    },
    async (request) => ({ items: await listBoycottCalls(db, request.actor, request.params.slug) }),
  );

  app.post(
    '/situations/:slug/boycott-calls',
    {
      schema: {
        tags: eventTags,
        summary: 'Record a boycott call, about a registered event or not (organiser, admin)',
        params: Type.Object({ slug: Slug }),
        body: BoycottCallCreate,
        response: { 201: BoycottCall },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await createBoycottCall(db, request.actor, request.params.slug, request.body)),
  );
};
