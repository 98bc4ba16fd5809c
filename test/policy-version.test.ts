import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeEachEngine } from './helpers/engines.js';
import { as, type SeededOrg, type SignedIn, seedOrg, signIn } from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const POLICY = '/api/org/policy';
const PARALLEL = 50;

/** Optimistic concurrency for the policy: a save names the version it was made from. */
describeEachEngine('the org policy’s version', (engine) => {
  let t: TestApp;
  let acme: SeededOrg;
  let admin: SignedIn;
  let other: SignedIn;

  beforeEach(async () => {
    t = await createTestApp(engine);
    acme = await seedOrg(t.app);
    admin = await signIn(t.app, acme.admin.username);
    other = await signIn(t.app, acme.admin.username);
  });
  afterEach(() => t.close());

  const get = async () => (await as(t.app, admin).get(POLICY)).json();
  const policyChanges = () =>
    t.database.db
      .selectFrom('activities')
      .select('details')
      .where('orgId', '=', acme.orgId)
      .where('activity', '=', 'org.policy_changed')
      .execute();

  it('counts the changes: 0 without a policy, one more per change, none for a save that changes nothing', async () => {
    expect((await get()).version).toBe(0);
    const first = await as(t.app, admin).put(POLICY, { idleMinutes: 15, version: 0 });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json().version).toBe(1);
    expect((await as(t.app, admin).put(POLICY, { idleMinutes: 15, version: 1 })).json().version).toBe(1);
    expect((await as(t.app, admin).put(POLICY, { maxHours: 8 })).json().version).toBe(2);
    expect((await get()).version).toBe(2);
  });

  it('refuses a save from an older version with 409 CONFLICT, and changes nothing', async () => {
    const read = await get();
    expect((await as(t.app, other).put(POLICY, { idleMinutes: 20, version: read.version })).statusCode).toBe(
      200,
    );

    const stale = await as(t.app, admin).put(POLICY, { idleMinutes: 45, version: read.version });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error.code).toBe('CONFLICT');
    expect(stale.json().error.message).toContain('changed by someone else');
    expect(await get()).toMatchObject({ idleMinutes: 20, version: read.version + 1 });
    expect(await policyChanges()).toHaveLength(1);
    // A version from the future is as stale as one from the past.
    expect((await as(t.app, admin).put(POLICY, { idleMinutes: 45, version: 99 })).statusCode).toBe(409);
  });

  it('still takes a save without a version, as older clients send it (last save wins)', async () => {
    await as(t.app, other).put(POLICY, { idleMinutes: 20 });
    const response = await as(t.app, admin).put(POLICY, { idleMinutes: 45 });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ idleMinutes: 45, version: 2 });
  });

  it(`of ${PARALLEL} saves at once from one version, exactly one gets through and the others get 409`, async () => {
    await as(t.app, admin).put(POLICY, { maxSessionsPerUser: 3 });
    const { version } = await get();
    const responses = await Promise.all(
      Array.from({ length: PARALLEL }, (_, i) =>
        as(t.app, i % 2 === 0 ? admin : other).put(POLICY, { idleMinutes: 10 + i, version }),
      ),
    );

    const statuses = responses.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(PARALLEL - 1);
    const winner = responses.find((r) => r.statusCode === 200)?.json();
    expect(await get()).toEqual(winner);
    expect(winner.version).toBe(version + 1);
    expect(await policyChanges()).toHaveLength(2);
  });
});
