import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../src/contracts/sessions.js';
import { freePort } from './helpers/child-server.js';
import { describeEachEngine, describePostgres } from './helpers/engines.js';
import { PASSWORD, type SeededOrg, seedOrg, signIn } from './helpers/factories.js';
import {
  availableProxies,
  loginThrough,
  PLACEHOLDER,
  type ProxyKind,
  type ProxyResponse,
  type RunningProxy,
  requestThrough,
  startProxy,
  startUpstream,
  type Upstream,
} from './helpers/proxies.js';
import { callApi, listenOnLoopback } from './helpers/sse.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

/**
 * The README's nginx and Caddy snippets (docs/proxy/), run for real in front of a small upstream
 * app that answers with what it received: what a browser sees, what the app sees, and that a
 * Logout in the console refuses the app's very next request through the proxy.
 */

/** `describe.each` over the installed proxies (both are mandatory under CI=true). */
function describeEachProxy(name: string, body: (kind: ProxyKind) => void): void {
  const kinds = availableProxies();
  if (kinds.length === 0)
    describe.skip(`${name} (neither nginx nor caddy is installed)`, () => body('nginx'));
  else describe.each(kinds)(`${name} [%s]`, (kind) => body(kind));
}

const APP = PLACEHOLDER.appHost;
const VAULT = PLACEHOLDER.vaultHost;
const LOGIN_PAGE = `https://${VAULT}/login?rd=`;
const VAULT_ENV = { TRUST_PROXY: 'loopback' };
/** The hammer: clients in flight at once, requests before the Logout, and per client after it. */
const IN_FLIGHT = 6;
const REQUESTS_BEFORE_LOGOUT = 60;
const REQUESTS_AFTER_LOGOUT_EACH = 25;
/** A bound on each client's loop, should the Logout never return. */
const MAX_REQUESTS_EACH = 2_000;

interface VaultCall {
  url: string;
  method: string;
  headers: IncomingHttpHeaders;
}

interface Identity {
  cookie: string;
  sessionId: string;
  userId: string;
  orgId: string;
}

/** The vault, listening on loopback, recording what the proxy asked /api/auth/verify. */
async function startVault(
  engine: 'sqlite' | 'postgres',
  options: { postgresSchema?: string } = {},
): Promise<{ t: TestApp; base: string; address: string; calls: VaultCall[] }> {
  const calls: VaultCall[] = [];
  const t = await createTestApp(engine, {
    env: VAULT_ENV,
    ...options,
    beforeReady: (app) => {
      app.addHook('onRequest', async (request) => {
        if (request.url.startsWith('/api/auth/verify')) {
          calls.push({ url: request.url, method: request.method, headers: { ...request.headers } });
        }
      });
    },
  });
  const base = await listenOnLoopback(t.app);
  return { t, base, address: base.replace('http://', ''), calls };
}

async function closeVault(vault: { t: TestApp } | undefined): Promise<void> {
  if (!vault) return;
  vault.t.app.server.closeAllConnections();
  await vault.t.close();
}

const appRequest = (proxy: RunningProxy, path: string, headers: Record<string, string | string[]> = {}) =>
  requestThrough(proxy.port, { host: APP, path, headers });

function expectLoginRedirect(response: ProxyResponse, originalUrl: string): void {
  expect(response.status).toBe(302);
  expect(response.headers.location).toBe(`${LOGIN_PAGE}${originalUrl}`);
  expect(response.json).toBeUndefined();
}

/** What the app saw, from its JSON answer; fails when the answer did not come from the app. */
function upstreamSaw(response: ProxyResponse): {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
} {
  expect(response.status).toBe(200);
  const json = response.json as { upstream?: boolean };
  expect(json?.upstream).toBe(true);
  return response.json as { method: string; url: string; headers: IncomingHttpHeaders; body: string };
}

interface Attempt {
  id: number;
  startedAt: number;
  status: number;
}

interface HammerRun {
  /** Names this run's requests, so the upstream's record of other runs cannot count. */
  tag: string;
  attempts: Attempt[];
  logoutStartedAt: number;
  logoutReturnedAt: number;
  logoutStatus: number;
}

/**
 * A few clients loop requests through the proxy with one session's cookie; once they have made
 * REQUESTS_BEFORE_LOGOUT, `logout` runs, and each goes on for REQUESTS_AFTER_LOGOUT_EACH requests
 * that start after the Logout returned. Each request names itself in its path, so the upstream's
 * record says which ones reached the app.
 */
async function hammer(
  proxy: RunningProxy,
  cookie: string,
  logout: () => Promise<{ status: number }>,
): Promise<HammerRun> {
  const tag = randomBytes(4).toString('hex');
  const attempts: Attempt[] = [];
  let next = 0;
  let logoutStartedAt = Number.POSITIVE_INFINITY;
  let logoutReturnedAt = Number.POSITIVE_INFINITY;
  let logoutStatus = 0;
  let logoutRun: Promise<void> | undefined;
  const startLogout = () => {
    logoutRun ??= (async () => {
      logoutStartedAt = performance.now();
      const response = await logout();
      logoutReturnedAt = performance.now();
      logoutStatus = response.status;
    })();
  };
  const client = async () => {
    let after = 0;
    for (let i = 0; i < MAX_REQUESTS_EACH && after < REQUESTS_AFTER_LOGOUT_EACH; i++) {
      const id = next++;
      const startedAt = performance.now();
      if (startedAt >= logoutReturnedAt) after++;
      const response = await appRequest(proxy, `/hammer/${tag}/${id}`, { cookie });
      attempts.push({ id, startedAt, status: response.status });
      if (attempts.length >= REQUESTS_BEFORE_LOGOUT) startLogout();
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, client));
  await logoutRun;
  return { tag, attempts, logoutStartedAt, logoutReturnedAt, logoutStatus };
}

function expectNoneAfterLogoutReached(run: HammerRun, upstream: Upstream, label: string): void {
  const prefix = `/hammer/${run.tag}/`;
  const reached = new Set(
    upstream.requests.flatMap((r) => (r.url.startsWith(prefix) ? [Number(r.url.slice(prefix.length))] : [])),
  );
  const { attempts, logoutStartedAt, logoutReturnedAt } = run;
  const before = attempts.filter((a) => a.startedAt < logoutStartedAt);
  const during = attempts.filter((a) => a.startedAt >= logoutStartedAt && a.startedAt < logoutReturnedAt);
  const after = attempts.filter((a) => a.startedAt >= logoutReturnedAt);
  const count = (list: Attempt[]) => list.filter((a) => reached.has(a.id)).length;
  console.info(
    `[${label}] ${attempts.length} requests, ${IN_FLIGHT} in flight; reached the app: ` +
      `${count(before)}/${before.length} started before the Logout, ` +
      `${count(during)}/${during.length} during it (${(logoutReturnedAt - logoutStartedAt).toFixed(1)} ms), ` +
      `${count(after)}/${after.length} after it returned`,
  );
  expect(run.logoutStatus).toBe(200);
  // The hammer hit a live session first, and kept hitting after the Logout.
  expect(count(before)).toBeGreaterThan(0);
  expect(after.length).toBeGreaterThanOrEqual(IN_FLIGHT * REQUESTS_AFTER_LOGOUT_EACH);
  // Not one request that started after the Logout returned reached the app; each went to login.
  expect(after.filter((a) => reached.has(a.id))).toEqual([]);
  expect(after.filter((a) => a.status !== 302)).toEqual([]);
  // Nothing anywhere was anything but "through to the app" or "to the login page".
  expect(attempts.filter((a) => a.status !== 200 && a.status !== 302)).toEqual([]);
}

describeEachEngine('forward auth through real proxies', (engine) => {
  let vault: Awaited<ReturnType<typeof startVault>>;
  let upstream: Upstream;
  let acme: SeededOrg;

  beforeAll(async () => {
    vault = await startVault(engine);
    upstream = await startUpstream();
    acme = await seedOrg(vault.t.app);
  });
  afterAll(async () => {
    await upstream?.close();
    await closeVault(vault);
  });

  describeEachProxy('the snippet', (kind: ProxyKind) => {
    let proxy: RunningProxy;
    beforeAll(async () => {
      proxy = await startProxy(kind, { vault: vault.address, app: upstream.address });
    });
    afterAll(() => proxy?.stop());

    const login = (username: string): Promise<Identity> => loginThrough(proxy.port, username, PASSWORD);
    const adminLogout = (admin: Identity, sessionIds: string[]) =>
      requestThrough(proxy.port, {
        host: VAULT,
        path: '/api/sessions/logout',
        method: 'POST',
        // As the console sends it: the vault's CSRF check sees its own origin through the proxy.
        headers: { cookie: admin.cookie, 'content-type': 'application/json', origin: `http://${VAULT}` },
        body: JSON.stringify({ sessionIds }),
      });

    it('sends a browser without a session to the login page with rd = the original absolute URL', async () => {
      const reachedBefore = upstream.requests.length;
      expectLoginRedirect(
        await appRequest(proxy, '/reports/q3?year=2026&sort=a%20b'),
        `http://${APP}/reports/q3?year=2026&sort=a%20b`,
      );
      expectLoginRedirect(
        await appRequest(proxy, '/', { cookie: 'vault_session=not-a-session' }),
        `http://${APP}/`,
      );
      const post = await requestThrough(proxy.port, {
        host: APP,
        path: '/upload',
        method: 'POST',
        body: 'data',
      });
      expectLoginRedirect(post, `http://${APP}/upload`);
      expect(upstream.requests.length).toBe(reachedBefore);
    });

    it('lets a logged-in browser through, and the app sees who it is in the X-Vault-* headers', async () => {
      const user = await login(acme.user.username);
      const admin = await login(acme.admin.username);
      const seen = upstreamSaw(await appRequest(proxy, '/files?page=2', { cookie: user.cookie }));
      expect(seen.headers).toMatchObject({
        host: APP,
        'x-vault-user': acme.user.username,
        'x-vault-user-id': acme.user.id,
        'x-vault-role': 'user',
        'x-vault-org-id': acme.orgId,
        'x-vault-session-id': user.sessionId,
        'x-vault-login-method': 'password',
        'x-vault-mfa': 'false',
      });
      expect(upstreamSaw(await appRequest(proxy, '/', { cookie: admin.cookie })).headers).toMatchObject({
        'x-vault-user': acme.admin.username,
        'x-vault-role': 'admin',
        'x-vault-session-id': admin.sessionId,
      });
    });

    it('never lets a spoofed X-Vault-User or X-Vault-Role reach the app', async () => {
      const spoof = {
        'x-vault-user': [acme.admin.username, 'root'],
        'X-Vault-Role': 'admin',
        'x-vault-user-id': acme.admin.id,
        'x-vault-session-id': 'forged',
        'x-vault-mfa': 'true',
        'x-vault-login-method': 'sso',
      };
      const reachedBefore = upstream.requests.length;
      // No session: refused, whatever the headers claim.
      expectLoginRedirect(await appRequest(proxy, '/admin', spoof), `http://${APP}/admin`);
      // An ended session: refused too.
      const ended = await login(acme.user.username);
      expect(
        upstreamSaw(await appRequest(proxy, '/', { cookie: ended.cookie })).headers['x-vault-user'],
      ).toBe(acme.user.username);
      const loggedOut = await requestThrough(proxy.port, {
        host: VAULT,
        path: '/api/auth/logout',
        method: 'POST',
        headers: { cookie: ended.cookie },
      });
      expect(loggedOut.status).toBe(204);
      const afterOwnLogout = upstream.requests.length;
      expectLoginRedirect(
        await appRequest(proxy, '/admin', { ...spoof, cookie: ended.cookie }),
        `http://${APP}/admin`,
      );
      expect(upstream.requests.length).toBe(afterOwnLogout);
      expect(afterOwnLogout).toBe(reachedBefore + 1);

      // A live session: the app sees the vault's values, once each, not the browser's.
      const user = await login(acme.user.username);
      const seen = upstreamSaw(await appRequest(proxy, '/admin', { ...spoof, cookie: user.cookie }));
      expect(seen.headers['x-vault-user']).toBe(acme.user.username);
      expect(seen.headers['x-vault-role']).toBe('user');
      expect(seen.headers['x-vault-user-id']).toBe(acme.user.id);
      expect(seen.headers['x-vault-session-id']).toBe(user.sessionId);
      expect(seen.headers['x-vault-mfa']).toBe('false');
      expect(seen.headers['x-vault-login-method']).toBe('password');
      // Caddy drops every X-Vault-* the browser sent; nginx can only replace the seven it sets, so
      // an app behind nginx must read those five and no other X-Vault-* (the snippet says so).
      const unlisted = upstreamSaw(
        await appRequest(proxy, '/', { 'x-vault-admin': 'yes', cookie: user.cookie }),
      ).headers['x-vault-admin'];
      expect(unlisted).toBe(kind === 'caddy' ? undefined : 'yes');
    });

    it('passes the original method, URI and body to the app, and tells the vault where the session is used', async () => {
      const user = await login(acme.user.username);
      const admin = await login(acme.admin.username);
      vault.calls.length = 0;
      const response = await requestThrough(proxy.port, {
        host: APP,
        path: '/orders/7?notify=yes&x=%2F',
        method: 'POST',
        headers: { cookie: user.cookie, 'content-type': 'application/json' },
        body: '{"quantity":3}',
      });
      const seen = upstreamSaw(response);
      expect(seen).toMatchObject({
        method: 'POST',
        url: '/orders/7?notify=yes&x=%2F',
        body: '{"quantity":3}',
      });

      // The vault was asked once, by GET without the body, and told the original request.
      expect(vault.calls).toHaveLength(1);
      const call = vault.calls[0] as VaultCall;
      expect(call.method).toBe('GET');
      expect(call.url).toBe('/api/auth/verify');
      expect(call.headers['content-length'] ?? '0').toBe('0');
      expect(call.headers['transfer-encoding']).toBeUndefined();
      expect(call.headers).toMatchObject({ 'x-forwarded-method': 'POST', 'x-forwarded-host': APP });
      expect(call.headers['x-original-uri'] ?? call.headers['x-forwarded-uri']).toBe(
        '/orders/7?notify=yes&x=%2F',
      );

      // The console shows the app as where the session was last used.
      const list = await requestThrough(proxy.port, {
        host: VAULT,
        path: '/api/sessions',
        headers: { cookie: admin.cookie },
      });
      const shown = (list.json as { sessions: Session[] }).sessions.find((s) => s.id === user.sessionId);
      expect(shown?.lastUsedOn).toBe(APP);
    });

    it("refuses every request that started after an admin's Logout returned (a hammer from a few clients)", async () => {
      const user = await login(acme.user.username);
      const admin = await login(acme.admin.username);
      const run = await hammer(proxy, user.cookie, () => adminLogout(admin, [user.sessionId]));
      expectNoneAfterLogoutReached(run, upstream, `${kind} hammer, ${engine}`);
    });
  });
});

describePostgres('forward auth through real proxies, two instances on one PostgreSQL', () => {
  let a: Awaited<ReturnType<typeof startVault>>;
  let b: Awaited<ReturnType<typeof startVault>>;
  let upstream: Upstream;
  let acme: SeededOrg;

  beforeAll(async () => {
    a = await startVault('postgres');
    b = await startVault('postgres', { postgresSchema: a.t.database.postgresSchema as string });
    upstream = await startUpstream();
    acme = await seedOrg(a.t.app);
  });
  afterAll(async () => {
    await upstream?.close();
    // B joined A's schema; A owns it and drops it last.
    await closeVault(b);
    await closeVault(a);
  });

  describeEachProxy('the snippet in front of instance B', (kind: ProxyKind) => {
    let proxy: RunningProxy;
    beforeAll(async () => {
      proxy = await startProxy(kind, { vault: b.address, app: upstream.address });
    });
    afterAll(() => proxy?.stop());

    it('refuses on B every request that started after the Logout through A returned', async () => {
      const user = await loginThrough(proxy.port, acme.user.username, PASSWORD);
      const adminOnA = await signIn(a.t.app, acme.admin.username);
      const run = await hammer(proxy, user.cookie, () =>
        callApi(a.base, adminOnA.cookie, 'POST', '/api/sessions/logout', { sessionIds: [user.sessionId] }),
      );
      expectNoneAfterLogoutReached(run, upstream, `${kind} hammer, Logout on A, proxy on B`);
    });
  });
});

/**
 * A stand-in for the vault that answers what a test says, to show what each proxy does with an
 * answer the real vault gives only when something is wrong (503, a reset connection), and with
 * none at all.
 */
describeEachProxy('forward auth fails closed', (kind: ProxyKind) => {
  let answer: 'identity-less 200' | 503 | 500 | 'reset' = 503;
  let stub: Server;
  let upstream: Upstream;
  let proxy: RunningProxy;
  let noVault: RunningProxy;

  beforeAll(async () => {
    stub = createServer((req, res) => {
      if (answer === 'reset') {
        req.socket.destroy();
        return;
      }
      res.writeHead(answer === 'identity-less 200' ? 200 : answer, { 'content-length': '0' });
      res.end();
    });
    await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
    upstream = await startUpstream();
    const stubAddress = `127.0.0.1:${(stub.address() as { port: number }).port}`;
    proxy = await startProxy(kind, { vault: stubAddress, app: upstream.address });
    // Nothing listens there: the vault is not running.
    noVault = await startProxy(kind, { vault: `127.0.0.1:${await freePort()}`, app: upstream.address });
  });
  afterAll(async () => {
    await proxy?.stop();
    await noVault?.stop();
    await upstream?.close();
    stub?.closeAllConnections();
    await new Promise((resolve) => stub?.close(resolve));
  });

  const cookie = 'vault_session=any';

  it.each([503, 500, 'reset'] as const)(
    'refuses, without reaching the app, when the vault answers %s',
    async (given) => {
      answer = given;
      const response = await appRequest(proxy, '/files', { cookie });
      expect(response.status).toBeGreaterThanOrEqual(500);
      expect((response.json as { upstream?: boolean } | undefined)?.upstream).toBeUndefined();
      expect(upstream.requests).toEqual([]);
    },
  );

  it('refuses, without reaching the app, when the vault is not running', async () => {
    const response = await appRequest(noVault, '/files', { cookie });
    expect(response.status).toBeGreaterThanOrEqual(500);
    expect(upstream.requests).toEqual([]);
  });

  it('never passes a browser-sent X-Vault-* on, even when a 200 carries no identity headers', async () => {
    answer = 'identity-less 200';
    const response = await appRequest(proxy, '/files', {
      cookie,
      'x-vault-user': 'admin',
      'x-vault-role': 'admin',
      'x-vault-user-id': 'forged',
    });
    const seen = upstreamSaw(response);
    for (const name of ['x-vault-user', 'x-vault-role', 'x-vault-user-id']) {
      expect(seen.headers[name]).not.toBe('admin');
      expect(seen.headers[name]).not.toBe('forged');
    }
  });
});
