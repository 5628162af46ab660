import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Database } from '../db/types.ts';
import { ConflictError, NotFoundError, UnauthorizedError } from '../lib/errors.ts';
import { IsoDate, parseWith, Slug, Uuid } from '../lib/schema.ts';
import { canRead, getSituation } from '../situations/service.ts';
import { alertsFeed } from './atom.ts';
import { listDeadDeliveries, retryDeadDelivery } from './delivery.ts';
import {
  Alert,
  AlertQuery,
  AlertRule,
  AlertRuleCreate,
  AlertRulePatch,
  DraftRule,
  Episode,
  Notification,
  NotificationQuery,
  NotificationsRead,
  ReplayOut,
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
  listNotifications,
  listRules,
  listSubscriptions,
  markNotificationsRead,
  previewDraft,
  previewRule,
  replaySituation,
  transitionAlert,
  updateRule,
  updateSubscription,
} from './service.ts';
import { alertSettingsFromEnv } from './settings.ts';

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

export const alertRoutes: FastifyPluginAsyncTypebox<{
  db: Database;
  /** Webhooks may reach private addresses (default: VIGIL_WEBHOOK_ALLOW_PRIVATE). */
  webhookAllowPrivate?: boolean;
}> = async (app, { db, webhookAllowPrivate }) => {
  const guard = { allowPrivate: webhookAllowPrivate ?? alertSettingsFromEnv().webhookAllowPrivate };
  const EpisodesOut = Type.Object({
    asOf: Type.Union([IsoDate, Type.Null()]),
    episodes: Type.Array(Episode),
  });
  const AsOfQuery = Type.Object({ asOf: Type.Optional(IsoDate) }, { additionalProperties: false });

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

  app.post(
    '/situations/:slug/alert-rules/preview',
    {
      schema: {
        tags,
        summary:
          'What a draft rule (not stored) would fire on the data held today, as of a day: the rule editor’s preview',
        params: Params,
        querystring: AsOfQuery,
        body: DraftRule,
        response: { 200: EpisodesOut, ...errors },
      },
    },
    async (request) => ({
      asOf: request.query.asOf ?? null,
      episodes: await previewDraft(db, request.actor, request.params.slug, request.body, request.query.asOf),
    }),
  );

  app.get(
    '/situations/:slug/alert-replay',
    {
      schema: {
        tags,
        summary:
          "Which alerts a rule set would have raised, day by day over the situation's span (nothing is stored or sent)",
        description:
          'rules=default: the built-in rule set (anyone who may read the situation); rules=situation: its enabled rules (alert.manage).',
        params: Params,
        querystring: Type.Object(
          {
            rules: Type.Union([Type.Literal('default'), Type.Literal('situation')], { default: 'default' }),
            from: Type.Optional(IsoDate),
            to: Type.Optional(IsoDate),
          },
          { additionalProperties: false },
        ),
        response: { 200: ReplayOut, ...errors },
      },
    },
    async (request) => {
      const result = await replaySituation(db, request.actor, request.params.slug, {
        rules: request.query.rules,
        ...(request.query.from ? { from: request.query.from } : {}),
        ...(request.query.to ? { to: request.query.to } : {}),
      });
      return {
        ...result,
        rules: result.rules.map((r) => ({ id: r.id, name: r.name, kind: r.kind, severity: r.severity })),
      };
    },
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
        querystring: AsOfQuery,
        response: { 200: EpisodesOut, ...errors },
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
          'Subscribe to a situation’s alerts by webhook, e-mail (each alert, or a daily digest) or in-app notifications (a webhook’s signing key is shown once)',
        body: SubscriptionCreate,
        response: { 201: Subscription, ...errors },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await createSubscription(db, request.actor, request.body, guard)),
  );

  app.patch(
    '/alert-subscriptions/:id',
    {
      schema: {
        tags,
        summary:
          'Change the minimum severity of a subscription, pause it, or make an e-mail one a daily digest',
        params: IdParams,
        body: SubscriptionPatch,
        response: { 200: Subscription, ...errors },
      },
    },
    async (request) => updateSubscription(db, request.actor, request.params.id, request.body),
  );

  app.get(
    '/alert-notifications',
    {
      schema: {
        tags,
        summary: "The signed-in user's in-app notifications, newest first, and how many are unread",
        querystring: NotificationQuery,
        response: {
          200: Type.Object({ items: Type.Array(Notification), unread: Type.Integer() }),
          400: problem,
          401: problem,
          404: problem,
        },
      },
    },
    async (request) => listNotifications(db, request.actor, request.query),
  );

  app.post(
    '/alert-notifications/read',
    {
      schema: {
        tags,
        summary: 'Mark notifications read: those named by id, or all (of one situation)',
        body: NotificationsRead,
        response: { 200: Type.Object({ unread: Type.Integer() }), 400: problem, 401: problem, 404: problem },
      },
    },
    async (request) => markNotificationsRead(db, request.actor, request.body),
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
                channel: Type.String(),
                target: Type.Union([Type.String(), Type.Null()]),
                subscriptionEnabled: Type.Boolean(),
                alertTitle: Type.String(),
                situationSlug: Type.String(),
              }),
            ),
          }),
          401: problem,
        },
      },
    },
    async (request) => {
      if (request.actor.kind !== 'user') throw new UnauthorizedError();
      const actor = request.actor;
      // As for notifications: nothing of a situation the user may no longer read.
      const rows = (await listDeadDeliveries(db, actor.user.id)).filter((r) =>
        canRead(actor, { visibility: r.situation_visibility, organisationId: r.situation_organisation_id }),
      );
      return {
        items: rows.map((r) => ({
          id: r.id,
          subscriptionId: r.subscription_id,
          alertId: r.alert_id,
          event: r.event,
          attempts: r.attempts,
          lastError: r.last_error,
          createdAt: r.created_at.toISOString(),
          channel: r.channel,
          target: r.target,
          subscriptionEnabled: r.subscription_enabled,
          alertTitle: r.alert_title,
          situationSlug: r.situation_slug,
        })),
      };
    },
  );

  app.post(
    '/alert-deliveries/:id/retry',
    {
      schema: {
        tags,
        summary:
          'Send a dead letter of one of your subscriptions again (from zero attempts, same idempotency key)',
        params: Type.Object({ id: Uuid }),
        response: {
          202: Type.Object({ id: Type.String(), status: Type.Literal('pending') }),
          401: problem,
          404: problem,
          409: problem,
        },
      },
    },
    async (request, reply) => {
      if (request.actor.kind !== 'user') throw new UnauthorizedError();
      const outcome = await retryDeadDelivery(db, request.actor.user.id, request.params.id);
      if (outcome === 'not-found') throw new NotFoundError(`dead letter ${request.params.id}`);
      if (outcome === 'not-dead')
        throw new ConflictError('this delivery is not in the dead letters (any more)');
      if (outcome === 'disabled') throw new ConflictError('its subscription is paused: resume it first');
      reply.code(202);
      return { id: request.params.id, status: 'pending' as const };
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
