import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiKeyScope } from '../src/contracts/api-keys.js';
import { TestClock } from './helpers/clock.js';
import { comparableAnswer } from './helpers/comparable-answer.js';
import { describeEachEngine } from './helpers/engines.js';
import { as, type SeededOrg, type SignedIn, seedOrg, signIn } from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const MINUTE = 60_000;
const INACTIVE = '{"active":false}';

describeEachEngine('POST /api/sessions/introspect', (engine) => {
  let t: TestApp;
  let clock: TestClock;
  let acme: SeededOrg;
  let other: SeededOrg;
  let admin: SignedIn;
  let victim: SignedIn;
  let gatewayKey: string;

  beforeEach(async () => {
    clock = new TestClock();
    t = await createTestApp(engine, { clock });
    acme = await seedOrg(t.app);
    other = await seedOrg(t.app);
    admin = await signIn(t.app, acme.admin.username);
    victim = await signIn(t.app, acme.user.username);
    gatewayKey = await createKey(admin, ['sessions:introspect']);
  });
  afterEach(() => t.close());

  async function createKey(who: SignedIn, scopes?: ApiKeyScope[]): Promise<string> {
    const response = await as(t.app, who).post('/api/api-keys', {
      name: 'gateway',
      ...(scopes ? { scopes } : {}),
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json().key;
  }

  const introspect = (sessionToken: unknown, key = gatewayKey, headers: Record<string, string> = {}) =>
    t.app.inject({
      method: 'POST',
      url: '/api/sessions/introspect',
      headers: { authorization: `Bearer ${key}`, ...headers },
      payload: { sessionToken },
    });

  const expectInactive = (response: LightMyRequestResponse) => {
    expect(response.statusCode, response.body).toBe(200);
    expect(response.body).toBe(INACTIVE);
  };
  const expectError = (response: LightMyRequestResponse, status: number, code: string) => {
    expect(response.statusCode, response.body).toBe(status);
    expect(response.json().error.code).toBe(code);
  };
  const storedLastAccess = async (sessionId: string) =>
    Number(
      (
        await t.database.db
          .selectFrom('sessions')
          .select('lastAccessAt')
          .where('id', '=', sessionId)
          .executeTakeFirstOrThrow()
      ).lastAccessAt,
    );

  describe('a live session', () => {
    it('answers active with the session’s user and the session as /api/me shows them, not the caller’s own', async () => {
      const me = (await as(t.app, victim).get('/api/me')).json();
      const response = await introspect(victim.token);
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toEqual({
        active: true,
        user: me.user,
        session: { ...me.session, current: false },
      });
      expect(response.json().user).toMatchObject({
        id: acme.user.id,
        username: acme.user.username,
        role: 'user',
      });
      expect(response.json().session.id).toBe(victim.sessionId);
    });

    it('takes the key even with a session cookie and a foreign Origin (no cookie is read, so no CSRF to refuse)', async () => {
      const response = await introspect(victim.token, gatewayKey, {
        cookie: admin.cookie,
        origin: 'https://evil.test',
      });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toMatchObject({ active: true, user: { id: acme.user.id } });
    });
  });

  describe('answers exactly {active:false}', () => {
    it('after the user’s own Logout (POST /api/auth/logout)', async () => {
      expect((await introspect(victim.token)).json().active).toBe(true);
      expect((await as(t.app, victim).post('/api/auth/logout')).statusCode).toBe(204);
      expectInactive(await introspect(victim.token));
    });

    it('after an admin’s Logout of the session (POST /api/sessions/logout)', async () => {
      const logout = await as(t.app, admin).post('/api/sessions/logout', { sessionIds: [victim.sessionId] });
      expect(logout.json()).toEqual({ terminated: 1 });
      expectInactive(await introspect(victim.token));
    });

    it('once the session idled out or outlived its lifetime', async () => {
      clock.advance(30 * MINUTE);
      expectInactive(await introspect(victim.token));

      // Kept busy, it still ends after its 12 hours.
      const busy = await signIn(t.app, acme.user.username);
      for (let elapsed = 0; elapsed < 12 * 60 * MINUTE; elapsed += 25 * MINUTE) {
        expect((await introspect(busy.token)).json().active).toBe(true);
        expect((await as(t.app, busy).get('/api/me')).statusCode).toBe(200);
        clock.advance(25 * MINUTE);
      }
      expectInactive(await introspect(busy.token));
    });

    it('for a disabled user’s session', async () => {
      const disabled = await as(t.app, admin).patch(`/api/users/${acme.user.id}`, { disabled: true });
      expect(disabled.statusCode).toBe(200);
      expectInactive(await introspect(victim.token));
    });

    it('for unknown and malformed tokens, and for the session’s id', async () => {
      const flipped = `${victim.token.slice(0, -1)}${victim.token.endsWith('A') ? 'B' : 'A'}`;
      for (const token of [
        randomBytes(32).toString('base64url'),
        flipped,
        '',
        'x',
        ' ',
        '💾',
        victim.sessionId,
        `${victim.token} `,
      ]) {
        expectInactive(await introspect(token));
      }
    });

    it('for another org’s live session, exactly as for an unknown token', async () => {
      const foreign = await signIn(t.app, other.user.username);
      const answer = await introspect(foreign.token);
      expectInactive(answer);
      expect(comparableAnswer(answer)).toEqual(
        comparableAnswer(await introspect(randomBytes(32).toString('base64url'))),
      );
      // It is live: its own org's key sees it.
      const otherAdmin = await signIn(t.app, other.admin.username);
      const theirs = await introspect(foreign.token, await createKey(otherAdmin, ['sessions:introspect']));
      expect(theirs.json()).toMatchObject({ active: true, user: { id: other.user.id } });
    });
  });

  it('is not the user’s activity: last access stays where it was, and the session still idles out', async () => {
    const loggedInAt = clock.now();
    clock.advance(10 * MINUTE);
    for (let i = 0; i < 3; i++) {
      const answer = (await introspect(victim.token)).json();
      expect(answer.session.lastAccessAt).toBe(new Date(loggedInAt).toISOString());
    }
    await t.app.services.lastAccess.flush();
    expect(await storedLastAccess(victim.sessionId)).toBe(loggedInAt);
    const listed = (await as(t.app, admin).get('/api/sessions')).json().sessions;
    expect(listed.find((s: { id: string }) => s.id === victim.sessionId).lastAccessAt).toBe(
      new Date(loggedInAt).toISOString(),
    );

    clock.advance(20 * MINUTE); // 30 minutes after the login's last access: idle, whoever asked
    expectInactive(await introspect(victim.token));
  });

  it('leaves a request of the user itself counting (the flush writes it)', async () => {
    clock.advance(10 * MINUTE);
    expect((await as(t.app, victim).get('/api/me')).statusCode).toBe(200);
    await introspect(victim.token);
    await t.app.services.lastAccess.flush();
    expect(await storedLastAccess(victim.sessionId)).toBe(clock.now());
  });

  it('answers no introspection sent after the Logout’s response active, of 50 at once while it runs', async () => {
    const yieldTurns = async (turns: number) => {
      for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
    };
    let loggedOut = false;
    // A few turns in, so the first introspections are sent before it and the rest around it.
    const logout = yieldTurns(5)
      .then(() => as(t.app, admin).post('/api/sessions/logout', { sessionIds: [victim.sessionId] }))
      .then((response) => {
        loggedOut = true;
        return response;
      });
    const answers = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        // Spread over the event-loop turns around the Logout, so some go before it and some after.
        await yieldTurns(i);
        const sentAfterLogout = loggedOut;
        const response = await introspect(victim.token);
        expect(response.statusCode, response.body).toBe(200);
        return { sentAfterLogout, active: response.json().active as boolean };
      }),
    );
    expect((await logout).json()).toEqual({ terminated: 1 });
    expect(answers.filter((a) => a.sentAfterLogout && a.active)).toEqual([]);
    const after = await Promise.all(Array.from({ length: 50 }, () => introspect(victim.token)));
    for (const response of after) expectInactive(response);
  });

  describe('who may ask', () => {
    it('refuses a key without sessions:introspect with 403 naming the scope', async () => {
      const ingestOnly = await createKey(admin);
      const response = await introspect(victim.token, ingestOnly);
      expectError(response, 403, 'INSUFFICIENT_SCOPE');
      expect(response.json().error.message).toContain('sessions:introspect');
      expect(response.body).not.toContain(acme.user.username);
    });

    it('refuses a revoked key with 401', async () => {
      const listed = (await as(t.app, admin).get('/api/api-keys')).json().apiKeys;
      const id = listed.find((k: { scopes: string[] }) => k.scopes.includes('sessions:introspect')).id;
      expect((await as(t.app, admin).delete(`/api/api-keys/${id}`)).statusCode).toBe(204);
      expectError(await introspect(victim.token), 401, 'NOT_AUTHENTICATED');
    });

    it('refuses a session cookie, even an admin’s, and no credentials at all, with 401', async () => {
      const withCookie = await t.app.inject({
        method: 'POST',
        url: '/api/sessions/introspect',
        headers: { cookie: admin.cookie },
        payload: { sessionToken: victim.token },
      });
      expectError(withCookie, 401, 'NOT_AUTHENTICATED');
      const anonymous = await t.app.inject({
        method: 'POST',
        url: '/api/sessions/introspect',
        payload: { sessionToken: victim.token },
      });
      expectError(anonymous, 401, 'NOT_AUTHENTICATED');
      expectError(await introspect(victim.token, 'vsk_not-a-key'), 401, 'NOT_AUTHENTICATED');
    });

    it('answers a sessionToken that is missing, not a string or absurdly long with 400 naming the field', async () => {
      for (const payload of [
        {},
        { sessionToken: 42 },
        { sessionToken: null },
        { sessionToken: 'a'.repeat(10_000) },
      ]) {
        const response = await t.app.inject({
          method: 'POST',
          url: '/api/sessions/introspect',
          headers: { authorization: `Bearer ${gatewayKey}` },
          payload,
        });
        expectError(response, 400, 'INVALID_INPUT');
        expect(response.json().error.message).toContain('sessionToken');
      }
    });
  });

  it('is described in the OpenAPI document, for an API key', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    const operation = doc.paths['/api/sessions/introspect'].post;
    expect(operation.summary).toMatch(/session token live/);
    expect(operation.security).toEqual([{ apiKey: [] }]);
    expect(operation.requestBody.content['application/json'].schema.required).toEqual(['sessionToken']);
  });
});
