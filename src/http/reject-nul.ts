import type { FastifyInstance } from 'fastify';
import { AppError } from './errors.js';

/**
 * PostgreSQL cannot store or compare text containing NUL (U+0000) and fails the query; SQLite
 * would store it. Refusing it for every route, before validation, gives both engines the same
 * answer: a 400 naming the field, never a 500 or a half-written export.
 */
export function rejectNulCharacters(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const where = findNul(request.query, 'query') ?? findNul(request.body, 'body');
    if (where) throw new AppError('INVALID_INPUT', `${where} contains a NUL character`);
  });
}

function findNul(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, child] of Object.entries(value)) {
    const found = findNul(child, `${path}.${key}`);
    if (found) return found;
  }
  return undefined;
}
