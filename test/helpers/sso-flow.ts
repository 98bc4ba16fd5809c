import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { CHROME_WINDOWS } from './factories.js';
import type { TestProvider } from './oidc-provider.js';

/** The vault's origin in the SSO tests (PUBLIC_URL), so redirect_uri is fixed before the app starts. */
export const VAULT_ORIGIN = 'http://localhost:8080';
export const REDIRECT_URI = `${VAULT_ORIGIN}/api/auth/sso/callback`;

/** The browser-binding cookie a start set, as a Cookie header. */
export function bindingCookieOf(response: LightMyRequestResponse): string {
  const cookie = response.cookies.find((c) => c.name === 'vault_sso');
  if (!cookie) throw new Error(`no binding cookie (${response.statusCode} ${response.body})`);
  return `vault_sso=${cookie.value}`;
}

export interface StartedLogin {
  start: LightMyRequestResponse;
  /** The binding cookie, as a Cookie header. */
  cookie: string;
  /** The app's callback URL the provider redirected to (path and query). */
  callback: string;
}

/** Starts a login at the app and signs in at the provider: what the browser holds before the callback. */
export async function startAndAuthorize(
  app: FastifyInstance,
  idp: TestProvider,
  query: string,
  options: { cookie?: string } = {},
): Promise<StartedLogin> {
  const start = await app.inject({
    method: 'GET',
    url: `/api/auth/sso/start?${query}`,
    headers: options.cookie ? { cookie: options.cookie } : {},
  });
  if (start.statusCode !== 302) throw new Error(`start answered ${start.statusCode}: ${start.body}`);
  const back = await idp.authorize(start.headers.location as string);
  if (back.origin !== VAULT_ORIGIN) throw new Error(`the provider sent the browser to ${back.href}`);
  const cookie = options.cookie ?? bindingCookieOf(start);
  return { start, cookie, callback: `${back.pathname}${back.search}` };
}

/** The callback as the browser makes it. */
export function callback(
  app: FastifyInstance,
  url: string,
  cookie: string | undefined,
  options: { ip?: string } = {},
): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'GET',
    url,
    remoteAddress: options.ip ?? '127.0.0.1',
    headers: { 'user-agent': CHROME_WINDOWS, ...(cookie ? { cookie } : {}) },
  });
}

/** The session cookie a successful callback set, as a Cookie header; undefined when none. */
export function sessionCookieOf(response: LightMyRequestResponse): string | undefined {
  const cookie = response.cookies.find((c) => c.name === 'vault_session' && c.value !== '');
  return cookie ? `vault_session=${cookie.value}` : undefined;
}
