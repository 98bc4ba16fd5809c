import { type CompiledQuery, sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { SessionSort } from '../src/contracts/sessions.js';
import { countSessionsQuery, type SessionQuery, sessionPageQuery } from '../src/sessions/session-query.js';
import { describeEachEngine } from './helpers/engines.js';
import { type SeededOrg, seedOrg } from './helpers/factories.js';
import { explainPlan } from './helpers/query-plan.js';
import { insertSessionRows } from './helpers/session-rows.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const FILTERS: Array<[string, Partial<SessionQuery>]> = [
  ['none', {}],
  ['userId', { userId: '00000000-0000-4000-8000-000000000000' }],
  ['username', { username: 'someone' }],
  ['country', { country: 'DE' }],
  ['deviceType', { deviceType: 'Mobile' }],
  ['os', { osName: 'windows' }],
  ['browser', { browserName: 'chrome' }],
  ['flag', { flag: 'new_country' }],
];
const SORTS: SessionSort[] = ['lastAccessAt', 'createdAt', 'username', 'country'];

/**
 * Every filter (with the default sort) and every sort (unfiltered) of the list is served by an
 * index, in order: no scan of the table and no sort of the matching rows, on either engine.
 */
describeEachEngine('the session list’s query plans', (engine) => {
  let t: TestApp;
  let org: SeededOrg;

  beforeAll(async () => {
    t = await createTestApp(engine);
    org = await seedOrg(t.app);
    await insertSessionRows(
      t.database,
      Array.from({ length: 2_000 }, (_, i) => ({
        orgId: org.orgId,
        userId: org.user.id,
        username: org.user.username,
        lastAccessAt: Date.now() - i * 1_000,
        countryCode: ['DE', 'US', 'GB', 'FR'][i % 4] as string,
        deviceType: ['Desktop', 'Mobile'][i % 2] as string,
      })),
    );
    await sql`analyze`.execute(t.database.db);
  });
  afterAll(() => t.close());

  const query = (filter: Partial<SessionQuery>): SessionQuery => ({
    orgId: org.orgId,
    now: Date.now(),
    idleMs: 1_800_000,
    maxMs: 43_200_000,
    ...filter,
  });
  const plan = (filter: Partial<SessionQuery>, sort: SessionSort): Promise<string> =>
    explain(sessionPageQuery(t.database.db, query(filter), { sort, order: 'desc', limit: 100 }).compile());

  const explain = (compiled: CompiledQuery, off?: readonly string[]) =>
    explainPlan(t.database.db, engine, compiled, off);

  const servedInOrder = (text: string) => {
    if (engine === 'sqlite') {
      expect(text).toMatch(/USING (COVERING )?INDEX sessions_live_/);
      expect(text).not.toMatch(/TEMP B-TREE/);
    } else {
      expect(text).toMatch(/Index (Only )?Scan (Backward )?using sessions_live_/);
      expect(text).not.toMatch(/Sort|Seq Scan/);
    }
  };

  for (const [name, filter] of FILTERS) {
    it(`filter ${name}, most recent first: read in order from an index`, async () => {
      const text = await plan(filter, 'lastAccessAt');
      if (name === 'userId') {
        // A user's few sessions from their own index (then sorted), or the org's in order: both indexed.
        expect(text).toMatch(/sessions_live_(user|org_access)_idx/);
        expect(text).not.toMatch(/Seq Scan|SCAN s\b(?! USING)/);
      } else {
        servedInOrder(text);
      }
    });
  }
  for (const sort of SORTS) {
    it(`sort ${sort}: read in order from an index`, async () => servedInOrder(await plan({}, sort)));
  }

  // The capped total is read with every page: on SQLite from the index alone (the lifetime
  // columns and q's are in it), so 10,000 matches cost no 10,000 reads of the table.
  const COUNTED: Array<[string, Partial<SessionQuery>]> = [
    ...FILTERS.filter(([name]) => name !== 'userId' && name !== 'flag'),
    ['q', { q: '81.2.' }],
  ];
  for (const [name, filter] of COUNTED) {
    it.runIf(engine === 'sqlite')(`filter ${name}: its capped count reads an index only`, async () => {
      const text = await explain(countSessionsQuery(t.database.db, query(filter), 10_000).compile());
      expect(text).toMatch(/USING COVERING INDEX sessions_live_/);
    });
  }

  it.runIf(engine === 'sqlite')(
    'q with few candidates: read from the text and address indexes, not the org',
    async () => {
      // 2,000 sessions hold no "zzqx": the org's index would be walked whole (migration 016).
      const f = query({ q: 'zzqx', candidatesFirst: true });
      for (const compiled of [
        sessionPageQuery(t.database.db, f, { sort: 'lastAccessAt', order: 'desc', limit: 100 }).compile(),
        countSessionsQuery(t.database.db, f, 10_000).compile(),
      ]) {
        const text = await explain(compiled);
        expect(text).toMatch(/SEARCH s USING INTEGER PRIMARY KEY \(rowid=\?\)/);
        expect(text).toMatch(/session_search VIRTUAL TABLE/);
        expect(text).toMatch(/sessions_live_org_ip_idx/);
      }
    },
  );

  it.runIf(engine === 'postgres')('q: each half of the text filter is looked up in an index', async () => {
    // Each half as the list writes it (session-query.ts); whether the planner combines them for
    // one org depends on its statistics (bench:sessions-list shows the BitmapOr at 100,000 rows).
    const ip = sql`select id from sessions s where s.org_id = ${org.orgId} and s.revoked_at is null
      and s.public_ip like ${'81.2.%'} escape '\\'`;
    expect(await explain(ip.compile(t.database.db))).toMatch(/sessions_live_org_ip_idx/);
    // Scanning any other live index whole is cheaper on this small table than the trigram
    // index, so the others are dropped inside a transaction that is rolled back.
    const text = sql`select id from sessions s where s.revoked_at is null and s.search like ${'%amster%'} escape '\\'`;
    let plan = '';
    const rollBack = new Error('roll back');
    await t.database.db
      .transaction()
      .execute(async (trx) => {
        const others = await sql<{ indexname: string }>`select indexname from pg_indexes
          where tablename = 'sessions' and schemaname = current_schema()
            and indexname like 'sessions_live_%' and indexname <> 'sessions_live_search_trgm_idx'`.execute(
          trx,
        );
        for (const { indexname } of others.rows) await sql`drop index ${sql.id(indexname)}`.execute(trx);
        await sql`set local enable_seqscan = off`.execute(trx);
        const explained = await sql<{ 'QUERY PLAN': string }>`explain ${text}`.execute(trx);
        plan = explained.rows.map((r) => r['QUERY PLAN']).join('\n');
        throw rollBack;
      })
      .catch((error: unknown) => {
        if (error !== rollBack) throw error;
      });
    expect(plan).toMatch(/Bitmap Index Scan on sessions_live_search_trgm_idx/);
  });
});
