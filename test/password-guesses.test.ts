import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ipBudgetKey } from '../src/accounts/password-guesses.js';
import { operatorActor } from '../src/kernel/actor.js';
import { TestClock } from './helpers/clock.js';
import { describeEachEngine } from './helpers/engines.js';
import { as, PASSWORD, type SeededOrg, type SignedIn, seedOrg, signIn } from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const WRONG = 'not the right password';
const WINDOW_MS = 15 * 60_000;

describeEachEngine('password guesses', (engine) => {
  let t: TestApp;
  let clock: TestClock;
  let acme: SeededOrg;

  beforeEach(async () => {
    clock = new TestClock();
    t = await createTestApp(engine, { clock });
    acme = await seedOrg(t.app);
  });
  afterEach(() => t.close());

  const login = (
    username: string,
    password: string,
    options: { ip?: string; cookie?: string } = {},
  ): Promise<LightMyRequestResponse> =>
    t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      remoteAddress: options.ip ?? '203.0.113.9',
      headers: options.cookie ? { cookie: options.cookie } : {},
      payload: { username, password },
    });
  const deviceCookieOf = (response: LightMyRequestResponse) => {
    const cookie = response.cookies.find((c) => c.name === 'vault_device');
    if (!cookie) throw new Error('no device cookie');
    return cookie;
  };
  const activitiesNamed = async (activity: string) =>
    t.database.db.selectFrom('activities').selectAll().where('activity', '=', activity).execute();
  const statuses = (responses: LightMyRequestResponse[]) => {
    const counts: Record<number, number> = {};
    for (const r of responses) counts[r.statusCode] = (counts[r.statusCode] ?? 0) + 1;
    return counts;
  };

  describe('under concurrency', () => {
    it('checks no more of 60 wrong passwords sent at once for one username than of 60 sent one by one', async () => {
      const parallel = await Promise.all(
        Array.from({ length: 60 }, (_, i) => login(acme.user.username, WRONG, { ip: `198.51.100.${i + 1}` })),
      );
      // Every 401 is a password that was checked; the rest were refused before any check.
      expect(statuses(parallel)).toEqual({ 401: 10, 429: 50 });
      expect(await activitiesNamed('user.login_failed')).toHaveLength(10);

      clock.advance(WINDOW_MS);
      const sequential: LightMyRequestResponse[] = [];
      for (let i = 0; i < 60; i++) {
        sequential.push(await login(acme.user.username, WRONG, { ip: `192.0.2.${i + 1}` }));
      }
      expect(statuses(sequential)).toEqual(statuses(parallel));
    });

    it("takes back a correct password's reservation, so 50 correct logins at once all succeed", async () => {
      const responses = await Promise.all(
        Array.from({ length: 50 }, () => login(acme.user.username, PASSWORD, { ip: '198.51.100.1' })),
      );
      expect(statuses(responses)).toEqual({ 200: 50 });
      expect((await login(acme.user.username, PASSWORD)).statusCode).toBe(200);
    });

    it('checks at most 10 of 50 wrong current passwords sent at once to a password change, and logs each', async () => {
      const user = await signIn(t.app, acme.user.username);
      const responses = await Promise.all(
        Array.from({ length: 50 }, () =>
          as(t.app, user).post('/api/me/password', {
            currentPassword: WRONG,
            newPassword: 'a new long passphrase',
          }),
        ),
      );
      expect(statuses(responses)).toEqual({ 400: 10, 429: 40 });
      const failed = await activitiesNamed('user.password_change_failed');
      expect(failed).toHaveLength(10);
      expect(failed[0]).toMatchObject({ username: acme.user.username, status: 'failure' });
    });
  });

  describe('budgets', () => {
    it('counts an IPv6 /64 as one address, and only that /64', async () => {
      for (let i = 1; i <= 30; i++) {
        const ip = `2001:db8:1:2:${i.toString(16)}::1`;
        expect((await login(`nobody-${i}`, WRONG, { ip })).statusCode).toBe(401);
      }
      const sameNetwork = await login(acme.user.username, PASSWORD, { ip: '2001:db8:1:2:ffff::9' });
      expect(sameNetwork.statusCode).toBe(429);
      expect(sameNetwork.json().error.code).toBe('RATE_LIMITED');
      expect((await login(acme.user.username, PASSWORD, { ip: '2001:db8:1:3::1' })).statusCode).toBe(200);
    });

    it('applies the same limit to wrong current passwords of a password change as to logins', async () => {
      const user = await signIn(t.app, acme.user.username);
      for (let i = 0; i < 10; i++) {
        const response = await as(t.app, user).post('/api/me/password', {
          currentPassword: WRONG,
          newPassword: 'a new long passphrase',
        });
        expect(response.statusCode).toBe(400);
      }
      const blocked = await as(t.app, user).post('/api/me/password', {
        currentPassword: PASSWORD,
        newPassword: 'a new long passphrase',
      });
      expect(blocked.statusCode).toBe(429);
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
      // One budget: the password change's failures also lock password logins from unknown devices.
      expect((await login(acme.user.username, PASSWORD)).statusCode).toBe(429);
    });

    it('counts a guess left "being checked" by a process that died as failed, instead of waiting on it', async () => {
      const died = clock.now();
      await t.database.db
        .insertInto('loginFailures')
        .values(
          Array.from({ length: 10 }, (_, i) => ({
            ip: `198.51.100.${i + 1}`,
            username: acme.user.username,
            deviceId: null,
            at: died,
            failed: 0,
          })),
        )
        .execute();
      clock.advance(61_000);
      const response = await login(acme.user.username, PASSWORD);
      expect(response.statusCode).toBe(429);
      // Refused for the abandoned guesses' window, not after giving up on a queue that never moves.
      expect(Number(response.headers['retry-after'])).toBe((WINDOW_MS - 61_000) / 1000);
    });

    it('purges every expired failure, not only those of the address and username that fail next', async () => {
      for (let i = 1; i <= 5; i++) await login(`someone-${i}`, WRONG, { ip: `198.51.100.${i}` });
      clock.advance(WINDOW_MS + 1);
      await login('someone-else', WRONG, { ip: '192.0.2.77' });
      const rows = await t.database.db.selectFrom('loginFailures').select('username').execute();
      expect(rows.map((r) => r.username)).toEqual(['someone-else']);
    });
  });

  describe('lockout', () => {
    let owner: SignedIn;
    let ownerDevice: string;

    beforeEach(async () => {
      owner = await signIn(t.app, acme.user.username);
      const cookie = deviceCookieOf(owner.response);
      ownerDevice = `vault_device=${cookie.value}`;
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/api/' });
    });
    const lockOut = async () => {
      for (let i = 1; i <= 10; i++) await login(acme.user.username, WRONG, { ip: `198.51.100.${i}` });
    };

    it("does not lock the owner's known browser out when anyone else guesses 10 times", async () => {
      await lockOut();
      expect((await login(acme.user.username, PASSWORD)).statusCode).toBe(429);
      const fromKnownDevice = await login(acme.user.username, PASSWORD, { cookie: ownerDevice });
      expect(fromKnownDevice.statusCode).toBe(200);
    });

    it('records the lockout as an activity once, with when it ends', async () => {
      await lockOut();
      await login(acme.user.username, WRONG, { ip: '198.51.100.99' });
      const lockouts = await activitiesNamed('user.locked_out');
      expect(lockouts).toHaveLength(1);
      expect(lockouts[0]).toMatchObject({ userId: acme.user.id, status: 'failure' });
      expect(lockouts[0]?.details).toContain(new Date(clock.now() + WINDOW_MS).toISOString());
    });

    it("gives no way around it with a forged device cookie or another user's", async () => {
      await lockOut();
      const forged = `${ownerDevice.split('.')[0]}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`;
      expect((await login(acme.user.username, PASSWORD, { cookie: forged })).statusCode).toBe(429);
      const other = await signIn(t.app, acme.admin.username);
      const othersDevice = `vault_device=${deviceCookieOf(other.response).value}`;
      expect((await login(acme.user.username, PASSWORD, { cookie: othersDevice })).statusCode).toBe(429);
    });

    it('limits guesses from a known device on their own, without locking the username', async () => {
      for (let i = 0; i < 10; i++) {
        expect((await login(acme.user.username, WRONG, { cookie: ownerDevice })).statusCode).toBe(401);
      }
      expect((await login(acme.user.username, PASSWORD, { cookie: ownerDevice })).statusCode).toBe(429);
      expect((await login(acme.user.username, PASSWORD)).statusCode).toBe(200);
    });

    it('lets an admin clear it, as an activity; not a plain user, not for another org', async () => {
      await lockOut();
      const admin = await signIn(t.app, acme.admin.username);
      const byUser = await as(t.app, owner).delete(`/api/users/${acme.user.id}/lockout`);
      expect(byUser.statusCode).toBe(403);
      const other = await seedOrg(t.app);
      const otherAdmin = await signIn(t.app, other.admin.username);
      expect((await as(t.app, otherAdmin).delete(`/api/users/${acme.user.id}/lockout`)).statusCode).toBe(404);

      const cleared = await as(t.app, admin).delete(`/api/users/${acme.user.id}/lockout`);
      expect(cleared.statusCode).toBe(200);
      expect(cleared.json()).toEqual({ cleared: 10 });
      expect((await login(acme.user.username, PASSWORD)).statusCode).toBe(200);
      const [activity] = await activitiesNamed('user.lockout_cleared');
      expect(activity).toMatchObject({ username: acme.admin.username, target: acme.user.username });
    });

    it('lets the CLI operator clear it', async () => {
      await lockOut();
      const forgotten = await t.app.services.accounts.clearLockout(operatorActor(acme.orgId), acme.user.id);
      expect(forgotten).toBe(10);
      expect((await login(acme.user.username, PASSWORD)).statusCode).toBe(200);
    });
  });
});

describe('ipBudgetKey', () => {
  it('keeps IPv4 addresses and folds IPv6 ones into their /64', () => {
    expect(ipBudgetKey('203.0.113.9')).toBe('203.0.113.9');
    expect(ipBudgetKey('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(ipBudgetKey('2001:db8::1')).toBe('2001:db8::/64');
    expect(ipBudgetKey('unknown')).toBe('unknown');
  });
});
