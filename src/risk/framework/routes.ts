// Structured risk assessment over HTTP: Framework assessments (with summaries, diffs and a printable
// report), the stages of genocide, and suggestions from other modules.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Database } from '../../db/types.ts';
import { Slug, Uuid } from '../../lib/schema.ts';
import { getSituation } from '../../situations/service.ts';
import { FRAMEWORK, FRAMEWORK_DOCUMENT, FRAMEWORK_ID, FRAMEWORK_TITLE } from './catalogue.ts';
import { renderReport } from './report.ts';
import {
  Assessment,
  AssessmentCreate,
  AssessmentDiff,
  AssessmentHead,
  AssessmentPatch,
  FactorSummary,
  StageLadder,
  StageObservation,
  StageObservationCreate,
  Suggestion,
  SuggestionDecision,
} from './schema.ts';
import {
  createAssessment,
  createStageObservation,
  deleteStageObservation,
  diffAssessments,
  getAssessment,
  listAssessments,
  listStages,
  updateAssessment,
} from './service.ts';
import { decideSuggestion, listSuggestions, refreshSuggestions } from './suggestions.ts';

const tags = ['risk assessment'];
const Params = Type.Object({ slug: Slug });
const IdParams = Type.Object({ slug: Slug, id: Type.String({ maxLength: 64 }) });
const Citation = Type.Object({ document: Type.String(), ref: Type.String() });

export const riskFrameworkRoutes: FastifyPluginAsyncTypebox<{ db: Database }> = async (app, { db }) => {
  app.get(
    '/risk/framework',
    {
      schema: {
        tags,
        summary:
          'The catalogue of risk factors and indicators assessments are made against (paraphrased, cited)',
        response: {
          200: Type.Object({
            id: Type.String(),
            title: Type.String(),
            document: Type.String(),
            factors: Type.Array(
              Type.Object({
                number: Type.Integer(),
                group: Type.String(),
                title: Type.String(),
                complete: Type.Boolean(),
                cite: Citation,
                indicators: Type.Array(
                  Type.Object({ id: Type.String(), text: Type.String(), cite: Citation }),
                ),
              }),
            ),
          }),
        },
      },
    },
    async () => ({
      id: FRAMEWORK_ID,
      title: FRAMEWORK_TITLE,
      document: FRAMEWORK_DOCUMENT,
      factors: FRAMEWORK.map((f) => ({ ...f, indicators: [...f.indicators] })),
    }),
  );

  app.get(
    '/situations/:slug/assessments',
    {
      schema: {
        tags,
        summary: 'Framework assessments of the situation, oldest first, with their factor summaries',
        params: Params,
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Composite([AssessmentHead, Type.Object({ factors: Type.Array(FactorSummary) })]),
            ),
          }),
        },
      },
    },
    async (request) => ({ items: await listAssessments(db, request.actor, request.params.slug) }),
  );

  app.post(
    '/situations/:slug/assessments',
    {
      schema: {
        tags,
        summary: 'Start a dated assessment (optionally from an earlier one); needs assessment.write',
        params: Params,
        body: AssessmentCreate,
        response: { 201: Assessment },
      },
    },
    async (request, reply) => {
      const created = await createAssessment(db, request.actor, request.params.slug, request.body);
      return reply.code(201).send(created);
    },
  );

  app.get(
    '/situations/:slug/assessments/diff',
    {
      schema: {
        tags,
        summary: 'What changed between two assessments of the situation (indicators and factor levels)',
        params: Params,
        querystring: Type.Object({ from: Uuid, to: Uuid }, { additionalProperties: false }),
        response: { 200: AssessmentDiff },
      },
    },
    async (request) =>
      diffAssessments(db, request.actor, request.params.slug, request.query.from, request.query.to),
  );

  app.get(
    '/situations/:slug/assessments/:id',
    {
      schema: {
        tags,
        summary:
          'One assessment: every indicator with its mark (unknown when not marked) and the factor summary',
        params: IdParams,
        response: { 200: Assessment },
      },
    },
    async (request) => getAssessment(db, request.actor, request.params.slug, request.params.id),
  );

  app.patch(
    '/situations/:slug/assessments/:id',
    {
      schema: {
        tags,
        summary: 'Change an assessment: its date, title, summary, or marks (each mark given is replaced)',
        params: IdParams,
        body: AssessmentPatch,
        response: { 200: Assessment },
      },
    },
    async (request) =>
      updateAssessment(db, request.actor, request.params.slug, request.params.id, request.body),
  );

  app.get(
    '/situations/:slug/assessments/:id/report',
    {
      schema: {
        tags,
        summary: 'The assessment as a printable HTML report (print to PDF from a browser)',
        params: IdParams,
        produces: ['text/html'],
        response: { 200: Type.String({ description: 'A self-contained HTML document' }) },
      },
    },
    async (request, reply) => {
      const situation = await getSituation(db, request.actor, request.params.slug);
      const assessment = await getAssessment(db, request.actor, situation.slug, request.params.id);
      return reply.type('text/html; charset=utf-8').send(renderReport(assessment, situation.name));
    },
  );

  app.get(
    '/situations/:slug/stages',
    {
      schema: {
        tags,
        summary: 'The ten stages of genocide with the dated observations recorded for the situation',
        params: Params,
        response: { 200: StageLadder },
      },
    },
    async (request) => listStages(db, request.actor, request.params.slug),
  );

  app.post(
    '/situations/:slug/stages',
    {
      schema: {
        tags,
        summary:
          'Record a dated observation of a stage, with links to incidents and evidence; needs assessment.write',
        params: Params,
        body: StageObservationCreate,
        response: { 201: StageObservation },
      },
    },
    async (request, reply) => {
      const created = await createStageObservation(db, request.actor, request.params.slug, request.body);
      return reply.code(201).send(created);
    },
  );

  app.delete(
    '/situations/:slug/stages/:id',
    {
      schema: {
        tags,
        summary: 'Remove a stage observation recorded in error; needs assessment.write',
        params: IdParams,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await deleteStageObservation(db, request.actor, request.params.slug, request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/situations/:slug/suggestions',
    {
      schema: {
        tags,
        summary: 'Indicators and stages that other modules suggest, with the decisions taken on them',
        params: Params,
        querystring: Type.Object(
          {
            status: Type.Optional(
              Type.Union([Type.Literal('pending'), Type.Literal('accepted'), Type.Literal('rejected')]),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(Suggestion) }) },
      },
    },
    async (request) => ({
      items: await listSuggestions(db, request.actor, request.params.slug, request.query.status),
    }),
  );

  app.post(
    '/situations/:slug/suggestions/refresh',
    {
      schema: {
        tags,
        summary:
          'Ask the other modules (the lifeline today) for new suggestions; sets nothing; needs assessment.write',
        params: Params,
        response: { 200: Type.Object({ created: Type.Array(Suggestion), signals: Type.Integer() }) },
      },
    },
    async (request) => refreshSuggestions(db, request.actor, request.params.slug),
  );

  app.post(
    '/situations/:slug/suggestions/:id/decision',
    {
      schema: {
        tags,
        summary: 'Accept or reject a suggestion (recorded with who and when); accepting may set a mark',
        params: IdParams,
        body: SuggestionDecision,
        response: { 200: Suggestion },
      },
    },
    async (request) =>
      decideSuggestion(db, request.actor, request.params.slug, request.params.id, request.body),
  );
};
