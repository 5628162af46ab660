// Maps every error once to RFC 7807 problem+json, naming the bad field where there is one.
import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError, type FieldError } from '../lib/errors.ts';
import { PATTERN_MESSAGES } from '../lib/schema.ts';

const PROBLEM_TYPE = 'https://vigil.invalid/problems/';

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** Turns Ajv's paths (/sources/0/url, missing properties, extra properties) into dotted field names. */
export function fieldErrorsFromAjv(errors: AjvError[]): FieldError[] {
  return errors.map((error) => {
    let path = error.instancePath.replace(/^\//, '').replaceAll('/', '.');
    let message = error.message ?? 'is invalid';
    if (error.keyword === 'required' && typeof error.params.missingProperty === 'string') {
      path = [path, error.params.missingProperty].filter(Boolean).join('.');
      message = 'is required';
    } else if (error.keyword === 'pattern' && typeof error.params.pattern === 'string') {
      message = PATTERN_MESSAGES[error.params.pattern] ?? message;
    } else if (
      error.keyword === 'additionalProperties' &&
      typeof error.params.additionalProperty === 'string'
    ) {
      path = [path, error.params.additionalProperty].filter(Boolean).join('.');
      message = 'is not a known field';
    }
    return { field: path || '(body)', message };
  });
}

export function sendProblem(
  reply: import('fastify').FastifyReply,
  status: number,
  title: string,
  detail: string,
  errors?: FieldError[],
) {
  const slug = title.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return reply
    .code(status)
    .type('application/problem+json')
    .send({ type: PROBLEM_TYPE + slug, title, status, detail, ...(errors?.length ? { errors } : {}) });
}

export function registerProblemHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof AppError) {
      return sendProblem(reply, error.status, error.title, error.message, error.errors);
    }
    if (error.validation) {
      const where = error.validationContext ?? 'body';
      const errors = fieldErrorsFromAjv(error.validation as AjvError[]);
      const detail = errors.map((e) => `${e.field}: ${e.message}`).join('; ');
      return sendProblem(reply, 400, 'Invalid input', `invalid ${where}: ${detail}`, errors);
    }
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return sendProblem(
        reply,
        500,
        'Internal error',
        'the server failed to handle this request; it has been logged',
      );
    }
    return sendProblem(
      reply,
      status,
      error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'Unsupported media type' : 'Bad request',
      error.message,
    );
  });
}
