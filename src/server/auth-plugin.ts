// Who is asking: a Bearer API token, or a session cookie (with CSRF protection on state-changing requests).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { type Actor, ANONYMOUS } from '../auth/permissions.ts';
import { resolveApiToken, resolveSession } from '../auth/service.ts';
import type { Database } from '../db/types.ts';
import { ForbiddenError, UnauthorizedError } from '../lib/errors.ts';
import { safeEqual } from '../lib/tokens.ts';

export const SESSION_COOKIE = 'vigil_session';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor;
    /** The raw session token when the request came with a valid session cookie. */
    sessionToken: string | null;
    csrfToken: string | null;
  }
}

function sameOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (!origin) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

export const authPlugin = fp(async (app: FastifyInstance, opts: { db: Database }) => {
  app.decorateRequest('actor', null as never); // set for every request in the hook below
  app.decorateRequest('sessionToken', null);
  app.decorateRequest('csrfToken', null);
  app.addHook('onRequest', async (request) => {
    request.actor = ANONYMOUS;
    const unsafe = !SAFE_METHODS.has(request.method);
    if (unsafe && !sameOrigin(request))
      throw new ForbiddenError('cross-origin requests may not change anything');
    const authorization = request.headers.authorization;
    if (authorization) {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization);
      const found = match ? await resolveApiToken(opts.db, match[1]!) : null;
      if (!found) throw new UnauthorizedError('the API token is unknown or revoked');
      request.actor = { kind: 'user', user: found.user, via: 'token', organisations: found.organisations };
      return;
    }
    const token = request.cookies[SESSION_COOKIE];
    if (!token) return;
    const session = await resolveSession(opts.db, token);
    if (!session) return; // an expired cookie reads as anonymous; the client is told by /auth/session
    request.actor = {
      kind: 'user',
      user: session.user,
      via: 'session',
      organisations: session.organisations,
    };
    request.sessionToken = token;
    request.csrfToken = session.csrfToken;
    if (unsafe) {
      const sent = request.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || !safeEqual(sent, session.csrfToken)) {
        throw new ForbiddenError(
          `missing or wrong ${CSRF_HEADER} header (get it from GET /api/v1/auth/session)`,
        );
      }
    }
  });
});
