import type { FastifyRequest } from 'fastify';
import { invalidInput } from '../kernel/errors.js';

/**
 * A route's preValidation hook: refuses a body field that is present but not a JSON string,
 * before the schema sees it. Ajv's coerceTypes (on for the query's repeated keys) would turn 42
 * into "42" and null into "", and a caller sending a credential of the wrong type has a bug to
 * be told of, not a guess.
 */
export function requireJsonStrings(...fields: readonly string[]) {
  return async (request: FastifyRequest): Promise<void> => {
    const body: unknown = request.body;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return;
    for (const field of fields) {
      if (Object.hasOwn(body, field) && typeof (body as Record<string, unknown>)[field] !== 'string') {
        throw invalidInput(`body.${field} must be string`);
      }
    }
  };
}
