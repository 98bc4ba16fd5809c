import { afterEach, describe, expect, it } from 'vitest';
import type { LiveBus } from '../src/sessions/live-events.js';
import { describeEachEngine } from './helpers/engines.js';
import { as, PASSWORD, type SeededOrg, type SignedIn, seedOrg, signIn } from './helpers/factories.js';
import { injectFailure, removeFailure } from './helpers/faults.js';
import { createTestApp, type TestApp, type TestAppOptions } from './helpers/test-app.js';

const NEW_PASSWORD = 'a brand new passphrase 2026';

/** A bus that cannot reach the other instances, e.g. PostgreSQL refusing the NOTIFY. */
const failingPublish = (bus: LiveBus): LiveBus => ({
  publish: async () => {
    throw new Error('NOTIFY failed');
  },
  close: () => bus.close(),
});

describeEachEngine('changes that end sessions', (engine) => {
  let t: TestApp;
  let acme: SeededOrg;
  let admin: SignedIn;
  let user: SignedIn;
  let userElsewhere: SignedIn;

  const start = async (options: TestAppOptions = {}) => {
    t = await createTestApp(engine, options);
    acme = await seedOrg(t.app);
    admin = await signIn(t.app, acme.admin.username);
    user = await signIn(t.app, acme.user.username);
    userElsewhere = await signIn(t.app, acme.user.username, { ip: '8.8.8.8' });
  };
  afterEach(() => t.close());

  const me = (who: SignedIn) => as(t.app, who).get('/api/me');
  const login = (username: string, password: string) =>
    t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
  const activitiesNamed = (activity: string) =>
    t.database.db
      .selectFrom('activities')
      .selectAll()
      .where('orgId', '=', acme.orgId)
      .where('activity', '=', activity)
      .execute();
  /** Ending a session fails, as a crash between the change and the ending would leave it. */
  const failEndingSessions = () =>
    injectFailure(t.database, { name: 'fail_revoke', table: 'sessions', event: 'update of revoked_at' });

  describe('all or nothing', () => {
    it('a password change whose sessions cannot be ended changes nothing', async () => {
      await start();
      await failEndingSessions();
      const response = await as(t.app, user).post('/api/me/password', {
        currentPassword: PASSWORD,
        newPassword: NEW_PASSWORD,
      });
      expect(response.statusCode).toBeGreaterThanOrEqual(500);

      expect((await login(acme.user.username, PASSWORD)).statusCode).toBe(200);
      expect((await login(acme.user.username, NEW_PASSWORD)).statusCode).toBe(401);
      expect(await activitiesNamed('user.password_changed')).toEqual([]);
      expect((await me(userElsewhere)).statusCode).toBe(200);
    });

    it('once the failure is gone, the same password change succeeds and ends the other sessions', async () => {
      await start();
      await failEndingSessions();
      const body = { currentPassword: PASSWORD, newPassword: NEW_PASSWORD };
      expect((await as(t.app, user).post('/api/me/password', body)).statusCode).toBeGreaterThanOrEqual(500);
      await removeFailure(t.database, { name: 'fail_revoke', table: 'sessions' });
      const response = await as(t.app, user).post('/api/me/password', {
        currentPassword: PASSWORD,
        newPassword: NEW_PASSWORD,
      });
      expect(response.statusCode).toBe(204);
      expect((await me(userElsewhere)).headers['x-session-ended']).toBe('password_changed');
      expect((await me(user)).statusCode).toBe(200);
      expect(await activitiesNamed('user.password_changed')).toHaveLength(1);
      expect(await activitiesNamed('session.terminated')).toHaveLength(1);
    });

    it('disabling a user whose sessions cannot be ended leaves the user enabled', async () => {
      await start();
      await failEndingSessions();
      const response = await as(t.app, admin).patch(`/api/users/${acme.user.id}`, { disabled: true });
      expect(response.statusCode).toBeGreaterThanOrEqual(500);

      const stored = await t.database.db
        .selectFrom('users')
        .select('disabledAt')
        .where('id', '=', acme.user.id)
        .executeTakeFirstOrThrow();
      expect(stored.disabledAt).toBeNull();
      expect(await activitiesNamed('user.disabled')).toEqual([]);
      expect((await me(user)).statusCode).toBe(200);
      expect((await login(acme.user.username, PASSWORD)).statusCode).toBe(200);
    });

    it('a lockout whose lifting cannot be recorded stays in place', async () => {
      await start();
      expect((await login(acme.user.username, 'not the password at all')).statusCode).toBe(401);
      await injectFailure(t.database, {
        name: 'fail_lockout_record',
        table: 'activities',
        event: 'insert',
        when: "new.activity = 'user.lockout_cleared'",
      });
      const response = await as(t.app, admin).delete(`/api/users/${acme.user.id}/lockout`);
      expect(response.statusCode).toBeGreaterThanOrEqual(500);

      const failures = await t.database.db
        .selectFrom('loginFailures')
        .select('id')
        .where('username', '=', acme.user.username)
        .where('failed', '=', 1)
        .execute();
      expect(failures).toHaveLength(1);
    });
  });

  describe('when the live event cannot be published', () => {
    it('DELETE of a session answers 204 and the session is ended', async () => {
      await start({ wrapLiveBus: failingPublish });
      const response = await as(t.app, admin).delete(`/api/sessions/${user.sessionId}`);
      expect(response.statusCode).toBe(204);
      const next = await me(user);
      expect(next.statusCode).toBe(401);
      expect(next.headers['x-session-ended']).toBe('terminated');
    });

    it('a Logout of several sessions answers how many it ended, and they are', async () => {
      await start({ wrapLiveBus: failingPublish });
      const response = await as(t.app, admin).post('/api/sessions/logout', {
        sessionIds: [user.sessionId, userElsewhere.sessionId],
      });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ terminated: 2 });
      expect((await me(user)).statusCode).toBe(401);
      expect((await me(userElsewhere)).statusCode).toBe(401);
    });

    it('a login, a password change and disabling a user still succeed', async () => {
      await start({ wrapLiveBus: failingPublish });
      expect((await login(acme.user.username, PASSWORD)).statusCode).toBe(200);
      const changed = await as(t.app, user).post('/api/me/password', {
        currentPassword: PASSWORD,
        newPassword: NEW_PASSWORD,
      });
      expect(changed.statusCode).toBe(204);
      expect((await me(userElsewhere)).statusCode).toBe(401);
      const disabled = await as(t.app, admin).patch(`/api/users/${acme.user.id}`, { disabled: true });
      expect(disabled.statusCode).toBe(200);
      expect((await me(user)).headers['x-session-ended']).toBe('user_disabled');
    });
  });
});
