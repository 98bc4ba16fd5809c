import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';

export const REQUEST_ID_HEADER = 'x-request-id';

/** What a proxy or client may hand us as an id: short, printable, nothing a log line could be forged with. */
const WELL_FORMED_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Keeps a well-formed incoming `X-Request-Id` (a proxy's, so one id follows a request end to end), else a UUID. */
export function requestIdOf(request: IncomingMessage): string {
  const incoming = request.headers[REQUEST_ID_HEADER];
  return typeof incoming === 'string' && WELL_FORMED_ID.test(incoming) ? incoming : randomUUID();
}

/** Every answer names its request, so a user's report can be found in the logs (which carry `reqId`). */
export function echoRequestId(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
  });
}
