// Officials directory API: public reads (it is a public directory). Positions on campaigns' asks are
// served by the campaigns module (src/campaigns/routes.ts) under /officials/{id}/positions.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Database } from '../db/types.ts';
import { Committee, Official, OfficialDetail, OfficialQuery, SourceSummary } from './schema.ts';
import { ensureDirectory, getOfficial, listCommittees, listSources, searchOfficials } from './service.ts';

const tags = ['officials'];

export const officialsRoutes: FastifyPluginAsyncTypebox<{ db: Database }> = async (app, { db }) => {
  app.get(
    '/officials',
    {
      schema: {
        tags,
        summary: 'Search the officials directory',
        description:
          'Filters combine with AND: `q` (part of the name), `chamber` (senate, house, executive, or a CSV body), ' +
          '`state` and `district` (a supporter finds their own officials), `committee` (e.g. SSFR: Senate Foreign ' +
          'Relations; a subcommittee is its parent code and number, SSFR09), `party` (prefix), `country`. Ordered by ' +
          'family name. Officials a re-load no longer lists are left out unless `includeFormer`. The bundled US ' +
          'directory is loaded on first use.',
        querystring: OfficialQuery,
        response: {
          200: Type.Object({
            items: Type.Array(Official),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
        },
      },
    },
    async (request) => searchOfficials(db, request.query),
  );

  app.get(
    '/officials/:id',
    {
      schema: {
        tags,
        summary: 'One official: offices, committees, terms and ids',
        description: '`id` is the Vigil id or the source id (a bioguide id such as C000127).',
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 120 }) }),
        response: { 200: OfficialDetail },
      },
    },
    async (request) => getOfficial(db, request.params.id),
  );

  app.get(
    '/committees',
    {
      schema: {
        tags,
        summary: 'Committees and subcommittees of the directory, with their member counts',
        response: { 200: Type.Object({ items: Type.Array(Committee) }) },
      },
    },
    async () => ({ items: await listCommittees(db) }),
  );

  app.get(
    '/officials-sources',
    {
      schema: {
        tags,
        summary: 'The directory sources loaded, with their origin and load date (snapshots, not live data)',
        response: { 200: Type.Object({ items: Type.Array(SourceSummary) }) },
      },
    },
    async () => {
      await ensureDirectory(db);
      return { items: await listSources(db) };
    },
  );
};
