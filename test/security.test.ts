import { createHash } from 'node:crypto';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TestClock } from './helpers/clock.js';
import { comparableAnswer } from './helpers/comparable-answer.js';
import { describeEachEngine } from './helpers/engines.js';
import { as, PASSWORD, type SeededOrg, type SignedIn, seedOrg, signIn } from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

/** What app.inject's default Host header (`localhost:80`) makes the app's own origin. */
const OWN_ORIGIN = 'http://localhost:80';
const EVIL_ORIGIN = 'https://evil.example';
const LOGIN_WINDOW_MS = 15 * 60_000;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describeEachEngine('security baseline', (engine) => {
  let t: TestApp;
  let clock: TestClock;
  let acme: SeededOrg;
  let admin: SignedIn;
  let user: SignedIn;

  beforeEach(async () => {
    clock = new TestClock();
    t = await createTestApp(engine, { clock });
    acme = await seedOrg(t.app);
    admin = await signIn(t.app, acme.admin.username);
    user = await signIn(t.app, acme.user.username);
  });
  afterEach(() => t.close());

  const inject = (options: InjectOptions) => t.app.inject(options);
  const isAlive = async (who: SignedIn) => (await as(t.app, who).get('/api/me')).statusCode === 200;
  const login = (
    username: string,
    password: string,
    ip = '127.0.0.1',
    headers: Record<string, string> = {},
  ) =>
    inject({
      method: 'POST',
      url: '/api/auth/login',
      remoteAddress: ip,
      headers,
      payload: { username, password },
    });
  const countRows = async (table: 'sessions' | 'activities') => {
    const row = await t.database.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };
  const expectError = (response: LightMyRequestResponse, status: number, code: string) => {
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json().error.code).toBe(code);
  };

  describe('CSRF', () => {
    it.each([
      EVIL_ORIGIN,
      'null',
      'http://localhost:8080',
      'https://localhost:80',
      'http://localhost:80.evil.example',
    ])('refuses a Logout of a session posted from Origin %s and ends nothing', async (origin) => {
      const response = await inject({
        method: 'POST',
        url: '/api/sessions/logout',
        headers: { cookie: admin.cookie, origin },
        payload: { sessionIds: [user.sessionId] },
      });
      expectError(response, 403, 'CSRF_FAILED');
      expect(await isAlive(user)).toBe(true);
    });

    it('refuses a cross-site login: no cookie, no session, no activity', async () => {
      const sessionsBefore = await countRows('sessions');
      const activitiesBefore = await countRows('activities');
      const response = await login(acme.user.username, PASSWORD, '127.0.0.1', { origin: EVIL_ORIGIN });
      expectError(response, 403, 'CSRF_FAILED');
      expect(response.headers['set-cookie']).toBeUndefined();
      expect(await countRows('sessions')).toBe(sessionsBefore);
      expect(await countRows('activities')).toBe(activitiesBefore);
    });

    it('refuses a cross-site POST /api/auth/logout, and the session stays', async () => {
      const response = await inject({
        method: 'POST',
        url: '/api/auth/logout',
        headers: { cookie: user.cookie, origin: EVIL_ORIGIN },
      });
      expectError(response, 403, 'CSRF_FAILED');
      expect(response.headers['set-cookie']).toBeUndefined();
      expect(await isAlive(user)).toBe(true);
    });

    it('refuses a cross-site DELETE of a session', async () => {
      const response = await inject({
        method: 'DELETE',
        url: `/api/sessions/${user.sessionId}`,
        headers: { cookie: admin.cookie, origin: EVIL_ORIGIN },
      });
      expectError(response, 403, 'CSRF_FAILED');
      expect(await isAlive(user)).toBe(true);
    });

    it("accepts state changes from the app's own origin", async () => {
      const logout = await inject({
        method: 'POST',
        url: '/api/sessions/logout',
        headers: { cookie: admin.cookie, origin: OWN_ORIGIN },
        payload: { sessionIds: [user.sessionId] },
      });
      expect(logout.statusCode).toBe(200);
      expect(logout.json()).toEqual({ terminated: 1 });
      expect(await isAlive(user)).toBe(false);
      const relogin = await login(acme.user.username, PASSWORD, '127.0.0.1', { origin: OWN_ORIGIN });
      expect(relogin.statusCode).toBe(200);
    });

    it('compares the Origin with the Host the request was sent to', async () => {
      const headers = { cookie: user.cookie, host: 'vault.example.com' };
      const foreign = await inject({
        method: 'POST',
        url: '/api/auth/logout',
        headers: { ...headers, origin: OWN_ORIGIN },
      });
      expectError(foreign, 403, 'CSRF_FAILED');
      const own = await inject({
        method: 'POST',
        url: '/api/auth/logout',
        headers: { ...headers, origin: 'http://vault.example.com' },
      });
      expect(own.statusCode).toBe(204);
      expect(await isAlive(user)).toBe(false);
    });

    it.each(['cross-site', 'same-site'])(
      'refuses Sec-Fetch-Site: %s when the browser sent no Origin',
      async (site) => {
        const response = await inject({
          method: 'POST',
          url: '/api/sessions/logout',
          headers: { cookie: admin.cookie, 'sec-fetch-site': site },
          payload: { sessionIds: [user.sessionId] },
        });
        expectError(response, 403, 'CSRF_FAILED');
        expect(await isAlive(user)).toBe(true);
      },
    );

    it.each(['same-origin', 'none'])('accepts Sec-Fetch-Site: %s', async (site) => {
      const response = await inject({
        method: 'POST',
        url: '/api/auth/logout',
        headers: { cookie: user.cookie, 'sec-fetch-site': site },
      });
      expect(response.statusCode).toBe(204);
    });

    it.each<[string, (sessionId: string) => string]>([
      ['text/plain', (id) => JSON.stringify({ sessionIds: [id] })],
      ['application/x-www-form-urlencoded', (id) => `sessionIds=${id}`],
      [
        'multipart/form-data; boundary=b',
        (id) => `--b\r\nContent-Disposition: form-data; name="sessionIds"\r\n\r\n${id}\r\n--b--\r\n`,
      ],
    ])('refuses a %s body, which a cross-site HTML form can send, with 415', async (contentType, body) => {
      // Old browsers send neither Origin nor Sec-Fetch-Site; the body type alone must stop the form.
      const response = await inject({
        method: 'POST',
        url: '/api/sessions/logout',
        headers: { cookie: admin.cookie, 'content-type': contentType },
        payload: body(user.sessionId),
      });
      expectError(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
      expect(await isAlive(user)).toBe(true);
    });

    it('refuses a text/plain login form', async () => {
      const response = await inject({
        method: 'POST',
        url: '/api/auth/login',
        headers: { 'content-type': 'text/plain' },
        payload: JSON.stringify({ username: acme.user.username, password: PASSWORD }),
      });
      expectError(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
      expect(response.headers['set-cookie']).toBeUndefined();
    });
  });

  describe('NUL characters (PostgreSQL cannot store them)', () => {
    it('answers 400 naming the field, on both engines, and writes nothing', async () => {
      const before = await countRows('activities');
      const search = await as(t.app, admin).get('/api/activities?q=a%00b');
      expectError(search, 400, 'INVALID_INPUT');
      expect(search.json().error.message).toContain('query.q');
      const exported = await as(t.app, admin).get('/api/activities/export?username=x%00');
      expectError(exported, 400, 'INVALID_INPUT');
      const ingest = await as(t.app, admin).post('/api/activities', {
        events: [
          { activity: 'backup', username: acme.user.username },
          { activity: 'backup', username: acme.user.username, target: 'a\u0000b' },
        ],
      });
      expectError(ingest, 400, 'INVALID_INPUT');
      expect(ingest.json().error.message).toContain('body.events.1.target');
      expectError(await login('nul\u0000user', 'whatever password'), 400, 'INVALID_INPUT');
      expect(await countRows('activities')).toBe(before);
    });
  });

  describe('login rate limit', () => {
    it('locks a username after 10 failures from varying IPs, even for the right password, with Retry-After', async () => {
      for (let i = 1; i <= 10; i++) {
        const response = await login(acme.user.username, 'wrong password number x', `203.0.113.${i}`);
        expect(response.statusCode).toBe(401);
      }
      const eleventh = await login(acme.user.username, PASSWORD, '198.51.100.77');
      expectError(eleventh, 429, 'RATE_LIMITED');
      const retryAfter = Number(eleventh.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(LOGIN_WINDOW_MS / 1000);
      expect(eleventh.headers['set-cookie']).toBeUndefined();
      // Other users are not affected, and the lock lifts when the window has passed.
      expect((await login(acme.admin.username, PASSWORD, '198.51.100.77')).statusCode).toBe(200);
      clock.advance(retryAfter * 1000);
      expect((await login(acme.user.username, PASSWORD, '198.51.100.77')).statusCode).toBe(200);
    });

    it('counts usernames case-insensitively', async () => {
      for (let i = 1; i <= 10; i++) {
        const spelled = i % 2 === 0 ? acme.user.username.toUpperCase() : acme.user.username;
        await login(spelled, 'wrong password number x', `203.0.113.${i}`);
      }
      expectError(await login(acme.user.username, PASSWORD, '198.51.100.7'), 429, 'RATE_LIMITED');
    });

    it('limits one IP after 30 failures across many usernames, and only that IP', async () => {
      const attacker = '203.0.113.66';
      for (let i = 1; i <= 30; i++) {
        expect((await login(`nobody-${i}`, 'guessed password x', attacker)).statusCode).toBe(401);
      }
      const blocked = await login(acme.user.username, PASSWORD, attacker);
      expectError(blocked, 429, 'RATE_LIMITED');
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
      expect((await login(acme.user.username, PASSWORD, '203.0.113.67')).statusCode).toBe(200);
    });

    it('never limits a user who logs in correctly 25 times from many IPs and devices', async () => {
      const agents = [
        'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
        'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
        'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0',
      ];
      for (let i = 1; i <= 25; i++) {
        const response = await login(acme.user.username, PASSWORD, `198.51.100.${i}`, {
          'user-agent': agents[i % agents.length] as string,
        });
        expect(response.statusCode).toBe(200);
      }
    });

    it('never limits an office of 35 correct logins behind one address', async () => {
      for (let i = 1; i <= 35; i++) {
        const who = i % 2 === 0 ? acme.user.username : acme.admin.username;
        expect((await login(who, PASSWORD, '198.51.100.200')).statusCode).toBe(200);
      }
    });
  });

  describe('login answers never tell whether a username exists', () => {
    it('answers an unknown username and a wrong password byte for byte alike', async () => {
      const unknown = await login('no-such-user', 'some wrong password');
      const wrong = await login(acme.user.username, 'some wrong password');
      expect(wrong.statusCode).toBe(401);
      expect(wrong.json().error.code).toBe('INVALID_CREDENTIALS');
      expect(comparableAnswer(unknown)).toEqual(comparableAnswer(wrong));
    });

    it("answers a disabled user's right password like a wrong one", async () => {
      const disable = await as(t.app, admin).patch(`/api/users/${acme.user.id}`, { disabled: true });
      expect(disable.statusCode).toBe(200);
      const disabled = await login(acme.user.username, PASSWORD);
      const unknown = await login('no-such-user', PASSWORD);
      expect(disabled.statusCode).toBe(401);
      expect(comparableAnswer(disabled)).toEqual(comparableAnswer(unknown));
    });
  });

  describe('response headers', () => {
    const expectHardened = (response: LightMyRequestResponse) => {
      const csp = String(response.headers['content-security-policy']);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("default-src 'self'");
      expect(response.headers['x-frame-options']).toBe('DENY');
      expect(response.headers['x-content-type-options']).toBe('nosniff');
    };

    it('hardens the web page', async () => {
      const response = await inject({ method: 'GET', url: '/' });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      expectHardened(response);
    });

    it('hardens API responses, successful or not', async () => {
      expectHardened(await as(t.app, user).get('/api/me'));
      expectHardened(await inject({ method: 'GET', url: '/api/me' }));
    });
  });

  describe('session cookie', () => {
    const sessionCookie = (response: LightMyRequestResponse, name = 'vault_session') => {
      const cookie = response.cookies.find((c) => c.name === name);
      if (!cookie) throw new Error(`no session cookie: ${response.statusCode} ${response.body}`);
      return cookie;
    };

    it('is HttpOnly, SameSite=Lax, Path=/ and not Secure over plain HTTP', async () => {
      const cookie = sessionCookie(await login(acme.user.username, PASSWORD));
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
      expect(cookie.secure).toBeFalsy();
      expect(cookie.domain).toBeUndefined();
    });

    it('is cleared on logout', async () => {
      const response = await as(t.app, user).post('/api/auth/logout');
      expect(response.statusCode).toBe(204);
      const cookie = sessionCookie(response);
      expect(cookie.value).toBe('');
      expect(cookie.maxAge).toBe(0);
    });

    it('is Secure with COOKIE_SECURE=true', async () => {
      const secure = await createTestApp(engine, { env: { COOKIE_SECURE: 'true' } });
      try {
        const org = await seedOrg(secure.app);
        const { response } = await signIn(secure.app, org.user.username);
        expect(sessionCookie(response, '__Host-vault_session')).toMatchObject({
          secure: true,
          httpOnly: true,
          sameSite: 'Lax',
        });
      } finally {
        await secure.close();
      }
    });

    it('is Secure when a trusted proxy says the request came over HTTPS, and only then', async () => {
      const proxied = await createTestApp(engine, { env: { TRUST_PROXY: 'loopback' } });
      try {
        const org = await seedOrg(proxied.app);
        const https = await signIn(proxied.app, org.user.username, {
          headers: { 'x-forwarded-proto': 'https' },
        });
        expect(sessionCookie(https.response, '__Host-vault_session').secure).toBe(true);
        const plain = await signIn(proxied.app, org.user.username);
        expect(sessionCookie(plain.response).secure).toBeFalsy();
      } finally {
        await proxied.close();
      }
      // Without a trusted proxy the header is anybody's word, and is ignored.
      const spoofed = await login(acme.user.username, PASSWORD, '127.0.0.1', {
        'x-forwarded-proto': 'https',
      });
      expect(sessionCookie(spoofed).secure).toBeFalsy();
    });
  });

  describe('bad input', () => {
    it('answers a JSON body over 2 MiB with 413 PAYLOAD_TOO_LARGE', async () => {
      const response = await inject({
        method: 'POST',
        url: '/api/auth/login',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ username: 'someone', password: 'x'.repeat(2 * 1024 * 1024 + 1) }),
      });
      expectError(response, 413, 'PAYLOAD_TOO_LARGE');
    });

    it('answers malformed JSON with 400 INVALID_INPUT', async () => {
      const response = await inject({
        method: 'POST',
        url: '/api/auth/login',
        headers: { 'content-type': 'application/json' },
        payload: '{"username": "a", "password": ',
      });
      expectError(response, 400, 'INVALID_INPUT');
    });

    it('refuses a JSON body that tries to set __proto__', async () => {
      const response = await inject({
        method: 'POST',
        url: '/api/auth/login',
        headers: { 'content-type': 'application/json' },
        payload: '{"__proto__": {"role": "admin"}, "username": "a", "password": "b"}',
      });
      expectError(response, 400, 'INVALID_INPUT');
    });

    it.each([
      ['username', { password: PASSWORD }],
      ['password', { username: 'someone' }],
    ])('names the missing field %s', async (field, payload) => {
      const response = await inject({ method: 'POST', url: '/api/auth/login', payload });
      expectError(response, 400, 'INVALID_INPUT');
      expect(response.json().error.message).toContain(`body.${field}`);
    });

    it('names a field the body may not carry', async () => {
      const response = await inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: 'someone', password: PASSWORD, role: 'admin' },
      });
      expectError(response, 400, 'INVALID_INPUT');
      expect(response.json().error.message).toContain('body.role');
    });

    it('answers an unknown route with a JSON 404', async () => {
      expectError(await inject({ method: 'GET', url: '/no/such/page' }), 404, 'NOT_FOUND');
      expectError(await as(t.app, user).get('/api/no-such-route'), 404, 'NOT_FOUND');
    });

    it.each(['garbage', 'x'.repeat(4000), '%E0%A4%A', 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'])(
      'answers a garbage session cookie (%#) with 401 NOT_AUTHENTICATED',
      async (value) => {
        const response = await inject({
          method: 'GET',
          url: '/api/me',
          headers: { cookie: `vault_session=${value}` },
        });
        expectError(response, 401, 'NOT_AUTHENTICATED');
      },
    );

    it('never answers with a stack trace or a 500', async () => {
      const responses = await Promise.all([
        inject({
          method: 'POST',
          url: '/api/auth/login',
          headers: { 'content-type': 'application/json' },
          payload: '{',
        }),
        inject({
          method: 'POST',
          url: '/api/auth/login',
          headers: { 'content-type': 'application/json' },
          payload: '',
        }),
        inject({ method: 'POST', url: '/api/auth/login', payload: { username: [], password: {} } }),
        inject({
          method: 'POST',
          url: '/api/auth/login',
          payload: { username: 'a'.repeat(1000), password: 'b' },
        }),
        inject({
          method: 'POST',
          url: '/api/auth/login',
          headers: { 'content-type': 'application/json' },
          payload: 'x'.repeat(3 * 1024 * 1024),
        }),
        inject({
          method: 'POST',
          url: '/api/auth/login',
          headers: { 'content-type': 'text/plain' },
          payload: 'x',
        }),
        inject({ method: 'GET', url: '/api/me', headers: { cookie: 'vault_session=%%%' } }),
        inject({ method: 'GET', url: '/api/me', headers: { cookie: 'vault_session' } }),
        inject({ method: 'PUT', url: '/api/auth/login', payload: {} }),
        inject({ method: 'GET', url: '/../../etc/passwd' }),
        as(t.app, admin).delete('/api/sessions/not-a-uuid'),
        as(t.app, admin).get('/api/sessions?userId=1%27%20or%201=1--'),
        as(t.app, admin).get('/api/sessions?unexpected=1'),
        as(t.app, admin).post('/api/sessions/logout', { sessionIds: 'all' }),
        as(t.app, admin).patch('/api/users/not-a-uuid', { disabled: 'maybe' }),
        as(t.app, admin).post('/api/users', { username: '../../x', password: PASSWORD, role: 'root' }),
      ]);
      for (const response of responses) {
        expect(response.statusCode).toBeGreaterThanOrEqual(400);
        expect(response.statusCode).toBeLessThan(500);
        expect(response.body).not.toMatch(/at .*\.[cm]?[jt]s:\d+/);
        expect(response.body).not.toMatch(/node_modules|\/work\/|\bstack\b/i);
        expect(response.json().error.code).toEqual(expect.any(String));
      }
    });
  });

  describe('session tokens', () => {
    it('stores only the SHA-256 of the cookie token', async () => {
      expect(user.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const rows = await t.database.db.selectFrom('sessions').selectAll().execute();
      const dump = JSON.stringify(rows);
      for (const who of [admin, user]) {
        expect(dump).not.toContain(who.token);
        const row = rows.find((r) => r.id === who.sessionId);
        expect(row?.tokenHash).toBe(sha256(who.token));
      }
      const activities = JSON.stringify(await t.database.db.selectFrom('activities').selectAll().execute());
      expect(activities).not.toContain(user.token);
    });

    it('does not accept a token hash from a leaked database as a cookie', async () => {
      const response = await inject({
        method: 'GET',
        url: '/api/me',
        headers: { cookie: `vault_session=${sha256(user.token)}` },
      });
      expectError(response, 401, 'NOT_AUTHENTICATED');
    });

    it('opens a new session with a new token at a login that presents an existing session cookie', async () => {
      const response = await login(acme.user.username, PASSWORD, '127.0.0.1', { cookie: user.cookie });
      expect(response.statusCode).toBe(200);
      const fresh = response.cookies.find((c) => c.name === 'vault_session')?.value as string;
      const freshId = response.json().session.id;
      expect(fresh).not.toBe(user.token);
      expect(freshId).not.toBe(user.sessionId);
      // Each cookie stays bound to its own session; the old one was not upgraded nor taken over.
      const mine = await as(t.app, user).get('/api/me');
      expect(mine.json().session.id).toBe(user.sessionId);
      const theirs = await inject({
        method: 'GET',
        url: '/api/me',
        headers: { cookie: `vault_session=${fresh}` },
      });
      expect(theirs.json().session.id).toBe(freshId);
    });

    it('never adopts a token planted in the cookie before login (session fixation)', async () => {
      const planted = 'attacker-chosen-token-AAAAAAAAAAAAAAAAAAAAAAAA';
      const response = await login(acme.user.username, PASSWORD, '127.0.0.1', {
        cookie: `vault_session=${planted}`,
      });
      expect(response.statusCode).toBe(200);
      expect(response.cookies.find((c) => c.name === 'vault_session')?.value).not.toBe(planted);
      const replay = await inject({
        method: 'GET',
        url: '/api/me',
        headers: { cookie: `vault_session=${planted}` },
      });
      expectError(replay, 401, 'NOT_AUTHENTICATED');
    });
  });
});
