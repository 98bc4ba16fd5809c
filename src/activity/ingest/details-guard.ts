import type { FastifyRequest } from 'fastify';
import { invalidInput } from '../../kernel/errors.js';
import { detailsProblem } from '../details.js';

/**
 * The ingest route's preValidation hook: refuses an event's `details` that is neither a string
 * nor a JSON object within its limit (details.ts), naming `events[i].details`, before the schema
 * could coerce it into a string.
 */
export async function refuseBadDetails(request: FastifyRequest): Promise<void> {
  const body: unknown = request.body;
  if (typeof body !== 'object' || body === null) return;
  const { events } = body as { events?: unknown };
  if (!Array.isArray(events)) return;
  for (const [index, event] of events.entries()) {
    if (typeof event !== 'object' || event === null) continue;
    const problem = detailsProblem((event as { details?: unknown }).details);
    if (problem) throw invalidInput(`events[${index}].details ${problem}`);
  }
}
