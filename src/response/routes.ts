import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Database } from '../db/types.ts';
import { Slug } from '../lib/schema.ts';
import { getSituation } from '../situations/service.ts';
import { listMeasures } from './service.ts';

const Source = Type.Object({ url: Type.String(), outlet: Type.Union([Type.String(), Type.Null()]) });

export const responseRoutes: FastifyPluginAsyncTypebox<{ db: Database }> = async (app, { db }) => {
  app.get(
    '/situations/:slug/measures',
    {
      schema: {
        tags: ['response'],
        summary:
          'Response measures (sanctions, aid, boycotts, legal proceedings…) with the status as the source words it',
        params: Type.Object({ slug: Slug }),
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                id: Type.String(),
                externalRef: Type.Union([Type.String(), Type.Null()]),
                kind: Type.String(),
                actor: Type.String(),
                target: Type.String(),
                title: Type.String(),
                statusText: Type.String(),
                date: Type.Union([Type.String(), Type.Null()]),
                datePrecision: Type.Union([Type.String(), Type.Null()]),
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
      return { items: await listMeasures(db, situation.id) };
    },
  );
};
