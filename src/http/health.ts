import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { type Kysely, sql } from 'kysely';
import type { Schema } from '../db/schema.js';

const PROBE_INTERVAL_MS = 250;
/** The health answer may be at most this old; older means the database stopped answering. */
const MAX_PROBE_AGE_MS = 1_000;

/** What the background probe last saw, for /api/health and for monitoring. */
export interface HealthProbe {
  /** Whether the database answered within the last second. */
  healthy(): boolean;
  /** When the database last answered (epoch ms; 0: never). */
  lastSuccessAt(): number;
}

/**
 * Probes the database in the background so /api/health answers from memory: a load
 * balancer polling it costs the database nothing extra.
 */
export function registerHealth(app: FastifyInstance, db: Kysely<Schema>): HealthProbe {
  let lastSuccess = 0;
  let probing = false;
  const probe = async () => {
    if (probing) return;
    probing = true;
    try {
      await sql`select 1`.execute(db);
      lastSuccess = Date.now();
    } catch {
      // Leaves lastSuccess behind; the answer turns 503 once it is too old.
    } finally {
      probing = false;
    }
  };
  const timer = setInterval(probe, PROBE_INTERVAL_MS);
  timer.unref();
  app.addHook('onReady', probe);
  app.addHook('onClose', async () => clearInterval(timer));
  const healthy = () => Date.now() - lastSuccess <= MAX_PROBE_AGE_MS;

  app.get(
    '/api/health',
    {
      config: { auth: 'none' },
      schema: {
        tags: ['health'],
        summary: 'Whether the database answered within the last second (answered from memory)',
        response: {
          200: Type.Object({ ok: Type.Literal(true) }),
          503: Type.Object({ ok: Type.Literal(false) }),
        },
      },
    },
    async (_request, reply) =>
      healthy() ? { ok: true as const } : reply.status(503).send({ ok: false as const }),
  );
  return { healthy, lastSuccessAt: () => lastSuccess };
}
