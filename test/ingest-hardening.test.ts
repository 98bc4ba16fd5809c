import { parse } from 'csv-parse/sync';
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_ACTIVITY_NAMES_PER_ORG } from '../src/activity/activity.repository.js';
import { TestClock } from './helpers/clock.js';
import { describeEachEngine } from './helpers/engines.js';
import { as, type SeededOrg, type SignedIn, seedOrg, signIn } from './helpers/factories.js';
import { createTestApp, type TestApp, type TestAppOptions } from './helpers/test-app.js';

type Event = Record<string, unknown>;
const DAY_MS = 24 * 3_600_000;

describeEachEngine('ingest refuses what would pass for something else', (engine) => {
  let t: TestApp;
  let clock: TestClock;
  let acme: SeededOrg;
  let admin: SignedIn;
  let key: { key: string; prefix: string };

  const start = async (options: TestAppOptions = {}) => {
    clock = new TestClock();
    t = await createTestApp(engine, { clock, ...options });
    acme = await seedOrg(t.app);
    admin = await signIn(t.app, acme.admin.username);
    key = (await as(t.app, admin).post('/api/api-keys', { name: 'backup jobs' })).json();
  };
  afterEach(() => t.close());

  const ingest = (events: Event[], bearer = key.key) =>
    t.app.inject({
      method: 'POST',
      url: '/api/activities',
      headers: { authorization: `Bearer ${bearer}` },
      payload: { events },
    });
  const event = (overrides: Event = {}): Event => ({
    activity: 'backup',
    username: acme.user.username,
    ...overrides,
  });
  const rowsNamed = (activity: string) =>
    t.database.db.selectFrom('activities').selectAll().where('activity', '=', activity).execute();
  const expect400 = (response: LightMyRequestResponse, field: string) => {
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json().error.code).toBe('INVALID_INPUT');
    expect(response.json().error.message).toContain(field);
  };

  describe('product events', () => {
    beforeEach(() => start());

    it.each([
      'user.login',
      'User.Login',
      'session.terminated',
      'org.created',
      'api_key.created',
      'mfa.enabled',
      'sso.login',
      'stream.created',
      'activity.exported',
    ])('refuses %s from an API key and from an admin, and stores nothing', async (name) => {
      expect400(await ingest([event(), event({ activity: name })]), 'events[1].activity');
      const asAdmin = await as(t.app, admin).post('/api/activities', { events: [event({ activity: name })] });
      expect400(asAdmin, 'events[0].activity');
      // The product's own rows of that name (the seed's login, org, key) have no source.
      expect((await rowsNamed(name)).filter((row) => row.source !== null)).toEqual([]);
      expect(await rowsNamed('backup')).toEqual([]);
    });

    it('takes names that only look alike: no dot, or another namespace', async () => {
      const names = ['user', 'users.sync', 'sessionize.run', 'backup.user.login'];
      const response = await ingest(names.map((activity) => event({ activity })));
      expect(response.statusCode, response.body).toBe(201);
    });
  });

  describe('who wrote it', () => {
    beforeEach(() => start());

    it('shows the API key on every ingested event, in the page, the CSV and JSON Lines', async () => {
      expect((await ingest([event({ target: 'mailbox' })])).statusCode).toBe(201);
      const source = `api_key ${key.prefix} backup jobs`;
      const page = (await as(t.app, admin).get('/api/activities?activity=backup')).json();
      expect(page.items).toHaveLength(1);
      expect(page.items[0].source).toBe(source);

      const csv = await as(t.app, admin).get('/api/activities/export?activity=backup');
      const [header, row] = parse(csv.body, { bom: true }) as string[][];
      expect(header?.at(-1)).toBe('Source');
      expect(row?.at(-1)).toBe(source);
      const jsonl = await as(t.app, admin).get('/api/activities/export?activity=backup&format=jsonl');
      expect(JSON.parse(jsonl.body.trim()).source).toBe(source);
    });

    it("names the admin who ingested through the API, and leaves the product's own events without one", async () => {
      const response = await as(t.app, admin).post('/api/activities', { events: [event()] });
      expect(response.statusCode).toBe(201);
      const [row] = await rowsNamed('backup');
      expect(row?.source).toBe(`admin ${acme.admin.username}`);
      const [login] = await rowsNamed('user.login');
      expect(login?.source).toBeNull();
    });

    it('keeps the chain verifiable with sources in it', async () => {
      expect((await ingest([event(), event({ activity: 'restore' })])).statusCode).toBe(201);
      const report = (await as(t.app, admin).get('/api/activities/verify')).json();
      expect(report.ok).toBe(true);
    });
  });

  describe('occurredAt', () => {
    beforeEach(() => start({ env: { ACTIVITY_RETENTION_DAYS: '30' } }));

    it('refuses the year 0000 and anything before the org existed, less the retention period', async () => {
      expect400(await ingest([event({ occurredAt: '0000-01-01T00:00:00Z' })]), 'events[0].occurredAt');
      const org = await t.database.db
        .selectFrom('orgs')
        .select('createdAt')
        .where('id', '=', acme.orgId)
        .executeTakeFirstOrThrow();
      const earliest = Number(org.createdAt) - 30 * DAY_MS;
      const tooOld = new Date(earliest - 1).toISOString();
      expect400(await ingest([event({ occurredAt: tooOld })]), 'events[0].occurredAt');
      const oldest = new Date(earliest).toISOString();
      expect((await ingest([event({ occurredAt: oldest })])).statusCode).toBe(201);
    });
  });

  describe('per-key rate limit', () => {
    beforeEach(() => start({ env: { INGEST_EVENTS_PER_MINUTE: '100' } }));

    it('accepts exactly a minute’s budget of 50 calls sent at once, refuses the rest with Retry-After', async () => {
      const calls = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          ingest(Array.from({ length: 10 }, (_, j) => event({ idempotencyKey: `k-${i}-${j}` }))),
        ),
      );
      const accepted = calls.filter((r) => r.statusCode === 201);
      const refused = calls.filter((r) => r.statusCode === 429);
      expect(accepted).toHaveLength(10);
      expect(refused).toHaveLength(40);
      expect(refused[0]?.json().error.code).toBe('RATE_LIMITED');
      expect(Number(refused[0]?.headers['retry-after'])).toBeGreaterThan(0);
      expect(await rowsNamed('backup')).toHaveLength(100);

      // Another key of the org has a budget of its own.
      const other = (await as(t.app, admin).post('/api/api-keys', { name: 'replication' })).json();
      expect((await ingest([event()], other.key)).statusCode).toBe(201);
    });
  });

  describe('distinct activity names', () => {
    beforeEach(() => start());

    const namesInOrg = async () =>
      (await as(t.app, admin).get('/api/activity-types')).json().activityTypes as string[];
    const fillUpTo = async (room: number) => {
      const free = MAX_ACTIVITY_NAMES_PER_ORG - (await namesInOrg()).length - room;
      const names = Array.from({ length: free }, (_, i) => `job-${i}`);
      expect((await ingest(names.map((activity) => event({ activity })))).statusCode).toBe(201);
    };

    it('refuses a new name once the org has its maximum, and still takes the known ones', async () => {
      await fillUpTo(0);
      const response = await ingest([event({ activity: 'job-1' }), event({ activity: 'junk-name' })]);
      expect400(response, 'events[1].activity');
      expect(response.json().error.message).toContain(String(MAX_ACTIVITY_NAMES_PER_ORG));
      expect((await ingest([event({ activity: 'job-1' })])).statusCode).toBe(201);
      expect(await namesInOrg()).toHaveLength(MAX_ACTIVITY_NAMES_PER_ORG);
    });

    it('lets exactly one of 50 calls at once take the last free name', async () => {
      await fillUpTo(1);
      const calls = await Promise.all(
        Array.from({ length: 50 }, (_, i) => ingest([event({ activity: `racer-${i}` })])),
      );
      expect(calls.filter((r) => r.statusCode === 201)).toHaveLength(1);
      expect(calls.filter((r) => r.statusCode === 400)).toHaveLength(49);
      expect(await namesInOrg()).toHaveLength(MAX_ACTIVITY_NAMES_PER_ORG);
    });
  });
});
