import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordActivities } from '../src/activity/chain/record.js';
import { TestClock } from './helpers/clock.js';
import { describeEachEngine } from './helpers/engines.js';
import { as, type SeededOrg, type SignedIn, seedOrg, signIn } from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

type Event = Record<string, unknown>;

describeEachEngine('activity ingest (POST /api/activities)', (engine) => {
  let t: TestApp;
  let clock: TestClock;
  let acme: SeededOrg;
  let other: SeededOrg;
  let admin: SignedIn;
  let user: SignedIn;
  let key: string;

  beforeEach(async () => {
    clock = new TestClock();
    t = await createTestApp(engine, { clock });
    acme = await seedOrg(t.app);
    other = await seedOrg(t.app);
    admin = await signIn(t.app, acme.admin.username);
    user = await signIn(t.app, acme.user.username);
    const created = await as(t.app, admin).post('/api/api-keys', { name: 'vault jobs' });
    key = created.json().key;
  });
  afterEach(() => t.close());

  const ingest = (events: Event[], bearer = key) =>
    t.app.inject({
      method: 'POST',
      url: '/api/activities',
      headers: { authorization: `Bearer ${bearer}` },
      payload: { events },
    });
  const event = (overrides: Event = {}): Event => ({
    activity: 'backup',
    username: acme.user.username,
    target: 'mailbox alice@example.com',
    ...overrides,
  });
  /** An event as the services hand it to recordActivities, with an idempotency key. */
  const keyedActivity = (key: string) => ({
    occurredAt: 1,
    userId: null,
    username: acme.user.username,
    activity: 'backup',
    status: 'success',
    idempotencyKey: key,
  });
  const rowCount = async (orgId?: string) => {
    let query = t.database.db.selectFrom('activities').select((eb) => eb.fn.countAll<number>().as('n'));
    if (orgId) query = query.where('orgId', '=', orgId);
    return Number((await query.executeTakeFirstOrThrow()).n);
  };
  const ingested = (orgId = acme.orgId) =>
    t.database.db
      .selectFrom('activities')
      .selectAll()
      .where('orgId', '=', orgId)
      .where('activity', 'not like', '%.%')
      .orderBy('id')
      .execute();
  /** A 400 whose message names the event's index and the field, and that wrote nothing at all. */
  const expectRejected = async (response: LightMyRequestResponse, index: number, field: string) => {
    expect(response.statusCode, response.body).toBe(400);
    const { code, message } = response.json().error;
    expect(code).toBe('INVALID_INPUT');
    expect(message).toMatch(new RegExp(`events(\\[${index}\\]|\\.${index}\\b)`));
    expect(message).toContain(field);
    expect(await ingested(acme.orgId)).toEqual([]);
  };

  describe('validation: 400 naming the event and the field, nothing written', () => {
    it('rejects an event without an activity', async () => {
      const { activity: _, ...noActivity } = event();
      await expectRejected(await ingest([event(), event(), noActivity]), 2, 'activity');
    });

    it('rejects an event without a username', async () => {
      const { username: _, ...noUser } = event();
      await expectRejected(await ingest([event(), noUser]), 1, 'username');
    });

    it.each(['yesterday', '2026-13-01T00:00:00Z', '1700000000000', ''])(
      'rejects an occurredAt that is no ISO 8601 date-time (%j)',
      async (occurredAt) => {
        await expectRejected(await ingest([event(), event({ occurredAt })]), 1, 'occurredAt');
      },
    );

    it('rejects an occurredAt in the future beyond clock skew, and accepts one within it', async () => {
      const farFuture = new Date(clock.now() + 60 * 60_000).toISOString();
      await expectRejected(await ingest([event(), event({ occurredAt: farFuture })]), 1, 'occurredAt');
      const skewed = new Date(clock.now() + 60_000).toISOString();
      expect((await ingest([event({ occurredAt: skewed })])).statusCode).toBe(201);
    });

    it.each(['not-an-ip', '999.1.1.1', '10.0.0', '::gg', '8.8.8.8; drop table'])(
      'rejects a publicIp that is not an IP address (%j)',
      async (publicIp) => {
        await expectRejected(await ingest([event(), event({ publicIp })]), 1, 'publicIp');
      },
    );

    it('rejects an unknown property', async () => {
      await expectRejected(await ingest([event(), event({ orgId: other.orgId })]), 1, 'orgId');
    });

    it('rejects an activity name that is not a plain name', async () => {
      await expectRejected(await ingest([event({ activity: '=cmd|calc' })]), 0, 'activity');
    });

    it('rejects a username unknown in the org', async () => {
      await expectRejected(await ingest([event(), event({ username: 'nobody-at-all' })]), 1, 'username');
    });

    it('rejects a username of another org, and writes nothing in either org', async () => {
      const otherBefore = await rowCount(other.orgId);
      await expectRejected(await ingest([event(), event({ username: other.user.username })]), 1, 'username');
      expect(await rowCount(other.orgId)).toBe(otherBefore);
    });

    it('rejects an empty batch and a body without events', async () => {
      expect((await ingest([])).statusCode).toBe(400);
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/activities',
        headers: { authorization: `Bearer ${key}` },
        payload: {},
      });
      expect(response.statusCode).toBe(400);
      expect(response.json().error.message).toContain('events');
    });
  });

  describe('batch size', () => {
    it('answers 1,001 events with 413 and writes nothing', async () => {
      const before = await rowCount();
      const events = Array.from({ length: 1_001 }, (_, i) => event({ idempotencyKey: `k${i}` }));
      const response = await ingest(events);
      expect(response.statusCode).toBe(413);
      expect(response.json().error.code).toBe('PAYLOAD_TOO_LARGE');
      expect(await rowCount()).toBe(before);
    });

    it('accepts exactly 1,000 events with 201 and stores them all, in order', async () => {
      const events = Array.from({ length: 1_000 }, (_, i) => event({ target: `item ${i}` }));
      const response = await ingest(events);
      expect(response.statusCode).toBe(201);
      expect(response.json()).toEqual({ accepted: 1_000, duplicates: 0 });
      const rows = await ingested();
      expect(rows.map((r) => r.target)).toEqual(events.map((e) => e.target));
    });
  });

  describe('what is stored', () => {
    it('stores text exactly as sent, whatever characters it holds', async () => {
      const texts = [
        'NULL',
        'null',
        '',
        '\\',
        'a\\"b\\',
        '{a,b}',
        '{"x",NULL}',
        ' spaced ',
        '"',
        "'",
        'ünï 😀 \u202E',
      ];
      const events = texts.map((text, i) =>
        event({
          target: text,
          details: texts[texts.length - 1 - i],
          status: text || 'x',
          idempotencyKey: `${text}|${i}`,
        }),
      );
      expect((await ingest(events)).json()).toEqual({ accepted: texts.length, duplicates: 0 });
      const rows = await ingested();
      expect(rows.map((r) => [r.target, r.details, r.status, r.idempotencyKey])).toEqual(
        texts.map((text, i) => [text, texts[texts.length - 1 - i], text || 'x', `${text}|${i}`]),
      );
      expect((await as(t.app, admin).get('/api/activities/verify')).json()).toMatchObject({ ok: true });
    });

    it('stores every field as sent, with the user resolved in the key’s org', async () => {
      const occurredAt = new Date(clock.now() - 3_600_000).toISOString();
      const response = await ingest([
        event({
          username: `  ${acme.user.username.toUpperCase()} `,
          occurredAt,
          status: 'failure',
          target: 'bucket s3://backups',
          details: 'quota exceeded',
          publicIp: '2001:0db8:0000:0000:0000:0000:0000:0001',
          idempotencyKey: 'job-42',
        }),
      ]);
      expect(response.statusCode).toBe(201);
      const [row] = await ingested();
      expect(row).toMatchObject({
        orgId: acme.orgId,
        userId: acme.user.id,
        username: acme.user.username,
        activity: 'backup',
        status: 'failure',
        occurredAt: Date.parse(occurredAt),
        recordedAt: clock.now(),
        target: 'bucket s3://backups',
        details: 'quota exceeded',
        publicIp: '2001:db8::1',
        sessionId: null,
        idempotencyKey: 'job-42',
      });
    });

    it('defaults occurredAt to now and status to success', async () => {
      await ingest([event()]);
      const [row] = await ingested();
      expect(row).toMatchObject({
        occurredAt: clock.now(),
        status: 'success',
        details: null,
        publicIp: null,
      });
    });
  });

  describe('idempotency', () => {
    it('stores an idempotency key repeated within one batch once, and counts the repeat as a duplicate', async () => {
      const response = await ingest([
        event({ idempotencyKey: 'a', target: 'first' }),
        event({ idempotencyKey: 'b' }),
        event({ idempotencyKey: 'a', target: 'second' }),
      ]);
      expect(response.json()).toEqual({ accepted: 2, duplicates: 1 });
      const rows = await ingested();
      expect(rows.map((r) => [r.idempotencyKey, r.target])).toEqual([
        ['a', 'first'],
        ['b', 'mailbox alice@example.com'],
      ]);
    });

    it('counts keys already stored by an earlier call as duplicates, and stores only the new ones', async () => {
      await ingest([event({ idempotencyKey: 'a' }), event({ idempotencyKey: 'b' })]);
      const retry = await ingest([
        event({ idempotencyKey: 'a' }),
        event({ idempotencyKey: 'b' }),
        event({ idempotencyKey: 'c' }),
        event(),
      ]);
      expect(retry.statusCode).toBe(201);
      expect(retry.json()).toEqual({ accepted: 2, duplicates: 2 });
      const rows = await ingested();
      expect(rows.map((r) => r.idempotencyKey)).toEqual(['a', 'b', 'c', null]);
    });

    it('never treats events without a key as duplicates', async () => {
      await ingest([event(), event()]);
      expect((await ingest([event()])).json()).toEqual({ accepted: 1, duplicates: 0 });
      expect(await ingested()).toHaveLength(3);
    });

    it('scopes idempotency keys to the org: the same key in another org is a new event', async () => {
      const otherAdmin = await signIn(t.app, other.admin.username);
      const otherKey = (await as(t.app, otherAdmin).post('/api/api-keys', { name: 'x' })).json().key;
      await ingest([event({ idempotencyKey: 'shared' })]);
      const response = await ingest(
        [event({ idempotencyKey: 'shared', username: other.user.username })],
        otherKey,
      );
      expect(response.json()).toEqual({ accepted: 1, duplicates: 0 });
    });

    it('stores one copy when 10 identical retries race, and every call adds up', async () => {
      const events = Array.from({ length: 50 }, (_, i) => event({ idempotencyKey: `race-${i}` }));
      const responses = await Promise.all(Array.from({ length: 10 }, () => ingest(events)));
      for (const response of responses) expect(response.statusCode, response.body).toBe(201);
      const results = responses.map((r) => r.json() as { accepted: number; duplicates: number });
      for (const result of results) expect(result.accepted + result.duplicates).toBe(50);
      expect(results.reduce((sum, r) => sum + r.accepted, 0)).toBe(50);
      const rows = await ingested();
      expect(rows).toHaveLength(50);
      expect(new Set(rows.map((r) => r.idempotencyKey)).size).toBe(50);
    });

    it.runIf(engine === 'postgres')(
      'stores one copy when retries race through two instances, and the chain stays whole',
      async () => {
        const second = await createTestApp('postgres', {
          clock,
          postgresSchema: t.database.postgresSchema as string,
        });
        try {
          const events = Array.from({ length: 300 }, (_, i) => event({ idempotencyKey: `twin-${i}` }));
          const responses = await Promise.all(
            Array.from({ length: 8 }, (_, i) =>
              (i % 2 === 0 ? t : second).app.inject({
                method: 'POST',
                url: '/api/activities',
                headers: { authorization: `Bearer ${key}` },
                payload: { events },
              }),
            ),
          );
          for (const response of responses) expect(response.statusCode, response.body).toBe(201);
          const accepted = responses.map((r) => (r.json() as { accepted: number }).accepted);
          expect(accepted.reduce((a, b) => a + b, 0)).toBe(300);
          expect(await ingested()).toHaveLength(300);
          const verified = await as(t.app, admin).get('/api/activities/verify');
          expect(verified.json()).toMatchObject({ ok: true });
        } finally {
          await second.close();
        }
      },
    );

    it.runIf(engine === 'postgres')(
      'stores each key once when two appends race with the same keys in opposite orders, without a deadlock',
      async () => {
        const keys = Array.from({ length: 2_000 }, (_, i) => `opposite-${i}`);
        const append = (order: string[]) =>
          t.database.db
            .transaction()
            .execute((trx) => recordActivities(trx, acme.orgId, order.map(keyedActivity), 1));
        const [forward, backward] = await Promise.all([append(keys), append(keys.toReversed())]);
        expect(forward.accepted + backward.accepted).toBe(2_000);
        expect(forward.duplicates + backward.duplicates).toBe(2_000);
        expect(await ingested()).toHaveLength(2_000);
        expect((await as(t.app, admin).get('/api/activities/verify')).json()).toMatchObject({ ok: true });
      },
    );

    it.runIf(engine === 'postgres')(
      'waits for a writer in flight with the same key, then counts the event a duplicate if that committed',
      async () => {
        const { db } = t.database;
        const inFlight = (key: string, outcome: 'commit' | 'rollback') => {
          let finish = () => {};
          const finished = new Promise<void>((resolve) => {
            finish = resolve;
          });
          const started = new Promise<void>((resolve) => {
            void db
              .transaction()
              .execute(async (trx) => {
                await recordActivities(trx, acme.orgId, [keyedActivity(key)], 1);
                resolve();
                await finished;
                if (outcome === 'rollback') throw new Error('rolled back');
              })
              .catch(() => {});
          });
          return { started, finish };
        };
        for (const [outcome, expected] of [
          ['commit', { accepted: 0, duplicates: 1 }],
          ['rollback', { accepted: 1, duplicates: 0 }],
        ] as const) {
          const key = `racing-${outcome}`;
          const writer = inFlight(key, outcome);
          await writer.started;
          let answered = false;
          const call = ingest([event({ idempotencyKey: key })]).then((response) => {
            answered = true;
            return response;
          });
          await new Promise((resolve) => setTimeout(resolve, 300));
          expect(answered).toBe(false);
          writer.finish();
          const response = await call;
          expect(response.statusCode, response.body).toBe(201);
          expect(response.json()).toEqual(expected);
          expect((await ingested()).filter((r) => r.idempotencyKey === key)).toHaveLength(1);
        }
        expect((await as(t.app, admin).get('/api/activities/verify')).json()).toMatchObject({ ok: true });
      },
    );
  });

  describe('who may ingest', () => {
    it("accepts an admin's session and records into the admin's org", async () => {
      const response = await as(t.app, admin).post('/api/activities', { events: [event()] });
      expect(response.statusCode).toBe(201);
      expect(response.json()).toEqual({ accepted: 1, duplicates: 0 });
      expect((await ingested()).map((r) => r.orgId)).toEqual([acme.orgId]);
    });

    it("refuses an admin's session for a user of another org with 400", async () => {
      const response = await as(t.app, admin).post('/api/activities', {
        events: [event({ username: other.user.username })],
      });
      expect(response.statusCode).toBe(400);
      expect(await ingested(other.orgId)).toEqual([]);
    });

    it('forbids an ordinary user’s session (403) and writes nothing', async () => {
      const response = await as(t.app, user).post('/api/activities', { events: [event()] });
      expect(response.statusCode).toBe(403);
      expect(response.json().error.code).toBe('FORBIDDEN');
      expect(await ingested()).toEqual([]);
    });

    it('refuses a call without a key or session (401)', async () => {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/activities',
        payload: { events: [event()] },
      });
      expect(response.statusCode).toBe(401);
      expect(await ingested()).toEqual([]);
    });
  });

  describe('visibility', () => {
    it('shows an event to search as soon as the 201 is answered', async () => {
      const response = await ingest([event({ target: 'right-away', idempotencyKey: 'now' })]);
      expect(response.statusCode).toBe(201);
      const search = await as(t.app, admin).get('/api/activities?q=right-away');
      expect(search.statusCode).toBe(200);
      expect(search.json().items).toMatchObject([
        { activity: 'backup', username: acme.user.username, userId: acme.user.id, target: 'right-away' },
      ]);
      const own = await as(t.app, user).get('/api/activities?activity=backup');
      expect(own.json().total).toBe(1);
    });

    it('adds a new activity name to the org’s activity types', async () => {
      await ingest([event({ activity: 'replicate' })]);
      const { activityTypes } = (await as(t.app, admin).get('/api/activity-types')).json();
      expect(activityTypes).toContain('replicate');
    });
  });
});
