import type { FastifyRequest } from 'fastify';
import { invalidInput } from '../kernel/errors.js';

/**
 * A route's preValidation hook: refuses a body field that is present but not a JSON string,
 * before the schema sees it. Ajv's coerceTypes (on for the query's repeated keys) would turn 42
 * into "42" and null into "", and a caller sending a credential of the wrong type has a bug to
 * be told of, not a guess.
 */
export function requireJsonStrings(...fields: readonly string[]) {
  return requireJsonTypes(Object.fromEntries(fields.map((field) => [field, ['string'] as const])));
}

type JsonType = 'string' | 'number' | 'boolean' | 'null';

/**
 * The same for fields of other JSON types: `true` or `""` sent for a number is refused, not
 * coerced into 1 or null (which for a limit means "none").
 */
export function requireJsonTypes(fields: Readonly<Record<string, readonly JsonType[]>>) {
  return async (request: FastifyRequest): Promise<void> => {
    const body: unknown = request.body;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return;
    for (const [field, types] of Object.entries(fields)) {
      if (!Object.hasOwn(body, field)) continue;
      const value = (body as Record<string, unknown>)[field];
      const type = value === null ? 'null' : typeof value;
      if (!(types as readonly string[]).includes(type)) {
        throw invalidInput(`body.${field} must be ${types.join(' or ')}`);
      }
    }
  };
}
