import type { FastifyInstance } from 'fastify';
import type { SessionService } from '../sessions/sessions.service.js';
import { type AllowedHosts, rawRedirectParam, redirectTarget } from './allowed-hosts.js';
import { clientIp } from './client-ip.js';
import type { SessionCookies } from './session-cookie.js';

/**
 * `GET /login?…&rd=<url>` for someone already logged in goes straight to `rd` when it is allowed,
 * else to `/` (never an open redirect). The login page itself reloads this URL after a successful
 * login, so the one decision lives here, on the server, against ALLOWED_REDIRECT_HOSTS.
 */
export function redirectFromLogin(
  app: FastifyInstance,
  deps: {
    sessions: SessionService;
    cookies: SessionCookies;
    allowed: AllowedHosts;
    /** PUBLIC_URL: when set, the vault's own host comes from it, never from a forwarded header. */
    publicUrl: string | undefined;
  },
): void {
  app.addHook('onRequest', async (request, reply) => {
    if (request.method !== 'GET' || !/^\/login(\?|$)/.test(request.url)) return;
    const raw = rawRedirectParam(request.url);
    const token = deps.cookies.read(request);
    if (raw === undefined || !token) return;
    // No database: show the login page, which says what is wrong when it is used.
    const check = await deps.sessions
      .validateSessionToken(token, { ip: clientIp(request) })
      .catch(() => undefined);
    if (!check?.ok) return;
    const ownHostname = deps.publicUrl ? new URL(deps.publicUrl).hostname : request.hostname;
    const target = redirectTarget(raw, { allowed: deps.allowed, ownHostname });
    return reply.header('cache-control', 'no-store').redirect(target ?? '/', 302);
  });
}
