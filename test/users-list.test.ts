import type { CompiledQuery } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { UserListItem } from '../src/contracts/accounts.js';
import { TestClock } from './helpers/clock.js';
import { describeEachEngine } from './helpers/engines.js';
import { as, PASSWORD, type SeededOrg, type SignedIn, seedOrg, signIn } from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;

describeEachEngine('GET /api/users: live sessions, last activity and lockout', (engine) => {
  let t: TestApp;
  let clock: TestClock;
  let acme: SeededOrg;
  let other: SeededOrg;
  let admin: SignedIn;

  beforeEach(async () => {
    clock = new TestClock();
    t = await createTestApp(engine, { clock, env: { SESSION_IDLE_MINUTES: '30' } });
    acme = await seedOrg(t.app);
    other = await seedOrg(t.app);
    admin = await signIn(t.app, acme.admin.username);
  });
  afterEach(() => t.close());

  /** Moves the clock and writes remembered accesses, as the tracker's timer would. */
  const pass = async (ms: number) => {
    clock.advance(ms);
    await t.app.services.lastAccess.flush();
  };

  const list = async (who: SignedIn): Promise<UserListItem[]> => {
    const response = await as(t.app, who).get('/api/users?limit=500');
    expect(response.statusCode).toBe(200);
    return response.json().users;
  };
  const entry = async (who: SignedIn, userId: string) => {
    const found = (await list(who)).find((u) => u.id === userId);
    if (!found) throw new Error(`user ${userId} is not listed`);
    return found;
  };
  /** What Session Information lists for the user: the rule the count must agree with. */
  const listedSessions = async (who: SignedIn, userId: string) => {
    const response = await as(t.app, who).get(`/api/sessions?userId=${userId}`);
    expect(response.statusCode).toBe(200);
    return (response.json().sessions as Array<{ id: string }>).map((s) => s.id);
  };

  it("counts each user's live sessions, and not those of other users or orgs", async () => {
    await signIn(t.app, acme.user.username);
    await signIn(t.app, acme.user.username, { ip: '8.8.8.8' });
    // Sessions in another org, of users there, must not leak into acme's figures.
    await signIn(t.app, other.user.username);
    await signIn(t.app, other.admin.username);

    const users = await list(admin);
    expect(users.map((u) => u.id).sort()).toEqual([acme.admin.id, acme.user.id].sort());
    expect(users.find((u) => u.id === acme.user.id)?.liveSessions).toBe(2);
    expect(users.find((u) => u.id === acme.admin.id)?.liveSessions).toBe(1);
  });

  it('does not count sessions that were logged out, ended by an admin, or ended by disabling', async () => {
    const laptop = await signIn(t.app, acme.user.username);
    const phone = await signIn(t.app, acme.user.username, { ip: '8.8.8.8' });
    await signIn(t.app, acme.user.username, { ip: '1.1.1.1' });
    expect((await entry(admin, acme.user.id)).liveSessions).toBe(3);

    expect((await as(t.app, laptop).post('/api/auth/logout')).statusCode).toBe(204);
    expect((await as(t.app, admin).delete(`/api/sessions/${phone.sessionId}`)).statusCode).toBe(204);
    expect((await entry(admin, acme.user.id)).liveSessions).toBe(1);

    await as(t.app, admin).patch(`/api/users/${acme.user.id}`, { disabled: true });
    expect(await entry(admin, acme.user.id)).toMatchObject({ disabled: true, liveSessions: 0 });
  });

  it('does not count a session idle for 30 minutes, and counts one the session list still shows', async () => {
    await signIn(t.app, acme.user.username); // left idle
    const busy = await signIn(t.app, acme.user.username, { ip: '8.8.8.8' });
    await pass(29 * MINUTE + 50 * SECOND);
    // Used now, not yet written: only this instance's tracker knows the session is fresh.
    expect((await as(t.app, busy).get('/api/me')).statusCode).toBe(200);
    expect((await as(t.app, admin).get('/api/me')).statusCode).toBe(200);
    clock.advance(20 * SECOND);

    const listed = await listedSessions(admin, acme.user.id);
    expect(listed).toEqual([busy.sessionId]);
    expect((await entry(admin, acme.user.id)).liveSessions).toBe(1);

    await pass(30 * MINUTE);
    // The admin's own session idled out too: a new one asks.
    const again = await signIn(t.app, acme.admin.username);
    expect(await listedSessions(again, acme.user.id)).toEqual([]);
    expect((await entry(again, acme.user.id)).liveSessions).toBe(0);
  });

  /** The org's policy, set as its admin would on the Settings page. */
  const setPolicy = async (who: SignedIn, body: object) => {
    const response = await as(t.app, who).put('/api/org/policy', body);
    expect(response.statusCode, response.body).toBe(200);
  };

  it("counts a session live under the org's raised idleMinutes, beyond the configuration's 30", async () => {
    await setPolicy(admin, { idleMinutes: 480 });
    const user = await signIn(t.app, acme.user.username);
    await pass(2 * 60 * MINUTE);
    // Accepted, and listed in Session Information: the count must say so too.
    const listed = await listedSessions(admin, acme.user.id);
    expect(listed).toEqual([user.sessionId]);
    expect((await entry(admin, acme.user.id)).liveSessions).toBe(listed.length);
    expect((await as(t.app, user).get('/api/me')).statusCode).toBe(200);
  });

  it("does not count a session that began longer ago than the org's lowered maxHours, however much it was used", async () => {
    const old = await signIn(t.app, acme.user.username);
    for (let i = 0; i < 4; i++) {
      await pass(20 * MINUTE);
      expect((await as(t.app, old).get('/api/me')).statusCode).toBe(200);
    }
    const recent = await signIn(t.app, acme.user.username, { ip: '8.8.8.8' });
    const fresh = await signIn(t.app, acme.admin.username);
    await setPolicy(fresh, { maxHours: 1 });

    const listed = await listedSessions(fresh, acme.user.id);
    expect(listed).toEqual([recent.sessionId]);
    expect((await entry(fresh, acme.user.id)).liveSessions).toBe(listed.length);
    expect((await as(t.app, old).get('/api/me')).statusCode).toBe(401);
  });

  it("gives the time of the user's latest request or login, null for a user who never logged in", async () => {
    const created = await as(t.app, admin).post('/api/users', {
      username: `new-${engine}`,
      password: PASSWORD,
      role: 'user',
    });
    const newcomer = created.json().user.id as string;
    expect((await entry(admin, newcomer)).lastActivityAt).toBeNull();

    const loggedInAt = clock.now();
    const user = await signIn(t.app, acme.user.username);
    expect((await entry(admin, acme.user.id)).lastActivityAt).toBe(new Date(loggedInAt).toISOString());

    await pass(5 * MINUTE);
    const usedAt = clock.now();
    await as(t.app, user).get('/api/me');
    await pass(SECOND);
    expect((await entry(admin, acme.user.id)).lastActivityAt).toBe(new Date(usedAt).toISOString());

    // An ended session's last request is still the user's last activity.
    await as(t.app, user).post('/api/auth/logout');
    await pass(MINUTE);
    expect(await entry(admin, acme.user.id)).toMatchObject({
      liveSessions: 0,
      lastActivityAt: new Date(usedAt).toISOString(),
    });
  });

  it('marks a user locked out by failed password attempts, and only that user', async () => {
    for (let i = 1; i <= 10; i++) {
      await t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        remoteAddress: `198.51.100.${i}`,
        payload: { username: acme.user.username, password: 'not the right password' },
      });
    }
    const users = await list(admin);
    expect(users.find((u) => u.id === acme.user.id)?.lockedOut).toBe(true);
    expect(users.find((u) => u.id === acme.admin.id)?.lockedOut).toBe(false);

    expect((await as(t.app, admin).delete(`/api/users/${acme.user.id}/lockout`)).statusCode).toBe(200);
    expect((await entry(admin, acme.user.id)).lockedOut).toBe(false);
  });

  it('shows a user only themselves, with their own figures', async () => {
    const user = await signIn(t.app, acme.user.username);
    await signIn(t.app, acme.user.username, { ip: '8.8.8.8' });
    const users = await list(user);
    expect(users).toHaveLength(1);
    expect(users[0]).toMatchObject({
      id: acme.user.id,
      liveSessions: 2,
      lastActivityAt: new Date(clock.now()).toISOString(),
      lockedOut: false,
    });
  });

  it("shows another org's admin none of this org's users or figures", async () => {
    await signIn(t.app, acme.user.username);
    const foreign = await signIn(t.app, other.admin.username);
    const users = await list(foreign);
    expect(users.map((u) => u.id).sort()).toEqual([other.admin.id, other.user.id].sort());
    expect(users.find((u) => u.id === other.admin.id)?.liveSessions).toBe(1);
    expect(users.find((u) => u.id === other.user.id)).toMatchObject({
      liveSessions: 0,
      lastActivityAt: null,
    });
  });

  it('answers for 300 users with sessions in the same few queries as for two', async () => {
    const { accounts } = t.app.services;
    const usernames = Array.from({ length: 300 }, (_, i) => `crowd-${engine}-${i}`);
    await accounts.createDemoUsers({ orgId: acme.orgId, usernames, password: PASSWORD });
    for (const username of usernames.slice(0, 5)) await signIn(t.app, username);
    const queries: string[] = [];
    const executor = t.database.db.getExecutor();
    const execute = executor.executeQuery.bind(executor);
    executor.executeQuery = <R>(query: CompiledQuery<R>) => {
      queries.push(query.sql);
      return execute(query);
    };
    const users = await list(admin).finally(() => {
      executor.executeQuery = execute;
    });
    expect(users).toHaveLength(302);
    expect(users.filter((u) => u.liveSessions === 1)).toHaveLength(6);
    // The users, their count, two figures of sessions, the lockouts, the org's limits (and
    // nothing per user).
    expect(queries.length).toBeGreaterThanOrEqual(5);
    expect(queries.length).toBeLessThanOrEqual(7);
  });
});
