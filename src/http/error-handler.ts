import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, ERROR_CODES, type ErrorCode, errorBody } from '../kernel/errors.js';
import { REQUEST_ID_HEADER } from './request-id.js';

// Fastify's own errors that bad input causes, each a 4xx; anything not listed stays a 500.
const FRAMEWORK_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_INPUT',
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_INPUT',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'INVALID_INPUT',
  // A path that is not valid percent-encoding, or a parameter longer than the router takes.
  FST_ERR_BAD_URL: 'INVALID_INPUT',
  FST_ERR_MAX_PARAM_LENGTH: 'INVALID_INPUT',
};

/** The one place errors become responses; 5xx details are logged, never sent. */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler(answerError);
  app.setNotFoundHandler((request, reply) =>
    reply
      .status(404)
      .send(errorBody('NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}`, request.id)),
  );
}

/**
 * Answers any error, thrown by a route or hook, or raised by Fastify before routing (its
 * `frameworkErrors` option: a bad URL never reaches the error handler otherwise).
 */
export function answerError(error: FastifyError | AppError, request: FastifyRequest, reply: FastifyReply) {
  // Fastify answers a URL it cannot route (frameworkErrors) before any hook: name the answer here too.
  reply.header(REQUEST_ID_HEADER, request.id);
  if (error instanceof AppError) {
    return reply
      .status(error.statusCode)
      .headers(error.headers)
      .send(errorBody(error.code, error.message, request.id));
  }
  if (error.validation) {
    return reply.status(400).send(errorBody('INVALID_INPUT', describeValidation(error), request.id));
  }
  const mapped = error.code ? FRAMEWORK_CODES[error.code] : undefined;
  if (mapped) return reply.status(ERROR_CODES[mapped]).send(errorBody(mapped, error.message, request.id));
  if (isDatabaseDown(error)) {
    request.log.warn({ err: error }, 'database unavailable');
    return reply
      .status(503)
      .send(errorBody('DATABASE_UNAVAILABLE', 'The database is unavailable; try again', request.id));
  }
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return reply.status(error.statusCode).send(errorBody('INVALID_INPUT', error.message, request.id));
  }
  request.log.error({ err: error }, 'unhandled error');
  return reply.status(500).send(errorBody('INTERNAL', 'Internal error', request.id));
}

function describeValidation(error: FastifyError): string {
  const first = error.validation?.[0];
  if (!first) return error.message;
  const where = error.validationContext ?? 'input';
  const { missingProperty, additionalProperty } = first.params as {
    missingProperty?: string;
    additionalProperty?: string;
  };
  const field = missingProperty ?? additionalProperty;
  const path = [where, ...first.instancePath.split('/').filter(Boolean), ...(field ? [field] : [])].join('.');
  // Ajv's own text ("must NOT have additional properties") would not say which one.
  const message = additionalProperty ? 'is not allowed' : (first.message ?? 'is invalid');
  return `${path} ${message}`;
}

const CONNECTION_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '57P01',
  '57P03',
  '08006',
  '08001',
]);

/** Connection-level failures (not query errors) mean "try later", not "bug". */
export function isDatabaseDown(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: string }).code;
  if (code && CONNECTION_ERRORS.has(code)) return true;
  return /Connection terminated|timeout exceeded when trying to connect|SQLITE_BUSY|database is locked|database connection is not open|driver has already been destroyed/i.test(
    error.message,
  );
}
