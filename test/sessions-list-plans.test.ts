import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { SessionSort } from '../src/contracts/sessions.js';
import { type SessionQuery, sessionPageQuery } from '../src/sessions/session-query.js';
import { describeEachEngine } from './helpers/engines.js';
import { type SeededOrg, seedOrg } from './helpers/factories.js';
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

  const plan = async (filter: Partial<SessionQuery>, sort: SessionSort): Promise<string> => {
    const compiled = sessionPageQuery(
      t.database.db,
      { orgId: org.orgId, now: Date.now(), idleMs: 1_800_000, maxMs: 43_200_000, ...filter },
      { sort, order: 'desc', limit: 100 },
    ).compile();
    if (engine === 'sqlite') {
      const rows = await t.database.db
        .withoutPlugins()
        .executeQuery<{ detail: string }>({ ...compiled, sql: `explain query plan ${compiled.sql}` });
      return rows.rows.map((r) => r.detail).join('\n');
    }
    // A small table may be cheaper to scan; what matters is that an index can serve the query.
    return t.database.db.connection().execute(async (db) => {
      await sql`set enable_seqscan = off`.execute(db);
      await sql`set enable_bitmapscan = off`.execute(db);
      const explained = await db.executeQuery<{ 'QUERY PLAN': string }>({
        ...compiled,
        sql: `explain ${compiled.sql}`,
      });
      await sql`reset enable_seqscan`.execute(db);
      await sql`reset enable_bitmapscan`.execute(db);
      return explained.rows.map((r) => r['QUERY PLAN']).join('\n');
    });
  };

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
});
