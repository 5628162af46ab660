import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Database } from '../db/types.ts';
import { Slug, Uuid } from '../lib/schema.ts';
import { createIncident, getIncident, listIncidents, updateIncident } from './incidents.ts';
import { Incident, IncidentCreate, IncidentPatch, IncidentQuery, IncidentWithRevisions } from './schema.ts';

export const incidentRoutes: FastifyPluginAsyncTypebox<{ db: Database }> = async (app, { db }) => {
  app.get(
    '/situations/:slug/incidents',
    {
      schema: {
        tags: ['incidents'],
        summary: 'Incidents of a situation, by start date, with filters and cursor pagination',
        description:
          '`from`/`to` keep incidents whose period overlaps the range; `q` is full-text search (PostgreSQL websearch syntax). ' +
          'Without read access to drafts only published incidents are listed.',
        params: Type.Object({ slug: Slug }),
        querystring: IncidentQuery,
        response: {
          200: Type.Object({
            items: Type.Array(Incident),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
        },
      },
    },
    async (request) => listIncidents(db, request.actor, request.params.slug, request.query),
  );

  app.post(
    '/situations/:slug/incidents',
    {
      schema: {
        tags: ['incidents'],
        summary: 'Record an incident (documenter, analyst, admin)',
        params: Type.Object({ slug: Slug }),
        body: IncidentCreate,
        response: { 201: Incident },
      },
    },
    async (request, reply) => {
      const incident = await createIncident(db, request.actor, request.params.slug, request.body);
      return reply.code(201).header('location', `/api/v1/incidents/${incident.id}`).send(incident);
    },
  );

  app.get(
    '/incidents/:id',
    {
      schema: {
        tags: ['incidents'],
        summary: 'One incident with its full revision history',
        params: Type.Object({ id: Uuid }),
        response: { 200: IncidentWithRevisions },
      },
    },
    async (request) => getIncident(db, request.actor, request.params.id),
  );

  app.patch(
    '/incidents/:id',
    {
      schema: {
        tags: ['incidents'],
        summary: 'Edit an incident; the change is kept as a new revision',
        params: Type.Object({ id: Uuid }),
        body: IncidentPatch,
        response: { 200: Incident },
      },
    },
    async (request) => updateIncident(db, request.actor, request.params.id, request.body),
  );
};
