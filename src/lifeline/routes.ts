import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Database } from '../db/types.ts';
import { Slug } from '../lib/schema.ts';
import { getSituation } from '../situations/service.ts';
import { listSupplyObservations } from './service.ts';

const Source = Type.Object({ url: Type.String(), outlet: Type.Union([Type.String(), Type.Null()]) });

export const lifelineRoutes: FastifyPluginAsyncTypebox<{ db: Database }> = async (app, { db }) => {
  app.get(
    '/situations/:slug/supplies',
    {
      schema: {
        tags: ['lifeline'],
        summary:
          'Supply observations as the sources report them (values kept as written, with their numeric range)',
        params: Type.Object({ slug: Slug }),
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
                sources: Type.Array(Source),
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
};
