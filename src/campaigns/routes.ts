// Campaigns API: campaigns per situation, targets, scripts and letters, officials' positions, petitions
// (public, double opt-in, a stricter rate limit) and supporters' data (export, erasure).
import { createHmac, randomBytes } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Database } from '../db/types.ts';
import { AppError } from '../lib/errors.ts';
import { Slug } from '../lib/schema.ts';
import {
  answerReply,
  confirmLetter,
  letterSummary,
  postalLetter,
  replyQuestion,
  sendLetter,
} from './letters.ts';
import {
  confirmSignature,
  eraseSupporter,
  exportSupporters,
  signPetition,
  supportersCsv,
} from './petitions.ts';
import {
  ActionText,
  CallReport,
  CallSummary,
  Campaign,
  CampaignCreate,
  CampaignPatch,
  ConfirmRequest,
  ConfirmResult,
  LetterCheck,
  LetterCheckResult,
  LetterConfirmResult,
  LetterCreate,
  LetterReceipt,
  LetterSummary,
  OsdiPerson,
  PositionCreate,
  PositionHistory,
  PostalLetterRequest,
  ReplyAnswer,
  ReplyQuestion,
  SignatureCreate,
  SignatureReceipt,
  Target,
  TargetQuery,
  TokenRequest,
} from './schema.ts';
import {
  actionText,
  callSummary,
  checkLetter,
  createCampaign,
  getCampaign,
  listCampaigns,
  positionHistory,
  recordPosition,
  reportCall,
  resolveTargets,
  updateCampaign,
} from './service.ts';
import { loadOrCreateSecret } from './tokens.ts';

const tags = ['campaigns'];
const publicTags = ['petitions (public)'];

export interface CampaignRouteOptions {
  db: Database;
  /** Where the confirmation-token secret lives (`campaign-hmac.key`); null: a secret for this process only. */
  keyDir?: string | null;
  /** The base of the confirmation link (VIGIL_PUBLIC_URL); never taken from a request's Host header. */
  publicUrl?: string | null;
  /** Public petition requests (sign, confirm) per client and hour. */
  petitionRateLimit?: number;
}

const OfficialParam = Type.Object({ id: Type.String({ minLength: 1, maxLength: 120 }) });

export const campaignRoutes: FastifyPluginAsyncTypebox<CampaignRouteOptions> = async (app, options) => {
  const { db } = options;
  let secret: Buffer | null = null;
  const getSecret = () => {
    secret ??= loadOrCreateSecret(options.keyDir ?? null);
    return secret;
  };
  // Rate limits count per client, keyed by a keyed hash of the address, never the address itself.
  const rateSecret = randomBytes(32);
  const publicLimit = {
    rateLimit: {
      max: options.petitionRateLimit ?? 30,
      timeWindow: '1 hour',
      keyGenerator: (request: { ip: string }) =>
        `petition:${createHmac('sha256', rateSecret).update(request.ip).digest('base64url')}`,
    },
  };

  // A client chooses its Host header, so a link built from it could point anywhere: only a loopback
  // request (development, tests) may stand in for VIGIL_PUBLIC_URL.
  const linkBase = (request: { host: string; protocol: string }): string => {
    const loopback = /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(request.host);
    if (!options.publicUrl && !loopback) {
      throw new AppError(503, 'Not configured', 'set VIGIL_PUBLIC_URL so that links can be e-mailed');
    }
    return options.publicUrl ?? `${request.protocol}://${request.host}`;
  };

  app.get(
    '/situations/:slug/campaigns',
    {
      schema: {
        tags,
        summary: "A situation's campaigns (drafts only for organisers and admins)",
        params: Type.Object({ slug: Slug }),
        response: { 200: Type.Object({ items: Type.Array(Campaign) }) },
      },
    },
    async (request) => ({ items: (await listCampaigns(db, request.actor, request.params.slug)).map(strip) }),
  );

  app.post(
    '/situations/:slug/campaigns',
    {
      schema: {
        tags,
        summary: 'Start a campaign (organiser, admin)',
        description:
          'Merge fields in the letter and scripts: see docs/campaigns.md; unknown ones are refused.',
        params: Type.Object({ slug: Slug }),
        body: CampaignCreate,
        response: { 201: Campaign },
      },
    },
    async (request, reply) => {
      const campaign = await createCampaign(db, request.actor, request.params.slug, request.body);
      return reply.code(201).header('location', `/api/v1/campaigns/${campaign.slug}`).send(strip(campaign));
    },
  );

  app.get(
    '/campaigns/:campaign',
    {
      schema: {
        tags,
        summary: 'One campaign with its confirmed signature count',
        params: Type.Object({ campaign: Slug }),
        response: { 200: Campaign },
      },
    },
    async (request) => strip(await getCampaign(db, request.actor, request.params.campaign)),
  );

  app.patch(
    '/campaigns/:campaign',
    {
      schema: {
        tags,
        summary: 'Change a campaign (organiser, admin); targetOfficials replaces the hand-picked targets',
        params: Type.Object({ campaign: Slug }),
        body: CampaignPatch,
        response: { 200: Campaign },
      },
    },
    async (request) => strip(await updateCampaign(db, request.actor, request.params.campaign, request.body)),
  );

  app.get(
    '/campaigns/:campaign/targets',
    {
      schema: {
        tags,
        summary: "The campaign's targets, each with its recorded position and delivery route",
        description:
          "`state` and `district` are the supporter's: a `delegation` rule selects their senators and representative.",
        params: Type.Object({ campaign: Slug }),
        querystring: TargetQuery,
        response: { 200: Type.Object({ items: Type.Array(Target) }) },
      },
    },
    async (request) => ({
      items: await resolveTargets(db, request.actor, request.params.campaign, request.query),
    }),
  );

  app.get(
    '/campaigns/:campaign/targets/:id/action',
    {
      schema: {
        tags,
        summary:
          'The call script (by recorded position) and the letter for one official, merge fields filled',
        params: Type.Object({ campaign: Slug, id: Type.String({ minLength: 1, maxLength: 120 }) }),
        querystring: Type.Object(
          {
            name: Type.Optional(Type.String({ maxLength: 200 })),
            region: Type.Optional(Type.String({ maxLength: 100 })),
            postalCode: Type.Optional(Type.String({ maxLength: 20 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: ActionText },
      },
    },
    async (request) =>
      actionText(db, request.actor, request.params.campaign, request.params.id, request.query),
  );

  app.post(
    '/campaigns/:campaign/letters/check',
    {
      schema: {
        tags: publicTags,
        summary: "Compare a supporter's letter with the template: warns when it is sent unchanged",
        params: Type.Object({ campaign: Slug }),
        body: LetterCheck,
        response: { 200: LetterCheckResult },
      },
    },
    async (request) => checkLetter(db, request.actor, request.params.campaign, request.body),
  );

  app.post(
    '/campaigns/:campaign/calls',
    {
      config: publicLimit,
      schema: {
        tags: publicTags,
        summary: 'Report the outcome of a call (anyone; nothing about the caller is kept; rate-limited)',
        params: Type.Object({ campaign: Slug }),
        body: CallReport,
        response: { 201: Type.Object({ recorded: Type.Literal(true) }) },
      },
    },
    async (request, reply) => {
      await reportCall(db, request.params.campaign, request.body);
      return reply.code(201).send({ recorded: true as const });
    },
  );

  app.get(
    '/campaigns/:campaign/calls',
    {
      schema: {
        tags,
        summary: 'Call outcomes per official, with what callers were told of their position',
        params: Type.Object({ campaign: Slug }),
        response: { 200: Type.Object({ items: Type.Array(CallSummary) }) },
      },
    },
    async (request) => ({ items: await callSummary(db, request.actor, request.params.campaign) }),
  );

  app.post(
    '/officials/:id/positions',
    {
      schema: {
        tags,
        summary: "Record an official's position on a campaign's ask, with its source (organiser, admin)",
        params: OfficialParam,
        body: PositionCreate,
        response: { 201: PositionHistory },
      },
    },
    async (request, reply) => {
      const { current, history } = await recordPosition(db, request.actor, request.params.id, request.body);
      return reply
        .code(201)
        .send({ officialId: current.officialId, campaign: current.campaign, current, history });
    },
  );

  app.get(
    '/officials/:id/positions',
    {
      schema: {
        tags,
        summary: "An official's positions on a campaign's ask: the current one and the whole history",
        params: OfficialParam,
        querystring: Type.Object({ campaign: Slug }, { additionalProperties: false }),
        response: { 200: PositionHistory },
      },
    },
    async (request) => positionHistory(db, request.actor, request.params.id, request.query.campaign),
  );

  app.post(
    '/campaigns/:campaign/signatures',
    {
      config: publicLimit,
      schema: {
        tags: publicTags,
        summary:
          'Sign a petition (anyone; a confirmation link is emailed, nothing counts until it is opened)',
        description:
          'Answers 202 the same way whether or not the address signed before. Rate-limited per client (429).',
        params: Type.Object({ campaign: Slug }),
        body: SignatureCreate,
        response: { 202: SignatureReceipt },
      },
    },
    async (request, reply) => {
      const base = linkBase(request);
      await signPetition(db, request.params.campaign, request.body, {
        secret: getSecret(),
        confirmUrl: `${base}/confirm-signature?token=`,
      });
      return reply.code(202).send({ status: 'confirmation-sent' as const });
    },
  );

  app.post(
    '/petition-confirmations',
    {
      config: publicLimit,
      schema: {
        tags: publicTags,
        summary: 'Confirm a signature with the token from its email (idempotent)',
        description: 'A forged or expired token answers 400. Rate-limited per client (429).',
        body: ConfirmRequest,
        response: { 200: ConfirmResult },
      },
    },
    async (request) => {
      const result = await confirmSignature(db, request.body.token, { secret: getSecret() });
      return { ...result, confirmed: true as const };
    },
  );

  app.get(
    '/campaigns/:campaign/signature-count',
    {
      schema: {
        tags: publicTags,
        summary: 'The public count of confirmed signatures',
        params: Type.Object({ campaign: Slug }),
        response: { 200: Type.Object({ campaign: Slug, signatureCount: Type.Integer() }) },
      },
    },
    async (request) => {
      const c = await getCampaign(db, request.actor, request.params.campaign);
      return { campaign: c.slug, signatureCount: c.signatureCount };
    },
  );

  app.post(
    '/campaigns/:campaign/letters',
    {
      config: publicLimit,
      schema: {
        tags: publicTags,
        summary: "Send a letter to one of the campaign's targets, by the route the official has",
        description:
          'E-mail route: `email` is required; the letter goes from the campaign with Reply-To the supporter, once ' +
          'they open the link mailed to them (202). Contact form and post: the supporter delivers it; the letter is ' +
          'recorded (201) and, with an `email`, Vigil asks two weeks later whether the official replied. The answer ' +
          'says whether the letter is the template unchanged. Rate-limited per client (429).',
        params: Type.Object({ campaign: Slug }),
        body: LetterCreate,
        response: { 201: LetterReceipt, 202: LetterReceipt },
      },
    },
    async (request, reply) => {
      const base = request.body.email ? linkBase(request) : '';
      const receipt = await sendLetter(db, request.params.campaign, request.body, {
        secret: getSecret(),
        baseUrl: base,
      });
      return reply.code(receipt.status === 'recorded' ? 201 : 202).send(receipt);
    },
  );

  app.post(
    '/campaigns/:campaign/letters/pdf',
    {
      config: publicLimit,
      schema: {
        tags: publicTags,
        summary: "A printable postal letter (PDF) addressed to the official's office; nothing is stored",
        description:
          'Header `X-Replaced-Characters`: how many characters the PDF font could not print (written as "?").',
        params: Type.Object({ campaign: Slug }),
        body: PostalLetterRequest,
        produces: ['application/pdf'],
        response: { 200: Type.String({ description: 'application/pdf' }) },
      },
    },
    async (request, reply) => {
      const { pdf, replaced } = await postalLetter(db, request.params.campaign, request.body);
      return reply
        .type('application/pdf')
        .header('content-disposition', 'attachment; filename="letter.pdf"')
        .header('x-replaced-characters', String(replaced))
        .send(Buffer.from(pdf) as never);
    },
  );

  app.post(
    '/letter-confirmations',
    {
      config: publicLimit,
      schema: {
        tags: publicTags,
        summary: "Confirm a letter's sender with the token from their e-mail (idempotent)",
        description:
          'An e-mail letter is then queued to the official, and the "did they reply?" question scheduled two weeks ' +
          'later. A forged or expired token answers 400. Rate-limited per client (429).',
        body: TokenRequest,
        response: { 200: LetterConfirmResult },
      },
    },
    async (request) =>
      confirmLetter(db, request.body.token, { secret: getSecret(), baseUrl: linkBase(request) }),
  );

  app.post(
    '/letter-replies/question',
    {
      config: publicLimit,
      schema: {
        tags: publicTags,
        summary: 'What a "did they reply?" link is about: the campaign, the official, the answer so far',
        body: TokenRequest,
        response: { 200: ReplyQuestion },
      },
    },
    async (request) => replyQuestion(db, request.body.token, { secret: getSecret() }),
  );

  app.post(
    '/letter-replies',
    {
      config: publicLimit,
      schema: {
        tags: publicTags,
        summary:
          'Answer "did the official reply?" with the token from the e-mail (a later answer supersedes)',
        body: ReplyAnswer,
        response: {
          201: Type.Object({
            recorded: Type.Literal(true),
            replied: Type.Boolean(),
            official: Type.String(),
          }),
        },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await answerReply(db, request.body, { secret: getSecret() })),
  );

  app.get(
    '/campaigns/:campaign/letters/summary',
    {
      schema: {
        tags,
        summary: 'Letters by route and the replies officials gave, in total, per week and per official',
        params: Type.Object({ campaign: Slug }),
        response: { 200: LetterSummary },
      },
    },
    async (request) => letterSummary(db, request.actor, request.params.campaign),
  );

  app.get(
    '/supporters',
    {
      schema: {
        tags,
        summary: "Export supporters' data with OSDI field names, as JSON or CSV (organiser, admin)",
        description: '`email` limits the export to one supporter (a request to see their own data).',
        querystring: Type.Object(
          {
            format: Type.Union([Type.Literal('json'), Type.Literal('csv')], { default: 'json' }),
            email: Type.Optional(Type.String({ maxLength: 254 })),
          },
          { additionalProperties: false },
        ),
        produces: ['application/json', 'text/csv'],
        response: { 200: Type.Object({ items: Type.Array(OsdiPerson) }, { description: 'or text/csv' }) },
      },
    },
    async (request, reply) => {
      const people = await exportSupporters(db, request.actor, request.query.email);
      if (request.query.format === 'csv') {
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="supporters.csv"')
          .send(supportersCsv(people) as never);
      }
      return { items: people };
    },
  );

  app.post(
    '/supporters/erasures',
    {
      schema: {
        tags,
        summary:
          "Erase a supporter's data on request: their record, signatures and unsent mail (organiser, admin)",
        body: Type.Object(
          { email: Type.String({ minLength: 3, maxLength: 254 }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ erased: Type.Boolean() }) },
      },
    },
    async (request) => eraseSupporter(db, request.actor, request.body.email),
  );
};

function strip<T extends { situationId: string }>(c: T): Omit<T, 'situationId'> {
  const { situationId: _ignored, ...rest } = c;
  return rest;
}
