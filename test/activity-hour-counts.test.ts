import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { activityHistogram } from '../src/activity/activity-histogram.js';
import { type ActivityEvent, recordActivities } from '../src/activity/chain/record.js';
import { countMatches } from '../src/activity/counts/counted-total.js';
import { fillActivityHourCounts } from '../src/activity/counts/hour-counts.repository.js';
import { servedByHourCounts } from '../src/activity/counts/rolled-up-buckets.js';
import { purgeExpiredActivities } from '../src/activity/retention/retention.js';
import type { ActivityFilter } from '../src/activity/search/filter.js';
import { bucketCount, chooseInterval } from '../src/activity/search/histogram.js';
import { describeEachEngine } from './helpers/engines.js';
import { type SeededOrg, seedOrg } from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ACTIVITIES = ['backup', 'restore', 'Backup'];
const STATUSES = ['success', 'failure', 'failed', 'aborted'];

interface Row {
  occurredAt: number;
  activity: string;
  userId: string | null;
  username: string;
  status: string;
}

/**
 * The histogram read from the hour counts (migration 029, decision 023) says, bucket by bucket,
 * what the rows say: for periods that start and end anywhere within an hour, every filter the
 * counts keep, after backfilled events in no order, appends side by side, and a purge.
 */
describeEachEngine('the activity histogram from the hour counts', (engine) => {
  let t: TestApp;
  let org: SeededOrg;
  // Within an hour, as a request's time is: on the hour, there would be no minutes to move.
  const now = Date.now() % HOUR === 0 ? Date.now() + 1 : Date.now();

  const record = (events: ActivityEvent[], recordedAt: number) =>
    t.database.db.transaction().execute((trx) => recordActivities(trx, org.orgId, events, recordedAt));

  beforeAll(async () => {
    t = await createTestApp(engine);
    org = await seedOrg(t.app);
    const users = [org.admin.id, org.user.id, null];
    // Two years back and a day ahead, in no order; some on the hour, some a millisecond either side.
    const times = fc.sample(
      fc.oneof(
        fc.integer({ min: now - 730 * DAY, max: now + DAY }),
        fc
          .tuple(fc.integer({ min: -17_520, max: 24 }), fc.constantFrom(-1, 0, 1))
          .map(([hours, ms]) => Math.floor(now / HOUR) * HOUR + hours * HOUR + ms),
      ),
      { numRuns: 3_000, seed: 7 },
    );
    const events = times.map((occurredAt, i) => ({
      occurredAt,
      userId: users[i % 3] ?? null,
      username: users[i % 3] === null ? 'job' : `u${i % 3}`,
      activity: ACTIVITIES[(i >> 1) % 3] as string,
      status: STATUSES[(i * 7) % 4] as string,
    }));
    // Recorded an hour apart, after the org's own rows: a purge takes a prefix of the chain.
    for (let i = 0; i < events.length; i += 500)
      await record(events.slice(i, i + 500), now + (i / 500 + 1) * HOUR);
  });
  afterAll(() => t.close());

  const storedRows = async (): Promise<Row[]> =>
    (
      await t.database.db
        .selectFrom('activities')
        .select(['occurredAt', 'activity', 'userId', 'username', 'status'])
        .where('orgId', '=', org.orgId)
        .execute()
    ).map((row) => ({ ...row, occurredAt: Number(row.occurredAt) }));

  const matches = (row: Row, filter: ActivityFilter) =>
    row.occurredAt >= filter.from &&
    (filter.to === null || row.occurredAt < filter.to) &&
    (filter.userId === null || row.userId === filter.userId) &&
    (filter.username === null || row.username === filter.username) &&
    (filter.activities.length === 0 || filter.activities.includes(row.activity)) &&
    (filter.statuses.length === 0 || filter.statuses.includes(row.status));

  /** The buckets computed from the rows, as PRODUCT.md defines them. */
  const expected = (rows: Row[], filter: ActivityFilter) => {
    const until = filter.to ?? now;
    const interval = chooseInterval(until - filter.from);
    const buckets = Array.from({ length: bucketCount(filter.from, until, interval) }, () => ({
      total: 0,
      failed: 0,
    }));
    for (const row of rows) {
      if (!matches(row, filter)) continue;
      const index = Math.min(Math.floor((row.occurredAt - filter.from) / interval.ms), buckets.length - 1);
      const bucket = buckets[index] as { total: number; failed: number };
      bucket.total += 1;
      if (row.status === 'failed' || row.status === 'failure') bucket.failed += 1;
    }
    return buckets;
  };

  const filterArb = fc
    .record({
      // From 3 days (1 h buckets) to 2 years back; anywhere within the hour, or on it.
      back: fc.integer({ min: 3 * DAY, max: 730 * DAY }),
      onTheHour: fc.boolean(),
      length: fc.option(fc.integer({ min: 3 * DAY, max: 400 * DAY }), { nil: null }),
      scope: fc.constantFrom('all', 'activities', 'user', 'username'),
      activities: fc.subarray(ACTIVITIES, { minLength: 1 }),
      statuses: fc.subarray(STATUSES),
      userIndex: fc.constantFrom(0, 1),
    })
    .map((f): ActivityFilter => {
      const start = now - f.back;
      const from = f.onTheHour ? Math.floor(start / HOUR) * HOUR : start;
      return {
        orgId: org.orgId,
        from,
        to: f.length === null ? null : Math.min(from + f.length, now + DAY),
        userId: f.scope === 'user' ? (f.userIndex === 0 ? org.admin.id : org.user.id) : null,
        username: f.scope === 'username' ? (f.userIndex === 0 ? 'job' : 'u1') : null,
        activities: f.scope === 'activities' ? [...f.activities].sort() : [],
        statuses: [...f.statuses].sort(),
        text: null,
        sort: 'occurredAt',
        order: 'desc',
      };
    });

  const agreesWithTheRows = async (numRuns: number) => {
    const rows = await storedRows();
    await fc.assert(
      fc.asyncProperty(filterArb, async (filter) => {
        const interval = chooseInterval((filter.to ?? now) - filter.from);
        expect(servedByHourCounts(filter, interval.ms)).toBe(true);
        const histogram = await activityHistogram(t.database.db, filter, now);
        const got = histogram.buckets.map(({ total, failed }) => ({ total, failed }));
        expect(got).toEqual(expected(rows, filter));
      }),
      { numRuns },
    );
  };

  it('counts every bucket as the rows do, wherever within the hour the period starts and ends', async () => {
    await agreesWithTheRows(60);
  });

  it('counts a search’s total as the rows do, exactly up to the cap and more than the cap past it', async () => {
    const rows = await storedRows();
    // Short periods too: within an hour or two the rows are counted as before.
    const periodArb = fc.record({
      filter: filterArb,
      short: fc.option(fc.integer({ min: 1, max: 3 * HOUR })),
    });
    await fc.assert(
      fc.asyncProperty(periodArb, fc.constantFrom(5, 100, 10_000), async ({ filter: f, short }, cap) => {
        const filter = short === null ? f : { ...f, to: f.from + short };
        const want = rows.filter((row) => matches(row, filter)).length;
        const got = await countMatches(t.database.db, filter, cap);
        if (want <= cap) expect(got).toBe(want);
        else expect(got).toBeGreaterThan(cap);
      }),
      { numRuns: 80 },
    );
  });

  it('reads the counts, not the rows: a count changed behind its back shows', async () => {
    const filter: ActivityFilter = {
      orgId: org.orgId,
      from: now - 30 * DAY,
      to: null,
      userId: null,
      username: null,
      activities: [],
      statuses: [],
      text: null,
      sort: 'occurredAt',
      order: 'desc',
    };
    const before = await activityHistogram(t.database.db, filter, now);
    const hour = Math.floor((now - 10 * DAY) / HOUR) * HOUR;
    await t.database.db
      .insertInto('activityHourCounts')
      .values({ orgId: org.orgId, dim: 'all', key: '', hour, status: 'zz', n: 1_000 })
      .execute();
    const after = await activityHistogram(t.database.db, filter, now);
    const sum = (h: typeof before) => h.buckets.reduce((n, b) => n + b.total, 0);
    expect(sum(after) - sum(before)).toBe(1_000);
    await t.database.db.deleteFrom('activityHourCounts').where('status', '=', 'zz').execute();
  });

  it('adds up 50 appends of one org side by side', async () => {
    const rowsBefore = (await storedRows()).length;
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        record(
          Array.from({ length: 20 }, (_, j) => ({
            occurredAt: now - (j % 3) * HOUR - i,
            userId: org.user.id,
            username: 'u1',
            activity: 'backup',
            status: j % 2 ? 'failed' : 'success',
          })),
          now + 10 * HOUR,
        ),
      ),
    );
    expect((await storedRows()).length).toBe(rowsBefore + 1_000);
    await agreesWithTheRows(15);
  });

  it('takes purged rows out of their hours, and drops the hours left empty', async () => {
    const rowsBefore = (await storedRows()).length;
    // The cutoff falls after the third of the six batches.
    await purgeExpiredActivities(t.database.db, { now: now + DAY + 3.5 * HOUR, retentionDays: 1 });
    expect((await storedRows()).length).toBeLessThanOrEqual(rowsBefore - 1_500 + 1);
    await agreesWithTheRows(25);
    const empty = await t.database.db
      .selectFrom('activityHourCounts')
      .select(sql<number>`count(*)`.as('n'))
      .where('n', '<=', 0)
      .executeTakeFirstOrThrow();
    expect(Number(empty.n)).toBe(0);
  });

  it('rebuilds from the rows to the same counts it keeps as it goes', async () => {
    const counts = () =>
      t.database.db
        .selectFrom('activityHourCounts')
        .selectAll()
        .orderBy(['orgId', 'dim', 'key', 'hour', 'status'])
        .execute()
        .then((rows) => rows.map((row) => ({ ...row, hour: Number(row.hour), n: Number(row.n) })));
    const kept = await counts();
    await fillActivityHourCounts(t.database.db);
    expect(await counts()).toEqual(kept);
  });
});
