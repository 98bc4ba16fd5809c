import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../kernel/errors.js';

/**
 * Deeper than any request of ours needs; refusing it here keeps every later step (validation,
 * hashing, logging) safe from stack overflows on hostile nesting.
 */
export const MAX_INPUT_DEPTH = 64;

/**
 * The first thing in `value` no route may accept, as "<path> <problem>", or undefined:
 * - NUL (U+0000): PostgreSQL cannot store or compare it and fails the query, SQLite would store
 *   it; refusing it gives both engines the same answer.
 * - an unpaired surrogate: the database stores U+FFFD instead, so what the hash chain covered
 *   (the JS string) is not what was written, and the chain would read "altered" forever.
 * - a number that is not finite (JSON's `1e309`, or a query string coerced to Infinity), which
 *   no column and no limit can take.
 * - nesting deeper than MAX_INPUT_DEPTH.
 * Iterative, so no input can overflow the stack; keys are checked as well as values.
 */
export function findInputProblem(value: unknown, root: string): string | undefined {
  const pending: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: root, depth: 0 }];
  for (let item = pending.pop(); item; item = pending.pop()) {
    const problem = describeLeaf(item.value);
    if (problem) return `${item.path} ${problem}`;
    if (item.value === null || typeof item.value !== 'object') continue;
    if (item.depth >= MAX_INPUT_DEPTH) return `${item.path} nests deeper than ${MAX_INPUT_DEPTH} levels`;
    const entries = Object.entries(item.value);
    // Reversed onto the stack, so the first offending field in document order is the one named.
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i] as [string, unknown];
      // The key itself stays out of the message: it is the very text we refuse.
      const keyProblem = describeLeaf(key);
      if (keyProblem) return `${item.path} has a key that ${keyProblem}`;
      pending.push({ value: child, path: `${item.path}.${key}`, depth: item.depth + 1 });
    }
  }
  return undefined;
}

function describeLeaf(value: unknown): string | undefined {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) return 'contains a NUL character';
    if (!value.isWellFormed()) return 'contains an unpaired surrogate';
    return undefined;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return 'must be a finite number';
  return undefined;
}

function checkRequest(
  request: FastifyRequest,
  parts: ReadonlyArray<'headers' | 'params' | 'query' | 'body'>,
): void {
  for (const part of parts) {
    const problem = findInputProblem(request[part], part);
    if (problem) throw new AppError('INVALID_INPUT', problem);
  }
}

/**
 * Refuses, for every route, input that no schema can: before validation (what arrived), and
 * again after it for the query and params, since Ajv's type coercion turns a query's "1e309"
 * into Infinity unchecked. The body, the largest part (an ingest call's 1,000 events), is walked
 * once: a JSON 1e309 is Infinity on arrival, and no body field is a number to coerce a string
 * into (the route fuzzer sends "1e309" to every field, so a new one would be caught).
 */
export function guardInput(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) =>
    checkRequest(request, ['headers', 'params', 'query', 'body']),
  );
  app.addHook('preHandler', async (request) => checkRequest(request, ['params', 'query']));
}
