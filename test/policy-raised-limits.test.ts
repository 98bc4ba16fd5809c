import { afterEach, beforeEach, expect, it } from 'vitest';
import { TestClock } from './helpers/clock.js';
import { describeEachEngine } from './helpers/engines.js';
import { as, type SeededOrg, type SignedIn, seedOrg, signIn } from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const POLICY = '/api/org/policy';

/**
 * A session past the org's limits is over, swept or not: a later, higher limit must not bring it
 * back. Nothing sweeps in these tests (the app's sweeper is not run), so the sessions that ran out
 * are exactly the ones no sweep marked ended yet.
 */
describeEachEngine('raising the org’s limits', (engine) => {
  let t: TestApp;
  let clock: TestClock;
  let acme: SeededOrg;
  let user: SignedIn;
  let loginAt: number;

  beforeEach(async () => {
    clock = new TestClock();
    t = await createTestApp(engine, { clock, env: { SESSION_IDLE_MINUTES: '30', SESSION_MAX_HOURS: '12' } });
    acme = await seedOrg(t.app);
    loginAt = clock.now();
    user = await signIn(t.app, acme.user.username);
  });
  afterEach(() => t.close());

  const pass = async (ms: number) => {
    clock.advance(ms);
    await t.app.services.lastAccess.flush();
  };
  /** A fresh admin session, so the admin is never the one that idled out. */
  const setPolicy = async (body: object) => {
    const admin = await signIn(t.app, acme.admin.username);
    const response = await as(t.app, admin).put(POLICY, body);
    expect(response.statusCode, response.body).toBe(200);
    return admin;
  };
  const me = (who: SignedIn) => as(t.app, who).get('/api/me');
  const expectExpired = async (who: SignedIn) => {
    const response = await me(who);
    expect(response.statusCode).toBe(401);
    expect(response.headers['x-session-ended']).toBe('expired');
  };
  const stored = (sessionId: string) =>
    t.database.db
      .selectFrom('sessions')
      .select(['revokedAt', 'revokedReason'])
      .where('id', '=', sessionId)
      .executeTakeFirstOrThrow();

  it('a session idle past the idle limit stays ended when idleMinutes is raised, recorded idle when it ran out', async () => {
    await pass(31 * MINUTE);
    await expectExpired(user);

    const admin = await setPolicy({ idleMinutes: 120 });

    await expectExpired(user);
    expect(await stored(user.sessionId)).toEqual({ revokedAt: loginAt + 30 * MINUTE, revokedReason: 'idle' });
    const detail = (await as(t.app, admin).get(`/api/sessions/${user.sessionId}`)).json().session;
    expect(detail).toMatchObject({ live: false, endReason: 'idle' });
    expect(Date.parse(detail.endedAt)).toBe(loginAt + 30 * MINUTE);
  });

  it('a session past a lowered lifetime stays ended when maxHours is raised again, recorded expired when it ran out', async () => {
    await setPolicy({ maxHours: 1 });
    for (const step of [20, 20, 15]) {
      await pass(step * MINUTE);
      expect((await me(user)).statusCode).toBe(200);
    }
    await pass(10 * MINUTE); // 65 minutes after its login, used 10 minutes ago
    await expectExpired(user);

    await setPolicy({ maxHours: 12 });

    await expectExpired(user);
    expect(await stored(user.sessionId)).toEqual({ revokedAt: loginAt + HOUR, revokedReason: 'expired' });
  });

  it('a session used all along is still live after the raise, and gets the higher limit', async () => {
    await pass(20 * MINUTE);
    expect((await me(user)).statusCode).toBe(200);
    const idle = await signIn(t.app, acme.user.username);
    await pass(31 * MINUTE); // `user` was used 31 minutes ago, `idle` logged in 31 minutes ago
    expect((await me(user)).statusCode).toBe(401);
    const active = await signIn(t.app, acme.user.username);
    await pass(20 * MINUTE);
    expect((await me(active)).statusCode).toBe(200);

    await setPolicy({ idleMinutes: 60 });
    await pass(40 * MINUTE); // past the old 30, within the new 60

    expect((await me(active)).statusCode).toBe(200);
    await expectExpired(idle);
    expect((await stored(active.sessionId)).revokedAt).toBeNull();
  });

  it('raising one org’s limits leaves another org’s sessions alone', async () => {
    const other = await seedOrg(t.app);
    const theirs = await signIn(t.app, other.user.username);
    await pass(31 * MINUTE);

    await setPolicy({ idleMinutes: 120 });

    expect(await stored(theirs.sessionId)).toEqual({ revokedAt: null, revokedReason: null });
  });
});
