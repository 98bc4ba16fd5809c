import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../../kernel/errors.js';
import type { AppMetrics } from './app-metrics.js';
import { bearerMatcher } from './bearer.js';
import { registerStateGauges, type StateSources } from './state-gauges.js';

/** The label of a request no route matched: its path would make a new series per probe. */
export const UNMATCHED_ROUTE = 'unmatched';

/** Times every request by the route pattern the router matched. Register before the routes. */
export const requestMetricsPlugin = fp(
  async (app: FastifyInstance, { metrics }: { metrics: AppMetrics }) => {
    app.addHook('onResponse', async (request, reply) => {
      metrics.observeRequest(
        {
          method: request.method,
          route: request.routeOptions.url ?? UNMATCHED_ROUTE,
          statusCode: reply.statusCode,
        },
        reply.elapsedTime / 1000,
      );
    });
  },
  { name: 'request-metrics' },
);

export interface MetricsRouteOptions {
  metrics: AppMetrics;
  token: string;
  sources: StateSources;
}

/**
 * GET /metrics in Prometheus' text format, to `Authorization: Bearer <METRICS_TOKEN>` only. Outside
 * /api/, so no session is asked for, and a GET, so no CSRF check: a scraper has neither.
 */
export async function registerMetricsRoute(app: FastifyInstance, options: MetricsRouteOptions) {
  const { registry } = options.metrics;
  registerStateGauges(registry, options.sources);
  const authorized = bearerMatcher(options.token);
  app.get('/metrics', { config: { auth: 'none' }, schema: { hide: true } }, async (request, reply) => {
    if (!authorized(request.headers.authorization)) {
      throw new AppError('NOT_AUTHENTICATED', 'GET /metrics needs Authorization: Bearer <METRICS_TOKEN>', {
        'www-authenticate': 'Bearer realm="metrics"',
      });
    }
    const text = await registry.metrics();
    return reply.header('content-type', registry.contentType).header('cache-control', 'no-store').send(text);
  });
}
