import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Database } from '../db/types.ts';
import { incidentStats } from '../evidence/incidents.ts';
import { Slug } from '../lib/schema.ts';
import { Layer, Situation, SituationCreate, SituationPatch } from './schema.ts';
import { createSituation, getSituation, listLayers, listSituations, updateSituation } from './service.ts';

const SlugParams = Type.Object({ slug: Slug });

export const situationRoutes: FastifyPluginAsyncTypebox<{ db: Database }> = async (app, { db }) => {
  app.get(
    '/situations',
    {
      schema: {
        tags: ['situations'],
        summary: 'Situations you may read (public ones without signing in), with incident counts',
        response: { 200: Type.Object({ items: Type.Array(Situation) }) },
      },
    },
    async (request) => {
      const situations = await listSituations(db, request.actor);
      const items = await Promise.all(
        situations.map(async (s) => ({ ...s, stats: await incidentStats(db, request.actor, s) })),
      );
      return { items };
    },
  );

  app.get(
    '/situations/:slug',
    {
      schema: {
        tags: ['situations'],
        summary: 'One situation',
        params: SlugParams,
        response: { 200: Situation },
      },
    },
    async (request) => {
      const situation = await getSituation(db, request.actor, request.params.slug);
      return { ...situation, stats: await incidentStats(db, request.actor, situation) };
    },
  );

  app.get(
    '/situations/:slug/layers',
    {
      schema: {
        tags: ['situations'],
        summary: "The situation's map overlays (its places, schematic routes), each with sources",
        params: SlugParams,
        response: { 200: Type.Object({ items: Type.Array(Layer) }) },
      },
    },
    async (request) => {
      const situation = await getSituation(db, request.actor, request.params.slug);
      return { items: await listLayers(db, situation.id) };
    },
  );

  app.post(
    '/situations',
    {
      schema: {
        tags: ['situations'],
        summary: 'Create a situation (admin)',
        body: SituationCreate,
        response: { 201: Situation },
      },
    },
    async (request, reply) => {
      const situation = await createSituation(db, request.actor, request.body);
      return reply.code(201).send(situation);
    },
  );

  app.patch(
    '/situations/:slug',
    {
      schema: {
        tags: ['situations'],
        summary: 'Edit a situation (admin)',
        params: SlugParams,
        body: SituationPatch,
        response: { 200: Situation },
      },
    },
    async (request) => updateSituation(db, request.actor, request.params.slug, request.body),
  );
};
