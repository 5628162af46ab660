// HTTP route of full-text search across a situation's incidents, evidence, notes and reports.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Database } from '../db/types.ts';
import { Slug } from '../lib/schema.ts';
import { HIT_TYPES, searchSituation } from './search.ts';

const HitType = Type.Union(HIT_TYPES.map((t) => Type.Literal(t)));

export const SearchHit = Type.Object(
  {
    type: HitType,
    id: Type.String({ description: 'the id of the incident, item, note or report' }),
    title: Type.String(),
    snippet: Type.String({ description: 'matching words between « and »' }),
    rank: Type.Number(),
    itemId: Type.Union([Type.String(), Type.Null()]),
    incidentId: Type.Union([Type.String(), Type.Null()]),
    url: Type.String({ description: 'the API resource to open' }),
  },
  { $id: 'SearchHit' },
);

export const evidenceSearchRoutes: FastifyPluginAsyncTypebox<{ db: Database }> = async (app, { db }) => {
  app.get(
    '/situations/:slug/search',
    {
      schema: {
        tags: ['search'],
        summary: 'Full-text search across incidents, evidence titles, captured page text, notes and reports',
        description:
          '`q` uses PostgreSQL websearch syntax ("quoted phrase", -word, or). Hits are typed: `incident`, `item` ' +
          "(title), `item-text` (text extracted from a captured HTML page, or the rendered page's text that its PDF " +
          'shows), `note` (verification notes), `report` (public reports). What a reader may not see is never ' +
          'searched: drafts need read access to drafts; item-text, notes and reports need evidence.read-sealed ' +
          '(reports also evidence.write); items without it only when their publishable copy is visible. ' +
          '`types` in the answer lists what was searched.',
        params: Type.Object({ slug: Slug }),
        querystring: Type.Object(
          {
            q: Type.String({ minLength: 1, maxLength: 200 }),
            types: Type.Optional(
              Type.Array(HitType, {
                uniqueItems: true,
                description: 'only these kinds of hit (repeat the parameter for several)',
              }),
            ),
            limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(SearchHit), types: Type.Array(HitType) }) },
      },
    },
    async (request) => searchSituation(db, request.actor, request.params.slug, request.query),
  );
};
