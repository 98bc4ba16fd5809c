import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { TestClock } from './helpers/clock.js';
import { describeEachEngine, describePostgres } from './helpers/engines.js';
import { as, type SeededOrg, type SignedIn, seedOrg, signIn } from './helpers/factories.js';
import { listenOnLoopback, openSse } from './helpers/sse.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const MINUTE = 60_000;
/** What a proxy in front of a protected app passes along with the browser's cookie. */
const PROXY_HEADERS = {
  'x-forwarded-for': '203.0.113.9',
  'x-forwarded-host': 'files.example.com',
  'x-original-uri': '/backups/2026?page=2',
  'x-forwarded-method': 'GET',
};

function expectEmptyRefusal(response: LightMyRequestResponse, status = 401) {
  expect(response.statusCode).toBe(status);
  expect(response.body).toBe('');
  expect(response.headers['content-length']).toBe('0');
  expect(response.headers['set-cookie']).toBeUndefined();
  expect(response.headers.location).toBeUndefined();
  for (const name of Object.keys(response.headers)) expect(name).not.toMatch(/^x-vault-/);
}

describeEachEngine('forward auth: GET /api/auth/verify', (engine) => {
  let t: TestApp;
  let clock: TestClock;
  let acme: SeededOrg;
  let admin: SignedIn;
  let user: SignedIn;

  beforeEach(async () => {
    clock = new TestClock();
    // The test's requests come from loopback, as a proxy's would.
    t = await createTestApp(engine, { clock, env: { TRUST_PROXY: 'loopback' } });
    acme = await seedOrg(t.app);
    admin = await signIn(t.app, acme.admin.username);
    user = await signIn(t.app, acme.user.username);
  });
  afterEach(() => t.close());

  const verify = (
    cookie: string | undefined,
    headers: Record<string, string> = {},
    method: 'GET' | 'HEAD' = 'GET',
  ) =>
    t.app.inject({
      method,
      url: '/api/auth/verify',
      headers: { ...PROXY_HEADERS, ...(cookie ? { cookie } : {}), ...headers },
    });
  const userSessionInList = async () => {
    const list = await as(t.app, admin).get('/api/sessions');
    return list.json().sessions.find((s: { id: string }) => s.id === user.sessionId);
  };

  it('answers 200 with the identity headers and an empty body for a live session', async () => {
    const response = await verify(user.cookie);
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('');
    expect(response.headers).toMatchObject({
      'x-vault-user': acme.user.username,
      'x-vault-user-id': acme.user.id,
      'x-vault-role': 'user',
      'x-vault-org-id': acme.orgId,
      'x-vault-session-id': user.sessionId,
      'x-vault-login-method': 'password',
      'x-vault-mfa': 'false',
      'cache-control': 'no-store',
    });
    expect(response.headers['set-cookie']).toBeUndefined();
    expect((await verify(admin.cookie)).headers['x-vault-role']).toBe('admin');
  });

  it('answers HEAD the same way', async () => {
    const ok = await verify(user.cookie, {}, 'HEAD');
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['x-vault-user-id']).toBe(acme.user.id);
    expectEmptyRefusal(await verify(undefined, {}, 'HEAD'));
  });

  it('answers 401 with an empty body and no cookie for no, an unknown or a malformed session cookie', async () => {
    expectEmptyRefusal(await verify(undefined));
    expectEmptyRefusal(await verify('vault_session=not-a-session'));
    expectEmptyRefusal(await verify(`vault_session=${'A'.repeat(43)}`));
    expectEmptyRefusal(await verify('vault_session='));
  });

  it('decides on the cookie alone: spoofed X-Vault-*, Origin, Content-Type and method change nothing', async () => {
    const spoof = {
      'x-vault-user': acme.admin.username,
      'x-vault-role': 'admin',
      'x-vault-user-id': acme.admin.id,
      origin: 'https://evil.test',
      'content-type': 'text/plain',
      'x-forwarded-method': 'DELETE',
    };
    expectEmptyRefusal(await verify(undefined, spoof));
    const live = await verify(user.cookie, spoof);
    expect(live.statusCode).toBe(200);
    expect(live.headers['x-vault-role']).toBe('user');
    expect(live.headers['x-vault-user-id']).toBe(acme.user.id);
  });

  it("refuses the very next request after an admin's Logout or the user's own", async () => {
    expect((await verify(user.cookie)).statusCode).toBe(200);
    expect(
      (await as(t.app, admin).post('/api/sessions/logout', { sessionIds: [user.sessionId] })).statusCode,
    ).toBe(200);
    expectEmptyRefusal(await verify(user.cookie));

    const again = await signIn(t.app, acme.user.username);
    expect((await verify(again.cookie)).statusCode).toBe(200);
    expect((await as(t.app, again).post('/api/auth/logout')).statusCode).toBe(204);
    expectEmptyRefusal(await verify(again.cookie));
  });

  it('counts a protected app request as activity: the session outlives its idle timeout while the app is used', async () => {
    // Idle timeout 30 min: used through the app every 20 min, the session stays alive for an hour.
    for (let i = 0; i < 3; i++) {
      clock.advance(20 * MINUTE);
      expect((await verify(user.cookie)).statusCode).toBe(200);
    }
    expect((await as(t.app, user).get('/api/me')).statusCode).toBe(200);
    // Unused for longer than the timeout, it ends for the app too.
    clock.advance(31 * MINUTE);
    expectEmptyRefusal(await verify(user.cookie));
  });

  it('does not count a ?passive check (session.js following its session) as activity', async () => {
    clock.advance(20 * MINUTE);
    const passive = await t.app.inject({
      method: 'GET',
      url: '/api/auth/verify?passive',
      headers: { cookie: user.cookie },
    });
    expect(passive.statusCode).toBe(200);
    // Its stream opened with ?passive does not count either.
    const url = await listenOnLoopback(t.app);
    const stream = await openSse(`${url}/api/sessions/stream?passive`, { cookie: user.cookie });
    expect(stream.status).toBe(200);
    stream.close();
    // 31 minutes after the last real use, the session is over, whatever the tab asked meanwhile.
    clock.advance(11 * MINUTE);
    expectEmptyRefusal(await verify(user.cookie));
  });

  it('shows in Session Information the app host the session was last used on, and when', async () => {
    expect((await userSessionInList()).lastUsedOn).toBeNull();
    clock.advance(5 * MINUTE);
    expect((await verify(user.cookie)).statusCode).toBe(200);
    const shown = await userSessionInList();
    expect(shown.lastUsedOn).toBe('files.example.com');
    expect(shown.lastAccessAt).toBe(new Date(clock.now()).toISOString());
    // Written to the database, so every instance sees it.
    await t.app.services.lastAccess.flush();
    const row = await t.database.db
      .selectFrom('sessions')
      .select(['lastUsedOn', 'lastAccessAt'])
      .where('id', '=', user.sessionId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ lastUsedOn: 'files.example.com', lastAccessAt: clock.now() });
    // Back in the console: the console is the latest place.
    clock.advance(MINUTE);
    await as(t.app, user).get('/api/me');
    expect((await userSessionInList()).lastUsedOn).toBeNull();
  });

  it('believes a forwarded host only from a proxy TRUST_PROXY names', async () => {
    const untrusted = await t.app.inject({
      method: 'GET',
      url: '/api/auth/verify',
      remoteAddress: '198.51.100.20',
      headers: { ...PROXY_HEADERS, cookie: user.cookie, 'x-forwarded-host': 'payroll.example.com' },
    });
    expect(untrusted.statusCode).toBe(200);
    expect((await userSessionInList()).lastUsedOn).toBe('unknown');
  });

  it('records a forwarded host only when it looks like one', async () => {
    await verify(user.cookie, { 'x-forwarded-host': '<script>alert(1)</script>' });
    expect((await userSessionInList()).lastUsedOn).toBe('unknown');
    await verify(user.cookie, { 'x-forwarded-host': 'Backup.Example.COM:8443, proxy.internal' });
    expect((await userSessionInList()).lastUsedOn).toBe('backup.example.com:8443');
  });

  it('answers on the cookie alone, whatever else a proxy passes along: any header, query or body', async () => {
    const text = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.constant('\u0000'),
      fc.constant('\ud800'),
    );
    const headerName = fc.constantFrom(
      'user-agent',
      'x-vault-user',
      'x-vault-role',
      'origin',
      'x-forwarded-host',
      'x-original-uri',
      'x-forwarded-method',
      'accept-language',
      'sec-ch-ua-platform',
    );
    const request = fc.record({
      live: fc.boolean(),
      headers: fc.dictionary(headerName, text, { maxKeys: 4 }),
      query: fc.string(),
      body: fc.option(
        fc.record({
          type: fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded'),
          payload: text,
        }),
      ),
    });
    await fc.assert(
      fc.asyncProperty(request, async ({ live, headers, query, body }) => {
        const response = await t.app.inject({
          method: 'GET',
          url: `/api/auth/verify?${encodeURIComponent(query)}`,
          headers: {
            ...headers,
            ...(body ? { 'content-type': body.type } : {}),
            ...(live ? { cookie: user.cookie } : {}),
          },
          ...(body ? { payload: body.payload } : {}),
        });
        expect(response.statusCode).toBe(live ? 200 : 401);
        expect(response.body).toBe('');
        if (live) expect(response.headers['x-vault-user-id']).toBe(acme.user.id);
      }),
      { numRuns: 300 },
    );
  });

  it('is never rate-limited: a burst of refused checks from one address leaves the next live one answered', async () => {
    for (let i = 0; i < 300; i++) expectEmptyRefusal(await verify(`vault_session=guess-${i}`));
    expect((await verify(user.cookie)).statusCode).toBe(200);
  });

  it('answers 50 checks at once the same way, before a Logout and after it (the real-proxy hammer covers during)', async () => {
    const before = await Promise.all(Array.from({ length: 50 }, () => verify(user.cookie)));
    expect(before.every((r) => r.statusCode === 200)).toBe(true);
    expect((await as(t.app, user).post('/api/auth/logout')).statusCode).toBe(204);
    const after = await Promise.all(Array.from({ length: 50 }, () => verify(user.cookie)));
    for (const response of after) expectEmptyRefusal(response);
  });
});

describeEachEngine('forward auth for Traefik: GET /api/auth/verify-redirect', (engine) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });
  const traefik = {
    'x-forwarded-for': '203.0.113.9',
    'x-forwarded-proto': 'https',
    'x-forwarded-host': 'app.example.com',
    'x-forwarded-uri': '/files?folder=2026&sort=size',
    'x-forwarded-method': 'GET',
  };

  it('answers a live session as verify does, and sends no or an ended one to PUBLIC_URL/login with rd', async () => {
    t = await createTestApp(engine, {
      env: { PUBLIC_URL: 'https://vault.example.com', TRUST_PROXY: 'loopback' },
    });
    const acme = await seedOrg(t.app);
    // Traefik terminates HTTPS: the cookie is __Host-vault_session.
    const user = await signIn(t.app, acme.user.username, { headers: { 'x-forwarded-proto': 'https' } });
    const ask = (cookie?: string) =>
      (t as TestApp).app.inject({
        method: 'GET',
        url: '/api/auth/verify-redirect',
        headers: { ...traefik, ...(cookie ? { cookie } : {}) },
      });
    const live = await ask(user.cookie);
    expect(live.statusCode).toBe(200);
    expect(live.headers['x-vault-user-id']).toBe(acme.user.id);
    const anonymous = await ask();
    expect(anonymous.statusCode).toBe(302);
    expect(anonymous.headers.location).toBe(
      'https://vault.example.com/login?rd=https://app.example.com/files?folder=2026&sort=size',
    );
    expect(anonymous.headers['set-cookie']).toBeUndefined();
    await t.app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      headers: { cookie: user.cookie, 'x-forwarded-proto': 'https' },
    });
    expect((await ask(user.cookie)).statusCode).toBe(302);
  });

  it('answers 401 without PUBLIC_URL or without a forwarded host', async () => {
    t = await createTestApp(engine);
    const plain = await t.app.inject({ method: 'GET', url: '/api/auth/verify-redirect', headers: traefik });
    expectEmptyRefusal(plain);
    await t.close();
    t = await createTestApp(engine, {
      env: { PUBLIC_URL: 'https://vault.example.com', TRUST_PROXY: 'loopback' },
    });
    const noHost = await t.app.inject({ method: 'GET', url: '/api/auth/verify-redirect' });
    expectEmptyRefusal(noHost);
  });
});

describePostgres('forward auth across instances', () => {
  let a: TestApp;
  let b: TestApp;
  beforeEach(async () => {
    a = await createTestApp('postgres');
    b = await createTestApp('postgres', { postgresSchema: a.database.postgresSchema as string });
  });
  afterEach(async () => {
    await b.close();
    await a.close();
  });

  it('refuses on instance B the very next check after a Logout on instance A', async () => {
    const acme = await seedOrg(a.app);
    const admin = await signIn(a.app, acme.admin.username);
    const user = await signIn(a.app, acme.user.username);
    const verifyOnB = () =>
      b.app.inject({ method: 'GET', url: '/api/auth/verify', headers: { cookie: user.cookie } });
    expect((await verifyOnB()).statusCode).toBe(200);
    expect(
      (await as(a.app, admin).post('/api/sessions/logout', { sessionIds: [user.sessionId] })).statusCode,
    ).toBe(200);
    expect((await verifyOnB()).statusCode).toBe(401);
  });
});
