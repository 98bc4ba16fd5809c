import { type CompiledQuery, sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { userPageQuery } from '../src/accounts/user-page.repository.js';
import { latestAccessQuery, tallyQuery } from '../src/sessions/session-figures.repository.js';
import { describeEachEngine } from './helpers/engines.js';
import { PASSWORD, type SeededOrg, seedOrg } from './helpers/factories.js';
import { explainPlan } from './helpers/query-plan.js';
import { insertSessionRows } from './helpers/session-rows.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const USERS = 500;
const ENDED_SESSIONS = 5_000;
const LIVE_SESSIONS = 5_000;
const HOUR = 3_600_000;

/**
 * A page of the Users page reads its 100 users and their figures from indexes (migration 015),
 * never a scan of the org's users or of every session they ever had, on either engine.
 */
describeEachEngine('the list of users’ query plans', (engine) => {
  let t: TestApp;
  let org: SeededOrg;
  let userIds: string[];

  beforeAll(async () => {
    t = await createTestApp(engine);
    org = await seedOrg(t.app);
    const usernames = Array.from({ length: USERS }, (_, i) => `plan-${i}`);
    await t.app.services.accounts.createDemoUsers({ orgId: org.orgId, usernames, password: PASSWORD });
    const rows = await t.database.db
      .selectFrom('users')
      .select(['id', 'username'])
      .where('orgId', '=', org.orgId)
      .execute();
    userIds = rows.slice(0, 100).map((r) => r.id);
    const now = Date.now();
    // Years of ended sessions: what the last activity must not read row by row.
    await insertSessionRows(
      t.database,
      Array.from({ length: ENDED_SESSIONS }, (_, i) => {
        const user = rows[i % rows.length] ?? rows[0];
        return {
          orgId: org.orgId,
          userId: user?.id ?? '',
          username: user?.username ?? '',
          lastAccessAt: now - (i + 1) * HOUR,
          revokedAt: now - (i + 1) * HOUR + 60_000,
          revokedReason: 'logout' as const,
        };
      }),
    );
    // And a crowd of live ones across the org, as the live counts see them.
    await insertSessionRows(
      t.database,
      Array.from({ length: LIVE_SESSIONS }, (_, i) => {
        const user = rows[(i * 7) % rows.length] ?? rows[0];
        return {
          orgId: org.orgId,
          userId: user?.id ?? '',
          username: user?.username ?? '',
          lastAccessAt: now - (i % 600) * 1_000,
        };
      }),
    );
    await sql`analyze`.execute(t.database.db);
  });
  afterAll(() => t.close());

  const plan = (compiled: CompiledQuery) => explainPlan(t.database.db, engine, compiled);
  const scope = () => ({ orgId: org.orgId, userIds });

  it("a page's last activity reads only the index of the org's users' accesses", async () => {
    const text = await plan(latestAccessQuery(t.database.db, scope()).compile());
    if (engine === 'sqlite') {
      expect(text).toMatch(
        /SEARCH sessions USING COVERING INDEX sessions_org_user_access_idx \(org_id=\? AND user_id=\?\)/,
      );
      expect(text).not.toMatch(/SCAN sessions/);
    } else {
      expect(text).toMatch(/Index (Only )?Scan using sessions_org_user_access_idx/);
      expect(text).not.toMatch(/Seq Scan/);
    }
  });

  it("a page's live counts probe an index by user", async () => {
    const now = Date.now();
    const text = await plan(
      tallyQuery(t.database.db, { ...scope(), now, idleMs: HOUR, maxMs: 24 * HOUR, lagMs: 30_000 }).compile(),
    );
    if (engine === 'sqlite') {
      expect(text).toMatch(/SEARCH sessions USING (COVERING )?INDEX \w+ \((org_id=\? AND )?user_id=\?/);
      expect(text).not.toMatch(/SCAN sessions/);
    } else {
      expect(text).toMatch(/Index (Only )?Scan using \w+ on sessions/);
      expect(text).not.toMatch(/Seq Scan/);
    }
  });

  it('the first page of users walks the org’s username index in order', async () => {
    const text = await plan(userPageQuery(t.database.db, { orgId: org.orgId }, 100).compile());
    if (engine === 'sqlite') {
      expect(text).toMatch(/SEARCH users USING INDEX users_org_idx \(org_id=\?\)/);
      expect(text).not.toMatch(/TEMP B-TREE|SCAN users/);
    } else {
      expect(text).toMatch(/Index Scan using users_org_username_c_idx on users/);
      expect(text).not.toMatch(/Seq Scan|Sort/);
    }
  });

  it('a page of users, searched and after a cursor, walks a username index in order', async () => {
    const text = await plan(
      userPageQuery(t.database.db, { orgId: org.orgId, prefix: 'plan-1', after: 'plan-10' }, 100).compile(),
    );
    if (engine === 'sqlite') {
      // The vault-wide unique index serves a prefix's range as well: few names of other orgs share it.
      expect(text).toMatch(
        /SEARCH users USING INDEX (users_org_idx \(org_id=\? AND|sqlite_autoindex_users_\d \()username>\? AND username<\?\)/,
      );
      expect(text).not.toMatch(/TEMP B-TREE|SCAN users/);
    } else {
      expect(text).toMatch(/Index Scan using users_org_username_c_idx on users/);
      expect(text).not.toMatch(/Seq Scan|Sort/);
    }
  });
});
