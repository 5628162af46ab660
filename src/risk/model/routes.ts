// The statistical model over HTTP (analysis.run: analysts and admins): upload a panel, queue a run (a
// backtest and/or a forecast, run in a worker thread), follow its progress, read and download its results.
import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { requirePermission } from '../../auth/permissions.ts';
import type { Database } from '../../db/types.ts';
import { AppError, ValidationError } from '../../lib/errors.ts';
import { Uuid } from '../../lib/schema.ts';
import {
  createRun,
  DEFAULT_MAX_PANEL_BYTES,
  getPanel,
  getRun,
  listPanels,
  listRuns,
  ModelRunner,
  runDownload,
  storePanel,
} from './jobs.ts';
import { PanelInfo, Run, RunCreate, RunHead } from './schema.ts';

const tags = ['risk model'];

export interface RiskModelRouteOptions {
  db: Database;
  /** The largest panel upload, in bytes (default 64 MiB). */
  maxPanelBytes?: number;
  /** Worker threads a backtest may use (default: one per core, at most 8). */
  workers?: number;
}

export const riskModelRoutes: FastifyPluginAsyncTypebox<RiskModelRouteOptions> = async (app, options) => {
  const { db } = options;
  const maxBytes = options.maxPanelBytes ?? DEFAULT_MAX_PANEL_BYTES;
  const runner = new ModelRunner(db, options.workers, (msg, err) => app.log.error({ err }, msg));
  await app.register(multipart, {
    limits: { fileSize: maxBytes, files: 1, fields: 5, fieldSize: 1000, parts: 6 },
  });
  app.addHook('onReady', async () => {
    // Runs left "running" by a process that died are reported as interrupted; queued ones start.
    await runner.recover().catch((err) => app.log.error({ err }, 'model runs: recovery failed'));
    runner.kick();
  });
  app.addHook('onClose', async () => runner.close());

  app.post(
    '/risk/model/panels',
    {
      schema: {
        tags,
        summary: 'Upload a country-year panel CSV (multipart/form-data, field "file"); needs analysis.run',
        description:
          'Checked as it streams in: UTF-8, well-formed CSV, a header of unique named columns, the same number ' +
          'of fields on every row. Too large: 413; malformed: 400 naming the line. Column roles are chosen per run.',
        consumes: ['multipart/form-data'],
        response: { 201: PanelInfo },
      },
    },
    async (request, reply) => {
      requirePermission(request.actor, 'analysis.run');
      if (!request.isMultipart()) {
        throw new AppError(
          415,
          'Unsupported media type',
          'send the panel as multipart/form-data in a field named "file"',
        );
      }
      const part = await request.file();
      if (!part) throw ValidationError.field('file', 'is required');
      const panel = await storePanel(db, request.actor, {
        stream: part.file,
        fileName: part.filename || 'panel.csv',
        maxBytes,
      });
      return reply.code(201).header('location', `/api/v1/risk/model/panels/${panel.id}`).send(panel);
    },
  );

  app.get(
    '/risk/model/panels',
    {
      schema: {
        tags,
        summary: 'Uploaded panels, newest first (columns and row counts); needs analysis.run',
        response: { 200: Type.Object({ items: Type.Array(PanelInfo) }) },
      },
    },
    async (request) => ({ items: await listPanels(db, request.actor) }),
  );

  app.get(
    '/risk/model/panels/:id',
    {
      schema: {
        tags,
        summary: 'One uploaded panel; needs analysis.run',
        params: Type.Object({ id: Uuid }),
        response: { 200: PanelInfo },
      },
    },
    async (request) => getPanel(db, request.actor, request.params.id),
  );

  app.post(
    '/risk/model/runs',
    {
      schema: {
        tags,
        summary: 'Queue a model run (backtest and/or forecast) over an uploaded panel; needs analysis.run',
        description:
          'Answers 202 with the queued run; poll GET /risk/model/runs/{id}. Column names are checked against the ' +
          "panel's header now; the values (binary outcome, numeric predictors, duplicate unit-years, enough " +
          'positives) when the run reads the panel: a failed run says why and names the column (`errorField`).',
        body: RunCreate,
        response: { 202: Run },
      },
    },
    async (request, reply) => {
      const run = await createRun(db, request.actor, request.body);
      runner.kick();
      return reply.code(202).header('location', `/api/v1/risk/model/runs/${run.id}`).send(run);
    },
  );

  app.get(
    '/risk/model/runs',
    {
      schema: {
        tags,
        summary: 'Model runs, newest first, with their status and progress; needs analysis.run',
        querystring: Type.Object(
          { limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(RunHead) }) },
      },
    },
    async (request) => ({ items: await listRuns(db, request.actor, request.query.limit) }),
  );

  app.get(
    '/risk/model/runs/:id',
    {
      schema: {
        tags,
        summary: 'One model run: status, progress and, when it succeeded, its results; needs analysis.run',
        params: Type.Object({ id: Uuid }),
        response: { 200: Run },
      },
    },
    async (request) => getRun(db, request.actor, request.params.id),
  );

  for (const [file, type] of [
    ['forecasts.csv', 'text/csv; charset=utf-8'],
    ['ranking.csv', 'text/csv; charset=utf-8'],
    ['metrics.json', 'application/json; charset=utf-8'],
  ] as const) {
    app.get(
      `/risk/model/runs/:id/${file}`,
      {
        schema: {
          tags,
          summary:
            file === 'forecasts.csv'
              ? "The backtest's forecasts.csv (unit, time, risk, rank, outcome, each model's risk)"
              : file === 'ranking.csv'
                ? "The forecast's ranking with every predictor's contribution"
                : "The backtest's metrics (as `vigil risk backtest` writes metrics.json)",
          params: Type.Object({ id: Uuid }),
          produces: [type.split(';')[0] as string],
          response: { 200: Type.String() },
        },
      },
      async (request, reply) => {
        const text = await runDownload(db, request.actor, request.params.id, file);
        return reply
          .type(type)
          .header('content-disposition', `attachment; filename="${file}"`)
          .header('cache-control', 'private, no-store')
          .send(text);
      },
    );
  }
};
