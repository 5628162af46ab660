// Sanctions screening, persons of interest and dossiers. Everything but the list versions needs
// `sanctions.screen` (analyst, organiser, admin).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { requirePermission } from '../auth/permissions.ts';
import type { Database } from '../db/types.ts';
import { Slug, Uuid } from '../lib/schema.ts';
import {
  buildDossier,
  createPerson,
  dossierMarkdown,
  getPerson,
  listPersons,
  screenPerson,
} from './persons.ts';
import { listVersions, screenNames } from './sanctions.ts';
import { ListVersion, Person, PersonCreate, ScreenRequest, ScreenResponse } from './schema.ts';

const tags = ['sanctions'];

export const sanctionsRoutes: FastifyPluginAsyncTypebox<{ db: Database }> = async (app, { db }) => {
  app.get(
    '/sanctions/lists',
    {
      schema: {
        tags,
        summary: 'The sanctions lists loaded, with their versions (active ones, or all with all=true)',
        querystring: Type.Object({ all: Type.Boolean({ default: false }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(ListVersion) }) },
      },
    },
    async (request) => ({ items: await listVersions(db, { all: request.query.all }) }),
  );

  app.post(
    '/sanctions/screen',
    {
      schema: {
        tags,
        summary: 'Screen names against the sanctions lists (analyst, organiser, admin)',
        description:
          'Fuzzy, transliteration-aware matching (docs/response.md). Each match gives its score, the reasons, ' +
          'and the list and version it came from. The bundled list snapshots are loaded at first use.',
        body: ScreenRequest,
        response: { 200: ScreenResponse },
      },
    },
    async (request) => {
      requirePermission(request.actor, 'sanctions.screen');
      return screenNames(db, request.body.names, {
        threshold: request.body.threshold,
        limit: request.body.limit,
      });
    },
  );

  app.get(
    '/situations/:slug/persons',
    {
      schema: {
        tags,
        summary: 'Persons and entities of interest in a situation (analyst, organiser, admin)',
        params: Type.Object({ slug: Slug }),
        response: { 200: Type.Object({ items: Type.Array(Person) }) },
      },
    },
    async (request) => ({ items: await listPersons(db, request.actor, request.params.slug) }),
  );

  app.post(
    '/situations/:slug/persons',
    {
      schema: {
        tags,
        summary: 'Record a person or entity of interest with role and evidence links',
        params: Type.Object({ slug: Slug }),
        body: PersonCreate,
        response: { 201: Person },
      },
    },
    async (request, reply) => {
      const person = await createPerson(db, request.actor, request.params.slug, request.body);
      return reply.code(201).header('location', `/api/v1/persons/${person.id}`).send(person);
    },
  );

  app.get(
    '/persons/:id',
    {
      schema: {
        tags,
        summary: 'One person of interest with linked incidents and the latest screening',
        params: Type.Object({ id: Uuid }),
        response: { 200: Person },
      },
    },
    async (request) => getPerson(db, request.actor, request.params.id),
  );

  app.post(
    '/persons/:id/screen',
    {
      schema: {
        tags,
        summary: "Screen a person's name and aliases; the result is kept with the list versions used",
        params: Type.Object({ id: Uuid }),
        body: Type.Optional(
          Type.Object(
            { threshold: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1 })) },
            { additionalProperties: false },
          ),
        ),
        response: { 200: Person },
      },
    },
    async (request) => screenPerson(db, request.actor, request.params.id, request.body?.threshold),
  );

  app.get(
    '/persons/:id/dossier',
    {
      schema: {
        tags,
        summary: 'Dossier for a Global Magnitsky-style submission: person, role, evidence, list matches',
        description: '`format=json` (default) or `format=md` (Markdown, text/markdown).',
        params: Type.Object({ id: Uuid }),
        querystring: Type.Object(
          { format: Type.Union([Type.Literal('json'), Type.Literal('md')], { default: 'json' }) },
          { additionalProperties: false },
        ),
        produces: ['application/json', 'text/markdown'],
        response: { 200: Type.Unknown({ description: 'The dossier (vigil-dossier/1 JSON, or Markdown)' }) },
      },
    },
    async (request, reply) => {
      const dossier = await buildDossier(db, request.actor, request.params.id);
      if (request.query.format === 'md') {
        return reply
          .type('text/markdown; charset=utf-8')
          .header('content-disposition', `attachment; filename="dossier-${request.params.id}.md"`)
          .send(dossierMarkdown(dossier));
      }
      return dossier;
    },
  );
};
