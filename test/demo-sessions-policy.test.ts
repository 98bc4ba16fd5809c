import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeEachEngine } from './helpers/engines.js';
import { as, type SeededOrg, seedOrg, signIn } from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const HOUR_MS = 3_600_000;

describeEachEngine('demo sessions follow the org policy', (engine) => {
  let t: TestApp;
  let acme: SeededOrg;

  beforeEach(async () => {
    t = await createTestApp(engine);
    acme = await seedOrg(t.app);
  });
  afterEach(() => t.close());

  it('last no longer than the org’s absolute limit, not the configuration’s, live and ended alike', async () => {
    const admin = await signIn(t.app, acme.admin.username);
    const policy = await as(t.app, admin).put('/api/org/policy', { maxHours: 1, idleMinutes: 5 });
    expect(policy.statusCode, policy.body).toBe(200);
    // The admin's own login came before the policy: only the demo's sessions are looked at.
    const before = await t.database.db.selectFrom('sessions').select('id').execute();
    const users = [acme.user, acme.admin].map((u) => ({ id: u.id, username: u.username }));
    for (const ended of [false, true]) {
      await t.app.services.sessions.createDemoSessions({ orgId: acme.orgId, users, count: 200, ended });
    }
    const rows = await t.database.db
      .selectFrom('sessions')
      .select(['createdAt', 'expiresAt'])
      .where('orgId', '=', acme.orgId)
      .where(
        'id',
        'not in',
        before.map((r) => r.id),
      )
      .execute();
    expect(rows.length).toBeGreaterThanOrEqual(400);
    const lifetimes = rows.map((r) => Number(r.expiresAt) - Number(r.createdAt));
    // The configuration's default is 12 hours; the org allows one.
    expect(Math.max(...lifetimes)).toBeLessThanOrEqual(HOUR_MS);
  });
});
