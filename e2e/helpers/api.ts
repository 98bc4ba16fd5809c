import { ADMIN } from './server.ts';

/** Real browsers' User-Agent strings, for sessions that look like other devices. */
export const USER_AGENTS = {
  windowsChrome:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  macSafari:
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  iphone:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  androidFirefox: 'Mozilla/5.0 (Android 14; Mobile; rv:125.0) Gecko/125.0 Firefox/125.0',
  ipad: 'Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  linuxFirefox: 'Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0',
  edge: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
} as const;

export interface LoginOptions {
  userAgent?: string;
  /** A public IP to log in "from" (the server trusts X-Forwarded-For from loopback in the tests). */
  ip?: string;
}

export interface ApiSession {
  cookie: string;
  sessionId: string;
  userId: string;
  request<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
}

/** An API client outside the browser: the tests' way to set up users, sessions and activities. */
export async function apiLogin(
  baseUrl: string,
  username: string,
  password: string,
  options: LoginOptions = {},
): Promise<ApiSession> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    origin: baseUrl,
    'user-agent': options.userAgent ?? USER_AGENTS.linuxFirefox,
  };
  if (options.ip) headers['x-forwarded-for'] = options.ip;
  const response = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ username, password }),
  });
  if (!response.ok) throw new Error(`login ${username}: ${response.status} ${await response.text()}`);
  const body = (await response.json()) as { user: { id: string }; session: { id: string } };
  const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  return {
    cookie,
    sessionId: body.session.id,
    userId: body.user.id,
    async request<T>(method: string, path: string, payload?: unknown): Promise<T> {
      const res = await fetch(`${baseUrl}${path}`, {
        method,
        headers: {
          cookie,
          origin: baseUrl,
          'user-agent': headers['user-agent'] as string,
          ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: payload === undefined ? undefined : JSON.stringify(payload),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
      return (text ? JSON.parse(text) : undefined) as T;
    },
  };
}

export const adminLogin = (baseUrl: string, options?: LoginOptions) =>
  apiLogin(baseUrl, ADMIN.username, ADMIN.password, options);

let counter = 0;

/** A new user in the admin's org, with a unique name (the tests share one server) unless `exact`. */
export async function createUser(
  admin: ApiSession,
  prefix: string,
  options: { role?: 'user' | 'admin'; exact?: boolean } = {},
): Promise<{ id: string; username: string; password: string }> {
  counter += 1;
  const role = options.role ?? 'user';
  const username = options.exact ? prefix : `${prefix}${counter}${Date.now().toString(36).slice(-4)}`;
  const password = 'a long enough passphrase';
  const { user } = await admin.request<{ user: { id: string } }>('POST', '/api/users', {
    username,
    password,
    role,
  });
  return { id: user.id, username, password };
}

export interface IngestEvent {
  activity: string;
  username: string;
  occurredAt?: string;
  status?: string;
  target?: string;
  details?: string | Record<string, unknown>;
  publicIp?: string;
}

/** Records activities through the ingest API with an org API key, as the vault's jobs do. */
export async function ingest(baseUrl: string, admin: ApiSession, events: IngestEvent[]): Promise<void> {
  const { key } = await admin.request<{ key: string }>('POST', '/api/api-keys', {
    name: 'vault backup jobs',
  });
  for (let i = 0; i < events.length; i += 1000) {
    const response = await fetch(`${baseUrl}/api/activities`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events: events.slice(i, i + 1000) }),
    });
    if (response.status !== 201) throw new Error(`ingest: ${response.status} ${await response.text()}`);
  }
}

/** The org of the logged-in user (the tests insert rows into it directly). */
export async function orgIdOf(session: ApiSession): Promise<string> {
  const { user } = await session.request<{ user: { orgId: string } }>('GET', '/api/me');
  return user.orgId;
}
