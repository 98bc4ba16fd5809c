import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { activityPageQuery, countActivitiesQuery } from '../src/activity/activity.repository.js';
import { recordActivities } from '../src/activity/chain/record.js';
import { generateDemoActivities } from '../src/activity/demo-data.js';
import type { ActivityFilter } from '../src/activity/search/filter.js';
import { describeEachEngine } from './helpers/engines.js';
import { type SeededOrg, seedOrg } from './helpers/factories.js';
import { explainPlan } from './helpers/query-plan.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const ROWS = 6_000;
const DAY = 86_400_000;

/**
 * A first page and its count read the filter's rows from an index made for it (migration 027),
 * not the org's rows by time checked one by one: at 1M rows that was 90 ms for a username with an
 * activity and 480 ms for a status nothing has (docs/benchmarks.md).
 */
describeEachEngine('the activity filters’ query plans', (engine) => {
  let t: TestApp;
  let org: SeededOrg;
  const now = Date.now();

  beforeAll(async () => {
    t = await createTestApp(engine);
    org = await seedOrg(t.app);
    const users = [
      { id: org.admin.id, username: org.admin.username },
      { id: org.user.id, username: org.user.username },
    ];
    for (const batch of generateDemoActivities({
      count: ROWS,
      from: now - 300 * DAY,
      to: now - DAY,
      users,
      batchSize: 2_000,
    })) {
      await t.database.db.transaction().execute((trx) => recordActivities(trx, org.orgId, batch, now));
    }
    await sql.raw('analyze').execute(t.database.db);
  });
  afterAll(() => t.close());

  const filter = (over: Partial<ActivityFilter>): ActivityFilter => ({
    orgId: org.orgId,
    from: now - 365 * DAY,
    to: null,
    userId: null,
    username: null,
    activities: [],
    statuses: [],
    text: null,
    sort: 'occurredAt',
    order: 'desc',
    ...over,
  });
  const plans = async (f: ActivityFilter) => [
    await explainPlan(
      t.database.db,
      engine,
      activityPageQuery(t.database.db, f, { after: null, limit: 101 }).compile(),
    ),
    await explainPlan(t.database.db, engine, countActivitiesQuery(t.database.db, f, 10_000).compile()),
  ];

  it('a username with an activity reads the index of both', async () => {
    for (const plan of await plans(filter({ username: org.user.username, activities: ['restore'] }))) {
      expect(plan).toContain('activities_org_username_activity_time_idx');
    }
  });

  /** The columns of the index a plan reads (SQLite names it; PostgreSQL's Index Cond lists them). */
  const checkedInIndex = async (plan: string): Promise<string[]> => {
    if (engine === 'postgres') {
      const conditions = plan.split('\n').filter((line) => line.includes('Index Cond'));
      return ['user_id', 'username', 'activity', 'status'].filter((c) =>
        conditions.some((l) => l.includes(c)),
      );
    }
    const index = /USING (?:COVERING )?INDEX (\w+)/.exec(plan)?.[1];
    expect(index, plan).toBeDefined();
    const columns = await sql<{ name: string }>`select name from pragma_index_info(${index})`.execute(
      t.database.db,
    );
    return columns.rows.map((c) => c.name);
  };

  it('a status with a user or an activity is checked in the index, not row by row', async () => {
    const combinations: Array<Partial<ActivityFilter>> = [
      { username: org.user.username, statuses: ['failure'] },
      { userId: org.user.id, statuses: ['failure'] },
      { activities: ['download'], statuses: ['failure'] },
      { userId: org.user.id, activities: ['backup'], statuses: ['failed'] },
    ];
    for (const over of combinations) {
      for (const plan of await plans(filter(over))) {
        const columns = await checkedInIndex(plan);
        expect(columns, plan).toContain('status');
        if (over.activities) expect(columns, plan).toContain('activity');
      }
    }
  });

  it('a status, one that rows have and one that none has, reads the status index', async () => {
    for (const statuses of [['failure'], ['failed']]) {
      for (const plan of await plans(filter({ statuses }))) {
        expect(plan).toContain('activities_org_status_time_idx');
      }
    }
  });
});
