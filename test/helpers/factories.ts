import { randomBytes } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { User } from '../../src/contracts/accounts.js';
import { operatorActor } from '../../src/kernel/actor.js';

export const PASSWORD = 'correct horse battery staple';
export const CHROME_WINDOWS =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';

export interface SeededOrg {
  orgId: string;
  admin: User;
  user: User;
}

const unique = () => randomBytes(4).toString('hex');

/** An org with one admin and one ordinary user, both with PASSWORD. */
export async function seedOrg(app: FastifyInstance, name = `org-${unique()}`): Promise<SeededOrg> {
  const { accounts } = app.services;
  const { org, user: admin } = await accounts.createOrgWithAdmin({
    orgName: name,
    username: `admin-${unique()}`,
    password: PASSWORD,
  });
  const user = await accounts.createUser(operatorActor(org.id), {
    username: `user-${unique()}`,
    password: PASSWORD,
    role: 'user',
  });
  return { orgId: org.id, admin, user };
}

export interface SignedIn {
  cookie: string;
  token: string;
  sessionId: string;
  response: LightMyRequestResponse;
}

/** Logs in through the API, as a browser would; throws unless it succeeded. */
export async function signIn(
  app: FastifyInstance,
  username: string,
  options: { password?: string; ip?: string; userAgent?: string; headers?: Record<string, string> } = {},
): Promise<SignedIn> {
  const response = await app.inject({
    method: 'POST',
    url: '/api/auth/login',
    remoteAddress: options.ip ?? '127.0.0.1',
    headers: { 'user-agent': options.userAgent ?? CHROME_WINDOWS, ...options.headers },
    payload: { username, password: options.password ?? PASSWORD },
  });
  if (response.statusCode !== 200) throw new Error(`login failed: ${response.statusCode} ${response.body}`);
  // `__Host-vault_session` over HTTPS (or with COOKIE_SECURE=true), `vault_session` otherwise.
  const cookie = response.cookies.find(
    (c) => c.name === 'vault_session' || c.name === '__Host-vault_session',
  );
  if (!cookie) throw new Error('no session cookie');
  return {
    cookie: `${cookie.name}=${cookie.value}`,
    token: cookie.value,
    sessionId: response.json().session.id,
    response,
  };
}

/** An authenticated request with a session cookie. */
/** Calls as an org API key (a bearer token), as a service would. */
export function withKey(app: FastifyInstance, key: string) {
  const headers = { authorization: `Bearer ${key}` };
  return {
    get: (url: string) => app.inject({ method: 'GET', url, headers }),
    post: (url: string, payload: object) => app.inject({ method: 'POST', url, headers, payload }),
  };
}

export function as(app: FastifyInstance, who: SignedIn) {
  const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH', url: string, payload?: object) =>
    app.inject({ method, url, headers: { cookie: who.cookie }, ...(payload ? { payload } : {}) });
  return {
    get: (url: string) => call('GET', url),
    post: (url: string, payload?: object) => call('POST', url, payload),
    patch: (url: string, payload?: object) => call('PATCH', url, payload),
    put: (url: string, payload?: object) => call('PUT', url, payload),
    delete: (url: string, payload?: object) => call('DELETE', url, payload),
  };
}
