import { createHash } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TestClock } from './helpers/clock.js';
import { comparableAnswer } from './helpers/comparable-answer.js';
import { describeEachEngine } from './helpers/engines.js';
import { as, type SeededOrg, type SignedIn, seedOrg, signIn } from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

describeEachEngine('org API keys', (engine) => {
  let t: TestApp;
  let acme: SeededOrg;
  let other: SeededOrg;
  let admin: SignedIn;
  let user: SignedIn;
  let outsider: SignedIn;
  let clock: TestClock;

  beforeEach(async () => {
    clock = new TestClock();
    t = await createTestApp(engine, { clock });
    acme = await seedOrg(t.app);
    other = await seedOrg(t.app);
    admin = await signIn(t.app, acme.admin.username);
    user = await signIn(t.app, acme.user.username);
    outsider = await signIn(t.app, other.admin.username);
  });
  afterEach(() => t.close());

  const createKey = async (who: SignedIn, name = 'backup service') => {
    const response = await as(t.app, who).post('/api/api-keys', { name });
    expect(response.statusCode).toBe(201);
    return response.json() as { id: string; name: string; prefix: string; key: string };
  };
  const ingestWith = (key: string, username = acme.user.username) =>
    t.app.inject({
      method: 'POST',
      url: '/api/activities',
      headers: { authorization: `Bearer ${key}` },
      payload: { events: [{ activity: 'backup', username, target: 'mailbox' }] },
    });
  const expectError = (response: LightMyRequestResponse, status: number, code: string) => {
    expect(response.statusCode).toBe(status);
    expect(response.json().error.code).toBe(code);
  };

  describe('POST /api/api-keys', () => {
    it('creates a key with 201 and shows it once, with the vsk_ prefix', async () => {
      const created = await createKey(admin);
      expect(created).toMatchObject({ id: expect.any(String), name: 'backup service' });
      expect(created.key).toMatch(/^vsk_[A-Za-z0-9_-]{40,}$/);
      expect(created.key.startsWith(created.prefix)).toBe(true);
      expect(created.prefix.length).toBeLessThan(created.key.length / 2);
    });

    it('gives every key a different secret', async () => {
      const one = await createKey(admin, 'one');
      const two = await createKey(admin, 'two');
      expect(one.key).not.toBe(two.key);
      expect(one.id).not.toBe(two.id);
    });

    it('lets the new key ingest into the admin’s org at once', async () => {
      const { key } = await createKey(admin);
      const response = await ingestWith(key);
      expect(response.statusCode).toBe(201);
      expect(response.json()).toEqual({ accepted: 1, duplicates: 0 });
      const rows = await t.database.db
        .selectFrom('activities')
        .select('orgId')
        .where('activity', '=', 'backup')
        .execute();
      expect(rows).toEqual([{ orgId: acme.orgId }]);
    });

    it('rejects a missing name with 400 naming the field', async () => {
      const response = await as(t.app, admin).post('/api/api-keys', {});
      expectError(response, 400, 'INVALID_INPUT');
      expect(response.json().error.message).toContain('name');
    });

    it('records api_key.created with the key’s prefix, never the key', async () => {
      const created = await createKey(admin);
      const rows = await t.database.db
        .selectFrom('activities')
        .selectAll()
        .where('orgId', '=', acme.orgId)
        .where('activity', '=', 'api_key.created')
        .execute();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ userId: acme.admin.id, sessionId: admin.sessionId });
      expect(rows[0]?.target).toContain(created.prefix);
      expect(JSON.stringify(rows)).not.toContain(created.key);
    });
  });

  describe('GET /api/api-keys', () => {
    it('lists the org’s keys, never the key itself nor its hash', async () => {
      const created = await createKey(admin);
      const response = await as(t.app, admin).get('/api/api-keys');
      expect(response.statusCode).toBe(200);
      const { apiKeys } = response.json();
      expect(apiKeys).toEqual([
        {
          id: created.id,
          name: 'backup service',
          prefix: created.prefix,
          scopes: ['activities:write'],
          createdAt: expect.any(String),
          lastUsedAt: null,
        },
      ]);
      expect(response.body).not.toContain(created.key);
      expect(response.body).not.toContain(sha256(created.key));
      expect(response.body).not.toContain(created.key.slice(created.prefix.length));
    });

    it('shows when a key was last used', async () => {
      const created = await createKey(admin);
      await ingestWith(created.key);
      const { apiKeys } = (await as(t.app, admin).get('/api/api-keys')).json();
      expect(apiKeys[0].lastUsedAt).toEqual(expect.any(String));
    });

    it('writes the last use at most once a minute (a busy client does not write on every call), whichever way the clock moved', async () => {
      const created = await createKey(admin);
      const lastUsed = async () => (await as(t.app, admin).get('/api/api-keys')).json().apiKeys[0].lastUsedAt;
      const first = new Date(clock.now()).toISOString();
      expect((await ingestWith(created.key)).statusCode).toBe(201);
      clock.advance(59_000);
      expect((await ingestWith(created.key)).statusCode).toBe(201);
      expect(await lastUsed()).toBe(first);
      clock.advance(1_000);
      expect((await ingestWith(created.key)).statusCode).toBe(201);
      expect(await lastUsed()).toBe(new Date(clock.now()).toISOString());
      clock.advance(-3_600_000); // the clock set back an hour
      expect((await ingestWith(created.key)).statusCode).toBe(201);
      expect(await lastUsed()).toBe(new Date(clock.now()).toISOString());
    });

    it('does not list other orgs’ keys', async () => {
      await createKey(outsider, 'foreign');
      const mine = await createKey(admin, 'mine');
      const { apiKeys } = (await as(t.app, admin).get('/api/api-keys')).json();
      expect(apiKeys.map((k: { id: string }) => k.id)).toEqual([mine.id]);
    });
  });

  describe('DELETE /api/api-keys/:id', () => {
    it('revokes a key: it is refused with 401 at once, and leaves the list', async () => {
      const { id, key } = await createKey(admin);
      expect((await ingestWith(key)).statusCode).toBe(201);
      const revoked = await as(t.app, admin).delete(`/api/api-keys/${id}`);
      expect(revoked.statusCode).toBe(204);
      expectError(await ingestWith(key), 401, 'NOT_AUTHENTICATED');
      expect((await as(t.app, admin).get('/api/api-keys')).json().apiKeys).toEqual([]);
    });

    it('keeps the other keys of the org working', async () => {
      const doomed = await createKey(admin, 'doomed');
      const kept = await createKey(admin, 'kept');
      await as(t.app, admin).delete(`/api/api-keys/${doomed.id}`);
      expect((await ingestWith(kept.key)).statusCode).toBe(201);
    });

    it('answers 404 for a key already revoked', async () => {
      const { id } = await createKey(admin);
      await as(t.app, admin).delete(`/api/api-keys/${id}`);
      expectError(await as(t.app, admin).delete(`/api/api-keys/${id}`), 404, 'NOT_FOUND');
    });

    it('answers another org’s key id exactly like one that does not exist, and revokes nothing', async () => {
      const foreign = await createKey(outsider);
      const response = await as(t.app, admin).delete(`/api/api-keys/${foreign.id}`);
      const missing = await as(t.app, admin).delete(`/api/api-keys/${UNKNOWN_ID}`);
      expectError(response, 404, 'NOT_FOUND');
      expect(comparableAnswer(response)).toEqual(comparableAnswer(missing));
      expect((await ingestWith(foreign.key, other.user.username)).statusCode).toBe(201);
    });

    it('records api_key.revoked', async () => {
      const { id } = await createKey(admin);
      await as(t.app, admin).delete(`/api/api-keys/${id}`);
      const rows = await t.database.db
        .selectFrom('activities')
        .select(['userId', 'target'])
        .where('orgId', '=', acme.orgId)
        .where('activity', '=', 'api_key.revoked')
        .execute();
      expect(rows).toEqual([{ userId: acme.admin.id, target: id }]);
    });
  });

  describe('who may manage keys', () => {
    it('forbids an ordinary user to create, list or revoke keys (403) and changes nothing', async () => {
      const existing = await createKey(admin);
      expectError(await as(t.app, user).post('/api/api-keys', { name: 'mine' }), 403, 'FORBIDDEN');
      expectError(await as(t.app, user).get('/api/api-keys'), 403, 'FORBIDDEN');
      expectError(await as(t.app, user).delete(`/api/api-keys/${existing.id}`), 403, 'FORBIDDEN');
      const { apiKeys } = (await as(t.app, admin).get('/api/api-keys')).json();
      expect(apiKeys.map((k: { id: string }) => k.id)).toEqual([existing.id]);
      expect((await ingestWith(existing.key)).statusCode).toBe(201);
    });

    it('needs a session (401) for all three', async () => {
      const existing = await createKey(admin);
      const anonymous = [
        await t.app.inject({ method: 'POST', url: '/api/api-keys', payload: { name: 'x' } }),
        await t.app.inject({ method: 'GET', url: '/api/api-keys' }),
        await t.app.inject({ method: 'DELETE', url: `/api/api-keys/${existing.id}` }),
      ];
      for (const response of anonymous) expectError(response, 401, 'NOT_AUTHENTICATED');
    });

    it('does not let an API key manage API keys', async () => {
      const { id, key } = await createKey(admin);
      const bearer = { authorization: `Bearer ${key}` };
      const responses = [
        await t.app.inject({ method: 'POST', url: '/api/api-keys', headers: bearer, payload: { name: 'x' } }),
        await t.app.inject({ method: 'GET', url: '/api/api-keys', headers: bearer }),
        await t.app.inject({ method: 'DELETE', url: `/api/api-keys/${id}`, headers: bearer }),
      ];
      for (const response of responses) expect(response.statusCode).toBe(401);
      expect((await ingestWith(key)).statusCode).toBe(201);
    });
  });

  describe('what a key can do', () => {
    it('works only where a route takes keys: elsewhere a Bearer key is 401, on the log’s reads an ingest key is 403', async () => {
      const { key } = await createKey(admin);
      const bearer = { authorization: `Bearer ${key}` };
      for (const url of ['/api/sessions', '/api/me', '/api/users']) {
        const response = await t.app.inject({ method: 'GET', url, headers: bearer });
        expect(response.statusCode, url).toBe(401);
      }
      // These take a key with activities:read (test/api-key-read-scope.test.ts); this one has write only.
      for (const url of ['/api/activities', '/api/activity-types']) {
        const response = await t.app.inject({ method: 'GET', url, headers: bearer });
        expect(response.statusCode, url).toBe(403);
        expect(response.json().error.code, url).toBe('INSUFFICIENT_SCOPE');
      }
      const logout = await t.app.inject({
        method: 'POST',
        url: '/api/sessions/logout',
        headers: bearer,
        payload: { sessionIds: [user.sessionId] },
      });
      expect(logout.statusCode).toBe(401);
      expect((await as(t.app, user).get('/api/me')).statusCode).toBe(200);
    });

    it('refuses unknown, malformed and look-alike keys with 401 and writes nothing', async () => {
      const { key } = await createKey(admin);
      const before = await t.database.db
        .selectFrom('activities')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      const forged = `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`;
      for (const candidate of [forged, 'vsk_', 'garbage', sha256(key), key.slice(4)]) {
        expectError(await ingestWith(candidate), 401, 'NOT_AUTHENTICATED');
      }
      const after = await t.database.db
        .selectFrom('activities')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(after.n)).toBe(Number(before.n));
    });

    it('stores keys only hashed: no row of any table contains a key', async () => {
      const keys = [await createKey(admin, 'a'), await createKey(outsider, 'b')];
      await ingestWith(keys[0]?.key as string);
      const tables = ['apiKeys', 'activities', 'settings', 'sessions', 'users', 'orgs'] as const;
      const dump = JSON.stringify(
        await Promise.all(tables.map((table) => t.database.db.selectFrom(table).selectAll().execute())),
      );
      for (const { key } of keys) {
        expect(dump).not.toContain(key);
        expect(dump).not.toContain(key.slice(10));
      }
      const stored = await t.database.db.selectFrom('apiKeys').select(['id', 'keyHash']).execute();
      expect(stored.map((r) => r.keyHash).sort()).toEqual(keys.map((k) => sha256(k.key)).sort());
    });
  });
});
