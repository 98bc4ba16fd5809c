import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeEachEngine } from './helpers/engines.js';
import { as, PASSWORD, type SeededOrg, type SignedIn, seedOrg, signIn } from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

/** What app.inject's default Host header (`localhost:80`) makes the app's own origin. */
const OWN_ORIGIN = 'http://localhost:80';

interface ChainReport {
  ok: boolean;
  firstBroken?: { seq: number; id: number | null; problem: string };
}

describeEachEngine('ill-formed strings never reach the database', (engine) => {
  let t: TestApp;
  let acme: SeededOrg;
  let admin: SignedIn;
  let key: string;

  beforeEach(async () => {
    t = await createTestApp(engine);
    acme = await seedOrg(t.app);
    admin = await signIn(t.app, acme.admin.username);
    key = (await as(t.app, admin).post('/api/api-keys', { name: 'vault jobs' })).json().key;
  });
  afterEach(() => t.close());

  /** JSON text as a client sends it: `\ud800` is a valid JSON escape for an unpaired surrogate. */
  const post = (url: string, json: string, headers: Record<string, string>) =>
    t.app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json', ...headers },
      payload: json,
    });
  const asAdmin = () => ({ cookie: admin.cookie, origin: OWN_ORIGIN });
  const ingestJson = (details: string) =>
    `{"events":[{"activity":"backup","username":"${acme.user.username}","details":${details}}]}`;
  const verify = async (): Promise<ChainReport> => {
    const response = await as(t.app, admin).get('/api/activities/verify');
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  };
  const expectInvalid = (response: LightMyRequestResponse, message: string) => {
    expect(response.statusCode, response.body).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json()).toEqual({
      error: { code: 'INVALID_INPUT', message, requestId: expect.any(String) },
    });
  };
  /** A database attacker switches off the append-only triggers and edits the newest event. */
  const tamperNewestEvent = async () => {
    const db = t.database.db;
    if (engine === 'sqlite') {
      await sql.raw('drop trigger activities_no_update').execute(db);
    } else {
      await sql.raw('alter table activities disable trigger activities_append_only').execute(db);
    }
    const newest = await db
      .selectFrom('activities')
      .select('id')
      .where('orgId', '=', acme.orgId)
      .where('activity', '=', 'backup')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    await db.updateTable('activities').set({ details: 'forged' }).where('id', '=', newest.id).execute();
    return newest.id;
  };

  describe('an unpaired surrogate is refused with 400 naming the field, and the chain stays verifiable', () => {
    it.each([
      ['an API key', () => ({ authorization: `Bearer ${key}` })],
      ['an admin', asAdmin],
    ])('in an event ingested with %s', async (_who, headers) => {
      const refused = await post('/api/activities', ingestJson('"before \\ud800 after"'), headers());
      // The chain first: had the event been stored, the database would hold U+FFFD where the hash
      // covered the surrogate, and verify would report "altered" from then on.
      expect(await verify()).toEqual({ ok: true, checked: expect.any(Number), checkpoints: 0 });
      expectInvalid(refused, 'body.events.0.details contains an unpaired surrogate');

      // A well-formed event after it, then a real tampering: still caught, at that row.
      const accepted = await post('/api/activities', ingestJson('"fine \\ud83d\\ude00"'), headers());
      expect(accepted.statusCode, accepted.body).toBe(201);
      expect(await verify()).toMatchObject({ ok: true });
      const id = await tamperNewestEvent();
      expect((await verify()).firstBroken).toMatchObject({ id, problem: 'altered' });
    });

    it('in the name of a new API key', async () => {
      const refused = await post('/api/api-keys', '{"name":"jobs \\udc00"}', asAdmin());
      // The key's name is in its api_key.created activity: stored, it would break the chain.
      expect(await verify()).toEqual({ ok: true, checked: expect.any(Number), checkpoints: 0 });
      expectInvalid(refused, 'body.name contains an unpaired surrogate');
    });

    it('in a login, before any password check', async () => {
      const refused = await post(
        '/api/auth/login',
        `{"username":"${acme.user.username}","password":"${PASSWORD}\\ud800"}`,
        {},
      );
      expectInvalid(refused, 'body.password contains an unpaired surrogate');
    });

    it('in an object key', async () => {
      const refused = await post('/api/auth/login', '{"username":"a","password":"b","\\ud800":1}', {});
      expectInvalid(refused, 'body has a key that contains an unpaired surrogate');
    });

    it('in a header value', async () => {
      const response = await t.app.inject({
        method: 'GET',
        url: '/api/me',
        headers: { cookie: admin.cookie, 'user-agent': 'Mozilla/5.0 \ud800' },
      });
      expectInvalid(response, 'headers.user-agent contains an unpaired surrogate');
    });

    it('but a well-formed pair (an emoji) is accepted and verifies', async () => {
      const accepted = await post('/api/activities', ingestJson('"backup done \\ud83d\\udcbe"'), {
        authorization: `Bearer ${key}`,
      });
      expect(accepted.statusCode, accepted.body).toBe(201);
      expect(await verify()).toMatchObject({ ok: true });
    });
  });

  describe('NUL characters are still refused everywhere', () => {
    it.each([
      ['a query', () => as(t.app, admin).get('/api/activities?q=a%00b'), 'query.q contains a NUL character'],
      [
        'a body',
        () => post('/api/api-keys', '{"name":"a\\u0000b"}', asAdmin()),
        'body.name contains a NUL character',
      ],
      [
        'a header',
        () =>
          t.app.inject({
            method: 'GET',
            url: '/api/me',
            headers: { cookie: admin.cookie, 'user-agent': 'a\u0000' },
          }),
        'headers.user-agent contains a NUL character',
      ],
    ])('in %s', async (_where, send, message) => {
      expectInvalid(await send(), message);
    });
  });
});
