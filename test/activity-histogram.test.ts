import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TestClock } from './helpers/clock.js';
import { describeEachEngine } from './helpers/engines.js';
import { as, type SeededOrg, type SignedIn, seedOrg, signIn, withKey } from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ACTIVITIES = ['backup', 'compare', 'replicate'];
const STATUSES = ['success', 'failed', 'aborted', 'failure'];
const TARGETS = ['Org Acme Prod', 'Sandbox QA', 'Mailbox ana'];

interface Histogram {
  interval: string;
  buckets: Array<{ start: string; total: number; failed: number }>;
}

describeEachEngine('the activity histogram', (engine) => {
  let t: TestApp;
  let clock: TestClock;
  let acme: SeededOrg;
  let admin: SignedIn;
  let user: SignedIn;

  beforeAll(async () => {
    clock = new TestClock();
    t = await createTestApp(engine, { clock });
    acme = await seedOrg(t.app);
    admin = await signIn(t.app, acme.admin.username);
    user = await signIn(t.app, acme.user.username);
    const key = (await as(t.app, admin).post('/api/api-keys', { name: 'jobs' })).json().key;
    // 600 events over the last 40 days, every name, status, target and user mixed.
    const events = Array.from({ length: 600 }, (_, i) => ({
      activity: ACTIVITIES[i % 3],
      status: STATUSES[(i >> 1) % 4],
      target: TARGETS[(i >> 2) % 3],
      username: i % 5 === 0 ? acme.user.username : acme.admin.username,
      occurredAt: new Date(clock.now() - ((i * 1_597 * 60_000) % (40 * DAY)) - 1).toISOString(),
      publicIp: `81.2.69.${i % 7}`,
    }));
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/activities',
      headers: { authorization: `Bearer ${key}` },
      payload: { events },
    });
    expect(response.statusCode, response.body).toBe(201);
  });
  afterAll(() => t.close());

  const histogram = async (who: SignedIn, query: string): Promise<Histogram> => {
    const response = await as(t.app, who).get(`/api/activities/histogram?${query}`);
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  };
  const total = async (who: SignedIn, query: string): Promise<number> => {
    const response = await as(t.app, who).get(`/api/activities?limit=1&${query}`);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().totalCapped).toBe(false);
    return response.json().total;
  };
  const sum = (h: Histogram, key: 'total' | 'failed') => h.buckets.reduce((n, b) => n + b[key], 0);

  it('cuts a day into 96 quarter hours, evenly, from the start of the period to now', async () => {
    const h = await histogram(admin, 'period=1d');
    expect(h.interval).toBe('15m');
    expect(h.buckets).toHaveLength(96);
    expect(Date.parse(h.buckets[0]?.start ?? '')).toBe(clock.now() - DAY);
    const steps = h.buckets
      .slice(1)
      .map((b, i) => Date.parse(b.start) - Date.parse(h.buckets[i]?.start ?? ''));
    expect(new Set(steps)).toEqual(new Set([15 * 60_000]));
  });

  it('counts in its last bar the rows recorded the instant the request came, and those dated after it', async () => {
    const key = (await as(t.app, admin).post('/api/api-keys', { name: 'ahead' })).json().key;
    const ahead = {
      activity: 'backup',
      status: 'failed',
      username: acme.admin.username,
      occurredAt: new Date(clock.now() + 60_000).toISOString(),
    };
    const response = await withKey(t.app, key).post('/api/activities', { events: [ahead] });
    expect(response.statusCode, response.body).toBe(201);
    // The sign-ins and the keys of this test were recorded at clock.now(), the end of the period.
    const h = await histogram(admin, 'period=1d');
    expect(sum(h, 'total')).toBe(await total(admin, 'period=1d'));
    expect(h.buckets.at(-1)?.total).toBeGreaterThanOrEqual(4);
    expect(sum(h, 'failed')).toBe(await total(admin, 'period=1d&status=failed&status=failure'));
  });

  it('adds up to the search’s total, and its failed to the search for status=failed&status=failure, for any filter', async () => {
    const filter = fc.record(
      {
        period: fc.constantFrom('1d', '7d', '1m', '6m'),
        activity: fc.subarray(['Backup', 'compare', 'REPLICATE', 'bakup'], { minLength: 1 }),
        status: fc.subarray(STATUSES, { minLength: 1 }),
        q: fc.constantFrom('acme', 'QA', '81.2.69.3', 'nothing like it'),
        username: fc.constantFrom(acme.user.username, acme.admin.username),
      },
      { requiredKeys: ['period'] },
    );
    let nonEmpty = 0;
    await fc.assert(
      fc.asyncProperty(filter, async (f) => {
        const params = new URLSearchParams({ period: f.period });
        for (const name of f.activity ?? []) params.append('activity', name);
        for (const status of f.status ?? []) params.append('status', status);
        if (f.q) params.set('q', f.q);
        if (f.username) params.set('username', f.username);
        const query = params.toString();
        const h = await histogram(admin, query);
        expect(h.buckets.length).toBeGreaterThanOrEqual(30);
        expect(h.buckets.length).toBeLessThanOrEqual(100);
        expect(sum(h, 'total')).toBe(await total(admin, query));
        if (sum(h, 'failed') > 0) nonEmpty += 1;
        const failedOnly = new URLSearchParams(params);
        failedOnly.delete('status');
        // Failed is both words for it: jobs say `failed`, the product's own records `failure`.
        const failing = ['failed', 'failure'].filter((status) => !f.status || f.status.includes(status));
        for (const status of failing.length ? failing : ['no such status'])
          failedOnly.append('status', status);
        expect(sum(h, 'failed')).toBe(await total(admin, failedOnly.toString()));
      }),
      { numRuns: 25 },
    );
    // Sums of zero prove little: most filters found failed rows in some buckets.
    expect(nonEmpty).toBeGreaterThan(3);
  });

  it('counts a user’s own rows only, and nothing of another org', async () => {
    const own = await histogram(user, 'period=6m');
    expect(sum(own, 'total')).toBe(await total(user, 'period=6m'));
    expect(sum(own, 'total')).toBeLessThan(sum(await histogram(admin, 'period=6m'), 'total'));
    const other = await seedOrg(t.app);
    const stranger = await signIn(t.app, other.admin.username);
    const theirs = await histogram(stranger, 'period=6m&activity=backup');
    expect(sum(theirs, 'total')).toBe(0);
  });

  it('takes a custom range, and refuses a filter it cannot read with a 400 naming it', async () => {
    const from = new Date(clock.now() - 10 * DAY).toISOString();
    const to = new Date(clock.now() - 3 * DAY).toISOString();
    const h = await histogram(admin, `from=${from}&to=${to}`);
    expect(h.interval).toBe('3h');
    expect(h.buckets[0]?.start).toBe(from);
    expect(sum(h, 'total')).toBe(await total(admin, `from=${from}&to=${to}`));
    for (const [query, named] of [
      ['period=2d', 'period'],
      ['from=yesterday', 'from'],
      ['status=', 'status'],
      ['limit=5', 'limit'],
    ]) {
      const response = await as(t.app, admin).get(`/api/activities/histogram?${query}`);
      expect(response.statusCode, query).toBe(400);
      expect(response.json().error.message, query).toContain(named);
    }
  });

  it('cuts a period of centuries, from any instant, into at most 100 bars that add up', async () => {
    const range = fc.record({
      // At least a day, so even the shortest interval that fits leaves 30 bars or more.
      from: fc.integer({ min: Date.parse('0001-01-01T00:00:00Z'), max: clock.now() - 2 * DAY }),
      to: fc.option(fc.integer({ min: clock.now() - DAY, max: Date.parse('9999-12-31T00:00:00Z') })),
    });
    await fc.assert(
      fc.asyncProperty(range, async ({ from, to }) => {
        const query = `from=${new Date(from).toISOString()}${to === null ? '' : `&to=${new Date(to).toISOString()}`}`;
        const h = await histogram(admin, query);
        expect(h.buckets.length).toBeGreaterThanOrEqual(30);
        expect(h.buckets.length).toBeLessThanOrEqual(100);
        expect(sum(h, 'total')).toBe(await total(admin, query));
      }),
      { numRuns: 10 },
    );
  });
});
