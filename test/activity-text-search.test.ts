import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { activityPageQuery, countActivities } from '../src/activity/activity.repository.js';
import { recordActivities } from '../src/activity/chain/record.js';
import { purgeExpiredActivities } from '../src/activity/retention/retention.js';
import type { ActivityFilter } from '../src/activity/search/filter.js';
import { fewTextCandidates } from '../src/activity/search/text-match.js';
import { trigramQuery } from '../src/db/fts.js';
import { describeEachEngine } from './helpers/engines.js';
import { type SeededOrg, seedOrg } from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const DAY = 86_400_000;

/** Texts full of what LIKE reads as wildcards or escapes, and what FTS5 reads as syntax. */
const TARGETS = [
  'Org Acme_Prod',
  'Sandbox 100%',
  'C:\\backups',
  'Zoë’s "mailbox"',
  'OR NOT AND',
  null,
] as const;
const DETAILS = ['timed out after 3 retries', '1,204 records', 'a*b^c', 'x"y', '', null] as const;
const IPS = ['81.2.69.160', '2001:db8::5', '10.0.0.1', null] as const;
const PIECES: string[] = [...TARGETS, ...DETAILS, ...IPS].filter((p) => p !== null && p !== '') as string[];

/** What `q` should find, said without SQL: text in either column (ASCII case folded), or the address's start. */
function expected(
  q: string,
  row: { target: string | null; details: string | null; publicIp: string | null },
) {
  const fold = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
  const has = (s: string | null) => s !== null && fold(s).includes(fold(q));
  return has(row.target) || has(row.details) || (row.publicIp?.startsWith(q.toLowerCase()) ?? false);
}

/**
 * `q` finds the same rows however it is looked for: on SQLite through the trigram index's
 * candidates when the text is rare (migration 028) or by walking the period, on PostgreSQL
 * through its trigram index; and a purge takes its rows out of the search index.
 */
describeEachEngine('the activity log’s text search', (engine) => {
  let t: TestApp;
  let org: SeededOrg;
  const now = Date.now();
  const rows = Array.from({ length: 240 }, (_, i) => ({
    target: TARGETS[i % TARGETS.length] ?? null,
    details: DETAILS[Math.floor(i / 6) % DETAILS.length] ?? null,
    publicIp: IPS[Math.floor(i / 36) % IPS.length] ?? null,
  }));

  beforeAll(async () => {
    t = await createTestApp(engine);
    org = await seedOrg(t.app);
    const events = rows.map((row, i) => ({
      ...row,
      occurredAt: now - 300 * DAY + i * 60_000,
      userId: org.user.id,
      username: org.user.username,
      activity: 'backup',
      status: 'success',
    }));
    await t.database.db.transaction().execute((trx) => recordActivities(trx, org.orgId, events, now));
  });
  afterAll(() => t.close());

  const filter = (text: string, textCandidates?: readonly number[]): ActivityFilter => ({
    orgId: org.orgId,
    from: now - 365 * DAY,
    to: null,
    userId: null,
    username: null,
    // The rows below only: seeding the org recorded activities of its own.
    activities: ['backup'],
    statuses: [],
    text,
    textCandidates,
    sort: 'occurredAt',
    order: 'desc',
  });
  const found = async (f: ActivityFilter) => {
    const page = await activityPageQuery(t.database.db, f, { after: null, limit: 1_000 }).execute();
    return { count: await countActivities(t.database.db, f, 10_000), listed: page.length };
  };

  const qArb = fc.oneof(
    fc
      .tuple(fc.constantFrom(...PIECES), fc.nat(), fc.integer({ min: 1, max: 8 }))
      .map(([piece, from, length]) => piece.slice(from % piece.length, (from % piece.length) + length)),
    fc.string({
      minLength: 1,
      maxLength: 5,
      unit: fc.constantFrom('a', 'C', '%', '_', '\\', '"', '*', '1', '.', ':'),
    }),
  );

  it('finds exactly the rows that hold q, by the search index or by walking the period alike', async () => {
    await fc.assert(
      fc.asyncProperty(qArb, async (q) => {
        const want = rows.filter((row) => expected(q, row)).length;
        const walked = await found(filter(q));
        expect(walked, q).toEqual({ count: want, listed: want });
        if (engine === 'sqlite') {
          const candidates = await fewTextCandidates(t.database.db, q);
          expect(candidates !== undefined, q).toBe([...q].length >= 3);
          if (candidates) expect(await found(filter(q, candidates)), q).toEqual(walked);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('takes purged rows out of the search index', async () => {
    await purgeExpiredActivities(t.database.db, { now: now + 400 * DAY, retentionDays: 365 });
    expect((await found(filter('timed out'))).count).toBe(0);
    if (engine === 'sqlite') {
      const left = await sql<{ n: number }>`select count(*) as n from activity_search
        where activity_search match ${trigramQuery('timed out')}`.execute(t.database.db);
      expect(Number(left.rows[0]?.n)).toBe(0);
    }
  });
});
