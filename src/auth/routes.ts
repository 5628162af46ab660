import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Database } from '../db/types.ts';
import { UnauthorizedError } from '../lib/errors.ts';
import { Membership } from '../organisations/schema.ts';
import { membershipsOf } from '../organisations/service.ts';
import { CSRF_HEADER, SESSION_COOKIE } from '../server/auth-plugin.ts';
import {
  authenticate,
  changePassword,
  createSession,
  deleteSession,
  hasAdmin,
  SESSION_DAYS,
} from './service.ts';

const User = Type.Object({ id: Type.String(), email: Type.String(), role: Type.String() });

export interface AuthRouteOptions {
  db: Database;
  cookieSecure: boolean;
  /** Sign-in attempts per minute from one client before 429. */
  loginRateLimit: number;
}

export const authRoutes: FastifyPluginAsyncTypebox<AuthRouteOptions> = async (
  app,
  { db, cookieSecure, loginRateLimit },
) => {
  app.get(
    '/auth/session',
    {
      schema: {
        tags: ['auth'],
        summary:
          'Who is signed in, the CSRF token to send back, and whether the first admin is still missing',
        response: {
          200: Type.Object({
            user: Type.Union([User, Type.Null()]),
            csrfToken: Type.Union([Type.String(), Type.Null()]),
            csrfHeader: Type.String(),
            setupNeeded: Type.Boolean(),
            organisations: Type.Array(Membership, {
              description: "The signed-in user's organisations (docs/organisations.md)",
            }),
          }),
        },
      },
    },
    async (request) => ({
      user: request.actor.kind === 'user' ? request.actor.user : null,
      csrfToken: request.csrfToken,
      csrfHeader: CSRF_HEADER,
      setupNeeded: !(await hasAdmin(db)),
      organisations: request.actor.kind === 'user' ? await membershipsOf(db, request.actor.user.id) : [],
    }),
  );

  app.post(
    '/auth/login',
    {
      config: { rateLimit: { max: loginRateLimit, timeWindow: '1 minute' } },
      schema: {
        tags: ['auth'],
        summary: 'Sign in; sets an HTTP-only session cookie',
        body: Type.Object(
          {
            email: Type.String({ minLength: 1, maxLength: 254 }),
            password: Type.String({ minLength: 1, maxLength: 1024 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ user: User, csrfToken: Type.String() }) },
      },
    },
    async (request, reply) => {
      const user = await authenticate(db, request.body.email, request.body.password);
      if (request.sessionToken) await deleteSession(db, request.sessionToken); // no session fixation
      const session = await createSession(db, user.id);
      reply.setCookie(SESSION_COOKIE, session.token, {
        path: '/',
        httpOnly: true,
        sameSite: 'strict',
        secure: cookieSecure,
        maxAge: SESSION_DAYS * 86_400,
      });
      return { user, csrfToken: session.csrfToken };
    },
  );

  app.post(
    '/auth/logout',
    { schema: { tags: ['auth'], summary: 'Sign out (ends this session)', response: { 204: Type.Null() } } },
    async (request, reply) => {
      if (request.sessionToken) await deleteSession(db, request.sessionToken);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/auth/password',
    {
      config: { rateLimit: { max: loginRateLimit, timeWindow: '1 minute' } },
      schema: {
        tags: ['auth'],
        summary: 'Change your password; ends your other sessions',
        body: Type.Object(
          {
            currentPassword: Type.String({ minLength: 1, maxLength: 1024 }),
            newPassword: Type.String({ maxLength: 1024 }),
          },
          { additionalProperties: false },
        ),
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      if (request.actor.kind !== 'user') throw new UnauthorizedError();
      await changePassword(
        db,
        request.actor.user.id,
        request.body.currentPassword,
        request.body.newPassword,
        request.sessionToken,
      );
      return reply.code(204).send(null);
    },
  );
};
