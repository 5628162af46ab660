import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Database } from '../db/types.ts';
import { UnauthorizedError } from '../lib/errors.ts';
import { IsoDate, parseWith, Slug, Uuid } from '../lib/schema.ts';
import { getSituation } from '../situations/service.ts';
import { alertsFeed } from './atom.ts';
import { listDeadDeliveries } from './delivery.ts';
import {
  Alert,
  AlertQuery,
  AlertRule,
  AlertRuleCreate,
  AlertRulePatch,
  Episode,
  Subscription,
  SubscriptionCreate,
  SubscriptionPatch,
} from './schema.ts';
import {
  createRule,
  createSubscription,
  deleteSubscription,
  getAlert,
  getRule,
  listAlerts,
  listRules,
  listSubscriptions,
  previewRule,
  transitionAlert,
  updateRule,
  updateSubscription,
} from './service.ts';

const tags = ['alerts'];
const Params = Type.Object({ slug: Slug });
const RuleParams = Type.Object({ slug: Slug, id: Uuid });
const IdParams = Type.Object({ id: Uuid });
// An optional body (a note): checked by hand, since a route's body schema makes a body required.
const TransitionBody = Type.Object(
  { note: Type.Optional(Type.String({ maxLength: 2000 })) },
  { additionalProperties: false },
);
const problem = { $ref: 'Problem#' } as const;
const errors = { 400: problem, 401: problem, 403: problem, 404: problem };

export const alertRoutes: FastifyPluginAsyncTypebox<{ db: Database }> = async (app, { db }) => {
  app.get(
    '/situations/:slug/alert-rules',
    {
      schema: {
        tags,
        summary: "A situation's alert rules (analyst, admin)",
        params: Params,
        response: { 200: Type.Object({ items: Type.Array(AlertRule) }), ...errors },
      },
    },
    async (request) => ({ items: await listRules(db, request.actor, request.params.slug) }),
  );

  app.post(
    '/situations/:slug/alert-rules',
    {
      schema: {
        tags,
        summary: 'Create an alert rule; its parameters are validated against its kind',
        params: Params,
        body: AlertRuleCreate,
        response: { 201: AlertRule, ...errors },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await createRule(db, request.actor, request.params.slug, request.body)),
  );

  app.get(
    '/situations/:slug/alert-rules/:id',
    {
      schema: {
        tags,
        summary: 'One alert rule',
        params: RuleParams,
        response: { 200: AlertRule, ...errors },
      },
    },
    async (request) => getRule(db, request.actor, request.params.slug, request.params.id),
  );

  app.patch(
    '/situations/:slug/alert-rules/:id',
    {
      schema: {
        tags,
        summary: 'Change, enable or disable an alert rule (its kind is fixed)',
        params: RuleParams,
        body: AlertRulePatch,
        response: { 200: AlertRule, ...errors },
      },
    },
    async (request) => updateRule(db, request.actor, request.params.slug, request.params.id, request.body),
  );

  app.post(
    '/situations/:slug/alert-rules/:id/preview',
    {
      schema: {
        tags,
        summary: 'What the rule would have fired on the data held today (nothing is stored or sent)',
        params: RuleParams,
        querystring: Type.Object({ asOf: Type.Optional(IsoDate) }, { additionalProperties: false }),
        response: {
          200: Type.Object({ asOf: Type.Union([IsoDate, Type.Null()]), episodes: Type.Array(Episode) }),
          ...errors,
        },
      },
    },
    async (request) => ({
      asOf: request.query.asOf ?? null,
      episodes: await previewRule(
        db,
        request.actor,
        request.params.slug,
        request.params.id,
        request.query.asOf,
      ),
    }),
  );

  app.get(
    '/situations/:slug/alerts',
    {
      schema: {
        tags,
        summary: "A situation's alerts, newest first (without signing in: public alerts only)",
        params: Params,
        querystring: AlertQuery,
        response: { 200: Type.Object({ items: Type.Array(Alert) }), ...errors },
      },
    },
    async (request) => ({ items: await listAlerts(db, request.actor, request.params.slug, request.query) }),
  );

  app.get(
    '/situations/:slug/alerts.atom',
    {
      schema: {
        tags,
        summary: "Atom feed of a situation's public alerts",
        params: Params,
        produces: ['application/atom+xml'],
        response: { 200: Type.String({ description: 'An Atom 1.0 document (RFC 4287)' }), 404: problem },
      },
    },
    async (request, reply) => {
      const situation = await getSituation(db, request.actor, request.params.slug);
      const alerts = (await listAlerts(db, request.actor, situation.slug, { limit: 500 })).filter(
        (a) => a.public,
      );
      return reply.type('application/atom+xml; charset=utf-8').send(
        alertsFeed({
          situationSlug: situation.slug,
          situationName: situation.name,
          apiBase: `${request.protocol}://${request.host}/api/v1`,
          alerts,
        }),
      );
    },
  );

  app.get(
    '/alerts/:id',
    { schema: { tags, summary: 'One alert', params: IdParams, response: { 200: Alert, ...errors } } },
    async (request) => getAlert(db, request.actor, request.params.id),
  );

  for (const action of ['acknowledge', 'resolve'] as const) {
    app.post(
      `/alerts/:id/${action}`,
      {
        schema: {
          tags,
          summary:
            action === 'acknowledge'
              ? 'Acknowledge an open alert (optional JSON body: {note})'
              : 'Resolve an alert (optional JSON body: {note})',
          params: IdParams,
          response: { 200: Alert, 409: problem, ...errors },
        },
      },
      async (request) =>
        transitionAlert(
          db,
          request.actor,
          request.params.id,
          action === 'acknowledge' ? 'acknowledged' : 'resolved',
          request.body == null ? undefined : parseWith(TransitionBody, request.body, 'body').note,
        ),
    );
  }

  app.get(
    '/alert-subscriptions',
    {
      schema: {
        tags,
        summary: "The signed-in user's alert subscriptions",
        response: { 200: Type.Object({ items: Type.Array(Subscription) }), 401: problem },
      },
    },
    async (request) => ({ items: await listSubscriptions(db, request.actor) }),
  );

  app.post(
    '/alert-subscriptions',
    {
      schema: {
        tags,
        summary:
          'Subscribe to a situation’s alerts by webhook or e-mail (a webhook’s signing key is shown once)',
        body: SubscriptionCreate,
        response: { 201: Subscription, ...errors },
      },
    },
    async (request, reply) => reply.code(201).send(await createSubscription(db, request.actor, request.body)),
  );

  app.patch(
    '/alert-subscriptions/:id',
    {
      schema: {
        tags,
        summary: 'Change the minimum severity of a subscription, or pause it',
        params: IdParams,
        body: SubscriptionPatch,
        response: { 200: Subscription, ...errors },
      },
    },
    async (request) => updateSubscription(db, request.actor, request.params.id, request.body),
  );

  app.get(
    '/alert-deliveries/dead',
    {
      schema: {
        tags,
        summary: "Deliveries to the signed-in user's subscriptions that failed too often (the dead letters)",
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                id: Type.String(),
                subscriptionId: Type.String(),
                alertId: Type.String(),
                event: Type.String(),
                attempts: Type.Integer(),
                lastError: Type.Union([Type.String(), Type.Null()]),
                createdAt: Type.String(),
              }),
            ),
          }),
          401: problem,
        },
      },
    },
    async (request) => {
      if (request.actor.kind !== 'user') throw new UnauthorizedError();
      const rows = await listDeadDeliveries(db, request.actor.user.id);
      return {
        items: rows.map((r) => ({
          id: r.id,
          subscriptionId: r.subscription_id,
          alertId: r.alert_id,
          event: r.event,
          attempts: r.attempts,
          lastError: r.last_error,
          createdAt: r.created_at.toISOString(),
        })),
      };
    },
  );

  app.delete(
    '/alert-subscriptions/:id',
    {
      schema: {
        tags,
        summary: 'Delete a subscription',
        params: IdParams,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      await deleteSubscription(db, request.actor, request.params.id);
      return reply.code(204).send(null);
    },
  );
};
