// Managing organisations and their members (admins: `organisation.manage`). Members see their own
// organisations in GET /auth/session.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Database } from '../db/types.ts';
import { Slug } from '../lib/schema.ts';
import {
  Member,
  MemberAdd,
  Organisation,
  OrganisationCreate,
  OrganisationDetail,
  OrganisationPatch,
} from './schema.ts';
import {
  addMember,
  createOrganisation,
  getOrganisation,
  listOrganisations,
  removeMember,
  renameOrganisation,
} from './service.ts';

const tags = ['organisations'];
const SlugParams = Type.Object({ slug: Slug });

export const organisationRoutes: FastifyPluginAsyncTypebox<{ db: Database }> = async (app, { db }) => {
  app.get(
    '/organisations',
    {
      schema: {
        tags,
        summary: 'Every organisation, with counts of members and situations (admin)',
        response: { 200: Type.Object({ items: Type.Array(Organisation) }) },
      },
    },
    async (request) => ({ items: await listOrganisations(db, request.actor) }),
  );

  app.post(
    '/organisations',
    {
      schema: {
        tags,
        summary: 'Create an organisation (admin)',
        body: OrganisationCreate,
        response: { 201: Organisation },
      },
    },
    async (request, reply) => reply.code(201).send(await createOrganisation(db, request.actor, request.body)),
  );

  app.get(
    '/organisations/:slug',
    {
      schema: {
        tags,
        summary: 'An organisation, its members and the history of membership changes (admin)',
        params: SlugParams,
        response: { 200: OrganisationDetail },
      },
    },
    async (request) => getOrganisation(db, request.actor, request.params.slug),
  );

  app.patch(
    '/organisations/:slug',
    {
      schema: {
        tags,
        summary: 'Rename an organisation (admin); its slug never changes',
        params: SlugParams,
        body: OrganisationPatch,
        response: { 200: Organisation },
      },
    },
    async (request) => renameOrganisation(db, request.actor, request.params.slug, request.body),
  );

  app.post(
    '/organisations/:slug/members',
    {
      schema: {
        tags,
        summary: 'Add a user to an organisation (admin); 409 when they already are a member',
        params: SlugParams,
        body: MemberAdd,
        response: { 201: Member },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await addMember(db, request.actor, request.params.slug, request.body.email)),
  );

  app.delete(
    '/organisations/:slug/members/:email',
    {
      schema: {
        tags,
        summary: 'Remove a user from an organisation (admin); they lose access at their next request',
        params: Type.Object({ slug: Slug, email: Type.String({ minLength: 3, maxLength: 254 }) }),
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await removeMember(db, request.actor, request.params.slug, request.params.email);
      return reply.code(204).send(null);
    },
  );
};
