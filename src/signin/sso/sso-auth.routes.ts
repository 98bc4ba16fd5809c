import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errors } from '../../contracts/common.js';
import type { SsoError } from '../../contracts/sso.js';
import { type AllowedHosts, redirectTarget } from '../../http/allowed-hosts.js';
import { clientIp } from '../../http/client-ip.js';
import type { SessionCookies } from '../../http/session-cookie.js';
import { invalidInput } from '../../kernel/errors.js';
import { SsoFailure } from './oidc-client.js';
import { vaultOrigin } from './sso.routes.js';
import type { SsoService } from './sso.service.js';
import { newBrowserToken, SSO_LOGIN_TTL_MS } from './sso-login.js';
import { createSsoStartLimit } from './sso-start-limit.js';

export interface SsoAuthRoutesOptions {
  sso: SsoService;
  cookies: SessionCookies;
  allowed: AllowedHosts;
  publicUrl: string | undefined;
}

const EmailQuery = Type.String({ minLength: 3, maxLength: 320, pattern: '^[^@\\s]+@[^@\\s]+$' });

/** The browser binding: HttpOnly, SameSite=Lax (sent on the provider's top-level redirect back). */
const bindingCookie = (cookies: SessionCookies, request: FastifyRequest) =>
  cookies.isSecure(request) ? '__Host-vault_sso' : 'vault_sso';

const toLogin = (reply: FastifyReply, code: SsoError) =>
  reply.header('cache-control', 'no-store').redirect(`/login?error=${code}`, 302);

export const ssoAuthRoutes: FastifyPluginAsyncTypebox<SsoAuthRoutesOptions> = async (app, options) => {
  const { sso, cookies, allowed, publicUrl } = options;
  const limit = createSsoStartLimit();

  /** `returnTo` when it stays on the vault (a path) or goes to an allowed host; else dropped (no open redirect). */
  const checkedReturnTo = (request: FastifyRequest, raw: string | undefined): string | undefined => {
    if (!raw) return undefined;
    if (/^\/(?![/\\])/.test(raw) && !/[\s\p{Cc}\\]/u.test(raw)) return raw;
    const ownHostname = publicUrl ? new URL(publicUrl).hostname : request.hostname;
    return redirectTarget(raw, { allowed, ownHostname });
  };

  app.get(
    '/api/auth/sso/discover',
    {
      config: { auth: 'none' },
      schema: {
        tags: ['auth'],
        summary:
          'Whether an email signs in through single sign-on (the login page asks before showing a password field); nothing is started',
        querystring: Type.Object({ email: EmailQuery }, { additionalProperties: false }),
        response: { 200: Type.Object({ sso: Type.Boolean() }), ...errors(400, 429) },
      },
    },
    async (request, reply) => {
      await limit(clientIp(request));
      reply.header('cache-control', 'no-store');
      return { sso: await sso.hasSso(request.query.email) };
    },
  );

  app.get(
    '/api/auth/sso/start',
    {
      config: { auth: 'none' },
      schema: {
        tags: ['auth'],
        summary:
          'Starts a single sign-on: 302 to the provider of the email’s domain (or the org’s). 404 SSO_NOT_CONFIGURED for an unknown domain; a provider that cannot be used sends the browser to /login?error=…',
        querystring: Type.Object({
          email: Type.Optional(EmailQuery),
          org: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          returnTo: Type.Optional(Type.String({ maxLength: 2048 })),
        }),
        response: { 302: Type.Null(), ...errors(400, 404, 429) },
      },
    },
    async (request, reply) => {
      await limit(clientIp(request));
      const { email, org, returnTo } = request.query;
      if ((email === undefined) === (org === undefined)) {
        throw invalidInput('querystring: give either email or org');
      }
      const name = bindingCookie(cookies, request);
      const browserToken = request.cookies[name] || newBrowserToken();
      let url: string;
      try {
        url = await sso.startLogin({
          email,
          orgId: org,
          returnTo: checkedReturnTo(request, returnTo),
          browserToken,
          origin: vaultOrigin(request, publicUrl),
        });
      } catch (error) {
        if (error instanceof SsoFailure) {
          request.log.warn({ reason: error.code, detail: error.message }, 'single sign-on could not start');
          return toLogin(reply, error.code);
        }
        throw error;
      }
      reply.setCookie(name, browserToken, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: cookies.isSecure(request),
        maxAge: SSO_LOGIN_TTL_MS / 1000,
      });
      return reply.header('cache-control', 'no-store').redirect(url, 302);
    },
  );

  app.get(
    '/api/auth/sso/callback',
    {
      config: { auth: 'none' },
      schema: {
        tags: ['auth'],
        summary:
          'The provider sends the browser back here: on success a session cookie and 302 to / (or the allowed returnTo); a refusal 302s to /login?error=<code>',
        response: { 302: Type.Null() },
      },
    },
    async (request, reply) => {
      const query = new URLSearchParams(
        request.url.slice(request.url.indexOf('?') + 1 || request.url.length),
      );
      try {
        const result = await sso.finishLogin({
          query,
          browserToken: request.cookies[bindingCookie(cookies, request)] || undefined,
          origin: vaultOrigin(request, publicUrl),
          context: { ip: clientIp(request), headers: request.headers },
        });
        if ('code' in result) {
          request.log.info({ reason: result.code, detail: result.reason }, 'single sign-on refused');
          return toLogin(reply, result.code);
        }
        cookies.set(request, reply, result.opened.token);
        return reply.header('cache-control', 'no-store').redirect(result.returnTo ?? '/', 302);
      } catch (error) {
        // Never a 5xx page in the middle of a login: the login page says to try again.
        request.log.error({ err: error }, 'single sign-on could not be finished');
        return toLogin(reply, 'sso_unavailable');
      }
    },
  );
};
