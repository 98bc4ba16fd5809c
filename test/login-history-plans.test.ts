import { type CompiledQuery, sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { HOUR_MS } from '../src/kernel/time.js';
import { historyFactsQuery, previousLocatedQuery } from '../src/sessions/login-history.repository.js';
import { describeEachEngine } from './helpers/engines.js';
import { type SeededOrg, seedOrg, signIn } from './helpers/factories.js';
import { explainPlan } from './helpers/query-plan.js';
import { insertSessionRows } from './helpers/session-rows.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const EARLIER_SESSIONS = 10_000;
const FIREFOX_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';

/**
 * A login's history questions (risk flags) are each answered from an index of migration 012, so
 * a user with 10,000 earlier sessions costs a login no scan of them, on either engine.
 */
describeEachEngine('the login history’s query plans', (engine) => {
  let t: TestApp;
  let org: SeededOrg;

  beforeAll(async () => {
    t = await createTestApp(engine);
    org = await seedOrg(t.app);
    const now = Date.now();
    // Mostly unlocatable (private) addresses, as a user inside a company network would have:
    // the newest located one is far down the user's history.
    await insertSessionRows(
      t.database,
      Array.from({ length: EARLIER_SESSIONS }, (_, i) => ({
        orgId: org.orgId,
        userId: org.user.id,
        username: org.user.username,
        createdAt: now - (i + 1) * HOUR_MS,
        lastAccessAt: now - (i + 1) * HOUR_MS + 60_000,
        revokedAt: now - (i + 1) * HOUR_MS + 120_000,
        revokedReason: 'logout' as const,
        ...(i % 1_000 === 999
          ? { countryCode: 'DE', latitude: 52.52, longitude: 13.32 }
          : { countryCode: null, country: null, city: null }),
      })),
    );
    await sql`analyze`.execute(t.database.db);
  });
  afterAll(() => t.close());

  const plan = (compiled: CompiledQuery) => explainPlan(t.database.db, engine, compiled);

  const key = (countryCode: string | null) => ({
    userId: org.user.id,
    deviceType: 'Desktop',
    osName: 'windows',
    browserName: 'firefox',
    countryCode,
  });

  it('"any earlier session", "this device before" and "this country before" each probe an index', async () => {
    const text = await plan(historyFactsQuery(t.database.db, key('FR')).compile());
    if (engine === 'sqlite') {
      expect(text).toMatch(/SEARCH sessions USING COVERING INDEX sessions_user_device_idx \(user_id=\?\)/);
      expect(text).toMatch(
        /SEARCH sessions USING COVERING INDEX sessions_user_device_idx \(user_id=\? AND device_type=\? AND os_name=\? AND browser_name=\?\)/,
      );
      expect(text).toMatch(
        /SEARCH sessions USING COVERING INDEX sessions_user_country_idx \(user_id=\? AND country_code=\?\)/,
      );
      expect(text).not.toMatch(/SCAN sessions/);
    } else {
      expect(text).toMatch(/Index Only Scan using sessions_user_device_idx/);
      expect(text).toMatch(/Index Only Scan using sessions_user_country_idx/);
      expect(text).not.toMatch(/Seq Scan|Sort/);
    }
  });

  it('the most recent earlier session with coordinates is the newest entry of the located index', async () => {
    const text = await plan(previousLocatedQuery(t.database.db, org.user.id).compile());
    if (engine === 'sqlite') {
      expect(text).toMatch(/SEARCH sessions USING INDEX sessions_user_located_idx \(user_id=\?\)/);
      expect(text).not.toMatch(/TEMP B-TREE|SCAN sessions/);
    } else {
      expect(text).toMatch(/Index Scan Backward using sessions_user_located_idx/);
      expect(text).not.toMatch(/Seq Scan|Sort/);
    }
  });

  it('a login after 10,000 earlier sessions is still compared with all of them', async () => {
    const { response } = await signIn(t.app, org.user.username, {
      ip: '80.67.169.12',
      userAgent: FIREFOX_WINDOWS,
    });
    const { session } = response.json();
    // Firefox was never used, France never seen, and Berlin (the newest located, 1,000 hours
    // ago) to Paris in that time is a stroll.
    expect(session.flags).toEqual(['new_device', 'new_country']);
    const again = await signIn(t.app, org.user.username, { ip: '80.67.169.12' });
    expect(again.response.json().session.flags).toEqual([]);
  });
});
