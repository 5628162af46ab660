// Assembles the HTTP application: plugins (errors, auth, OpenAPI, rate limits), module routes, the web UI.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import { Type } from '@sinclair/typebox';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { alertRoutes } from '../alerts/routes.ts';
import { authRoutes } from '../auth/routes.ts';
import { campaignRoutes } from '../campaigns/routes.ts';
import { coordinationRoutes } from '../coordination/routes.ts';
import type { Database } from '../db/types.ts';
import { evidenceCaptureRoutes } from '../evidence/capture-routes.ts';
import { custodyRoutes } from '../evidence/custody-routes.ts';
import { evidenceIntakeRoutes } from '../evidence/intake-routes.ts';
import { type EvidenceOptions, evidenceItemRoutes } from '../evidence/item-routes.ts';
import { incidentRoutes } from '../evidence/routes.ts';
import { evidenceSearchRoutes } from '../evidence/search-routes.ts';
import { Problem } from '../lib/schema.ts';
import { lifelineRoutes } from '../lifeline/routes.ts';
import { officialsRoutes } from '../officials/routes.ts';
import { organisationRoutes } from '../organisations/routes.ts';
import { responseRoutes } from '../response/routes.ts';
import { sanctionsRoutes } from '../response/sanctions-routes.ts';
import { riskFrameworkRoutes } from '../risk/framework/routes.ts';
import { riskModelRoutes } from '../risk/model/routes.ts';
import { situationRoutes } from '../situations/routes.ts';
import { VERSION } from '../version.ts';
import { authPlugin } from './auth-plugin.ts';
import { registerProblemHandler, sendProblem } from './problems.ts';

export const WEB_DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));

export interface AppOptions {
  db: Database;
  cookieSecure: boolean;
  trustProxy?: boolean;
  /** A pino logger configuration, or false for none. Request logs never carry client addresses or agents. */
  logger?: FastifyServerOptions['logger'];
  /** Requests per minute per client on the whole API (public endpoints included). */
  rateLimit?: number;
  loginRateLimit?: number;
  webDist?: string | null;
  /** VIGIL_PUBLIC_URL: the base of links sent by e-mail. */
  publicUrl?: string | null;
  /** VIGIL_PETITION_RATE_LIMIT: public campaign requests per client, endpoint and hour. */
  petitionRateLimit?: number;
  /** The evidence blob store, upload limit and signing-key folder; without it uploads answer 503. */
  evidence?: EvidenceOptions | null;
}

// What a request log line may say about a request: never who sent it (no IP, no user agent).
export const requestLogSerializers = {
  req: (req: { method: string; url: string; id: string }) => ({
    id: req.id,
    method: req.method,
    url: req.url,
  }),
  res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
};

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const logger = options.logger === undefined ? false : options.logger;
  const app = Fastify({
    logger:
      logger === false ? false : { ...(logger === true ? {} : logger), serializers: requestLogSerializers },
    trustProxy: options.trustProxy ?? false,
    bodyLimit: 1_048_576,
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: true },
    },
  }).withTypeProvider();

  registerProblemHandler(app);
  // JSON only: a text/plain body is what a cross-site form can send without a CORS preflight.
  app.removeContentTypeParser('text/plain');
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        styleSrc: ["'self'", "'unsafe-inline'"],
        scriptSrc: ["'self'"],
        connectSrc: ["'self'"],
        upgradeInsecureRequests: null,
      },
    },
    hsts: options.cookieSecure,
  });
  await app.register(cookie);
  await app.register(rateLimit, {
    max: options.rateLimit ?? 1200,
    timeWindow: '1 minute',
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      type: 'https://vigil.invalid/problems/too-many-requests',
      title: 'Too many requests',
      status: 429,
      detail: `rate limit of ${context.max} requests per ${context.after === '1 minute' ? 'minute' : context.after} reached; retry later`,
    }),
  });
  app.addSchema(Problem);
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Vigil API',
        version: VERSION,
        description:
          'Early warning and rapid response. Errors are application/problem+json (RFC 7807). ' +
          'Authenticate with a session cookie (send X-CSRF-Token on writes) or Authorization: Bearer <API token>.',
      },
      servers: [{ url: '/' }],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: 'vigil_session' },
        },
      },
      security: [{}, { bearer: [] }, { session: [] }],
    },
  });

  await app.register(
    async (api) => {
      await api.register(authPlugin, { db: options.db });
      api.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
      api.get(
        '/health',
        {
          schema: {
            tags: ['system'],
            summary: 'Liveness, the kind of database and the version',
            response: {
              200: Type.Object({
                status: Type.Literal('ok'),
                database: Type.String(),
                version: Type.String(),
              }),
            },
          },
        },
        async () => {
          await options.db.query('SELECT 1');
          return { status: 'ok' as const, database: options.db.kind, version: VERSION };
        },
      );
      await api.register(authRoutes, {
        db: options.db,
        cookieSecure: options.cookieSecure,
        loginRateLimit: options.loginRateLimit ?? 10,
      });
      await api.register(situationRoutes, { db: options.db });
      await api.register(organisationRoutes, { db: options.db });
      await api.register(incidentRoutes, { db: options.db });
      await api.register(evidenceItemRoutes, { db: options.db, evidence: options.evidence ?? null });
      await api.register(evidenceCaptureRoutes, { db: options.db, evidence: options.evidence ?? null });
      await api.register(evidenceIntakeRoutes, { db: options.db, evidence: options.evidence ?? null });
      await api.register(evidenceSearchRoutes, { db: options.db });
      await api.register(custodyRoutes, { db: options.db, keyDir: options.evidence?.keyDir ?? null });
      await api.register(lifelineRoutes, { db: options.db });
      await api.register(responseRoutes, { db: options.db });
      await api.register(sanctionsRoutes, { db: options.db });
      await api.register(alertRoutes, { db: options.db });
      await api.register(riskFrameworkRoutes, { db: options.db });
      await api.register(riskModelRoutes, { db: options.db });
      await api.register(coordinationRoutes, {
        db: options.db,
        maxImportBytes: options.evidence?.maxUploadBytes ?? 2 ** 31,
      });
      await api.register(officialsRoutes, { db: options.db });
      await api.register(campaignRoutes, {
        db: options.db,
        keyDir: options.evidence?.keyDir ?? null,
        publicUrl: options.publicUrl ?? null,
        petitionRateLimit: options.petitionRateLimit ?? 30,
      });
    },
    { prefix: '/api/v1' },
  );

  const webDist = options.webDist === undefined ? WEB_DIST : options.webDist;
  const hasWeb = () => webDist !== null && existsSync(`${webDist}/index.html`);
  if (webDist !== null && existsSync(webDist)) {
    // wildcard: files are looked up per request, so a rebuilt web app is served without a restart.
    await app.register(fastifyStatic, { root: webDist, wildcard: true, index: ['index.html'] });
  }
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    if (path.startsWith('/api/') || request.method !== 'GET' || !hasWeb()) {
      return sendProblem(reply, 404, 'Not found', `no route for ${request.method} ${path}`);
    }
    // The browser app routes everything else itself.
    return reply.type('text/html').sendFile('index.html');
  });
  return app;
}
