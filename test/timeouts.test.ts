import { afterEach, beforeEach, expect, it } from 'vitest';
import { LAST_ACCESS_FLUSH_MS } from '../src/sessions/last-access.js';
import { TestClock } from './helpers/clock.js';
import { describeEachEngine } from './helpers/engines.js';
import { as, type SeededOrg, type SignedIn, seedOrg, signIn } from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
/** The promise: Last Access Time is fresh within a minute. */
const FRESHNESS_MS = 60 * SECOND;

describeEachEngine('idle timeout, absolute lifetime and last access', (engine) => {
  let t: TestApp;
  let clock: TestClock;
  let acme: SeededOrg;
  let admin: SignedIn;
  let user: SignedIn;

  beforeEach(async () => {
    clock = new TestClock();
    t = await createTestApp(engine, {
      clock,
      env: { SESSION_IDLE_MINUTES: '30', SESSION_MAX_HOURS: '12' },
    });
    acme = await seedOrg(t.app);
    admin = await signIn(t.app, acme.admin.username);
    user = await signIn(t.app, acme.user.username);
  });
  afterEach(() => t.close());

  /**
   * Moves the clock as real time would pass: the tracker's timer writes remembered accesses
   * every LAST_ACCESS_FLUSH_MS, so after a longer step they are in the database.
   */
  const pass = async (ms: number) => {
    clock.advance(ms);
    await t.app.services.lastAccess.flush();
  };

  const me = (who: SignedIn) => as(t.app, who).get('/api/me');

  const listed = async (who: SignedIn) => {
    const response = await as(t.app, who).get('/api/sessions');
    expect(response.statusCode).toBe(200);
    return response.json().sessions as Array<{ id: string; lastAccessAt: string }>;
  };

  const storedLastAccess = async (sessionId: string) => {
    const row = await t.database.db
      .selectFrom('sessions')
      .select('lastAccessAt')
      .where('id', '=', sessionId)
      .executeTakeFirstOrThrow();
    return Number(row.lastAccessAt);
  };

  const expectExpired = async (who: SignedIn) => {
    const response = await me(who);
    expect(response.statusCode).toBe(401);
    expect(response.json().error.code).toBe('SESSION_ENDED');
    expect(response.headers['x-session-ended']).toBe('expired');
  };

  it('refuses a session idle for 30 minutes (SESSION_ENDED, expired) and drops it from the list', async () => {
    await pass(20 * MINUTE);
    expect((await me(admin)).statusCode).toBe(200); // the admin stays active, the user does not
    await pass(10 * MINUTE);

    await expectExpired(user);
    const ids = (await listed(admin)).map((s) => s.id);
    expect(ids).toContain(admin.sessionId);
    expect(ids).not.toContain(user.sessionId);
  });

  it('still accepts a session idle for one second less than 30 minutes', async () => {
    await pass(30 * MINUTE - SECOND);
    expect((await me(user)).statusCode).toBe(200);
  });

  it('keeps a session used every 20 minutes alive past 30 minutes, counting accesses not yet written', async () => {
    const loggedInAt = clock.now();
    for (let step = 1; step <= 3; step++) {
      clock.advance(20 * MINUTE); // no flush: every access so far lives only in the tracker
      expect((await me(user)).statusCode).toBe(200);
    }
    expect(clock.now() - loggedInAt).toBe(60 * MINUTE);
    expect(await storedLastAccess(user.sessionId)).toBe(loggedInAt);
  });

  it('lists, and lets an admin end, a session used just inside the idle window whose access is not yet written', async () => {
    await pass(20 * MINUTE);
    expect((await me(admin)).statusCode).toBe(200); // the admin stays active throughout
    // Used at 29:50; the tracker owes the database that access for up to one flush interval.
    await pass(10 * MINUTE - 10 * SECOND);
    expect((await me(user)).statusCode).toBe(200);
    clock.advance(10 * SECOND);
    expect(10 * SECOND).toBeLessThan(LAST_ACCESS_FLUSH_MS);

    // 30:00 since login, 10 s since the last request: alive, so it is listed and can be ended.
    expect((await listed(admin)).map((s) => s.id)).toContain(user.sessionId);
    const ended = await as(t.app, admin).post('/api/sessions/logout', { sessionIds: [user.sessionId] });
    expect(ended.statusCode).toBe(200);
    expect(ended.json()).toEqual({ terminated: 1 });
    const next = await me(user);
    expect(next.statusCode).toBe(401);
    expect(next.headers['x-session-ended']).toBe('terminated');
  });

  it("ends, on a password change, the user's other session used just inside the idle window", async () => {
    const other = await signIn(t.app, acme.user.username, { ip: '8.8.8.8' });
    await pass(30 * MINUTE - 10 * SECOND);
    expect((await me(other)).statusCode).toBe(200);
    clock.advance(10 * SECOND);
    expect(10 * SECOND).toBeLessThan(LAST_ACCESS_FLUSH_MS);

    // The changer's own session idled out; a fresh login changes the password.
    const changer = await signIn(t.app, acme.user.username);
    const changed = await as(t.app, changer).post('/api/me/password', {
      currentPassword: 'correct horse battery staple',
      newPassword: 'a different and long passphrase',
    });
    expect(changed.statusCode).toBe(204);
    const next = await me(other);
    expect(next.statusCode).toBe(401);
    expect(next.headers['x-session-ended']).toBe('password_changed');
  });

  it('ends a session at its absolute lifetime of 12 hours even when it is used every 10 minutes', async () => {
    const loggedInAt = clock.now();
    while (clock.now() - loggedInAt < 12 * HOUR - 10 * MINUTE) {
      await pass(10 * MINUTE);
      expect((await me(user)).statusCode).toBe(200);
    }
    await pass(10 * MINUTE - SECOND);
    expect((await me(user)).statusCode).toBe(200); // 11:59:59, used a moment ago
    await pass(SECOND);
    expect(clock.now() - loggedInAt).toBe(12 * HOUR);

    await expectExpired(user);
    const freshAdmin = await signIn(t.app, acme.admin.username);
    expect((await listed(freshAdmin)).map((s) => s.id)).not.toContain(user.sessionId);
  });

  it('never lists an expired session as active, nor lets anyone end it again', async () => {
    await pass(31 * MINUTE);
    const fresh = await signIn(t.app, acme.user.username);
    const freshAdmin = await signIn(t.app, acme.admin.username);

    expect((await listed(fresh)).map((s) => s.id)).toEqual([fresh.sessionId]);
    const adminIds = (await listed(freshAdmin)).map((s) => s.id).sort();
    expect(adminIds).toEqual([fresh.sessionId, freshAdmin.sessionId].sort());
    // An expired session is not "active": the Logout button cannot see it.
    const ended = await as(t.app, freshAdmin).post('/api/sessions/logout', { sessionIds: [user.sessionId] });
    expect(ended.statusCode).toBe(404);
    await expectExpired(user);
  });

  it('does not write last access on each request, shows it fresh in the list at once, and writes it on flush', async () => {
    const loggedInAt = clock.now();
    clock.advance(5 * MINUTE);
    const usedAt = clock.now();
    expect((await me(user)).statusCode).toBe(200);

    // The request was served without a write.
    expect(await storedLastAccess(user.sessionId)).toBe(loggedInAt);

    // Yet the admin's list, before any flush, shows when the session was last used.
    clock.advance(10 * SECOND);
    const shown = (await listed(admin)).find((s) => s.id === user.sessionId);
    const shownAt = Date.parse(shown?.lastAccessAt ?? '');
    expect(shownAt).toBeGreaterThanOrEqual(usedAt - FRESHNESS_MS);
    expect(shownAt).toBeLessThanOrEqual(usedAt);
    expect(await storedLastAccess(user.sessionId)).toBe(loggedInAt);

    await t.app.services.lastAccess.flush();
    const written = await storedLastAccess(user.sessionId);
    expect(written).toBeGreaterThanOrEqual(usedAt - FRESHNESS_MS);
    expect(written).toBeLessThanOrEqual(usedAt);
  });

  it('orders the list by the freshest known access, written or not', async () => {
    clock.advance(MINUTE);
    const other = await signIn(t.app, acme.user.username, { ip: '8.8.8.8' }); // written at login
    clock.advance(MINUTE);
    expect((await me(user)).statusCode).toBe(200); // newer, but only in memory
    clock.advance(MINUTE);
    // The admin's own list request is the newest access of all.
    expect((await listed(admin)).map((s) => s.id)).toEqual([
      admin.sessionId,
      user.sessionId,
      other.sessionId,
    ]);
  });
});
