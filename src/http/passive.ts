import type { FastifyRequest } from 'fastify';

/**
 * `?passive`: the request is the page following its session (session.js opening the event stream,
 * or asking verify why the stream closed), not the person using it. It is checked like any other,
 * but does not count as activity: a tab left open must not keep an idle session alive.
 */
export function isPassive(request: FastifyRequest): boolean {
  const query = request.url.indexOf('?');
  return query >= 0 && /(?:^|&)passive(?:=[^&]*)?(?:&|$)/.test(request.url.slice(query + 1));
}
