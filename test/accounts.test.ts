import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bootstrapFirstAdmin } from '../src/accounts/bootstrap.js';
import type { User } from '../src/contracts/accounts.js';
import { comparableAnswer } from './helpers/comparable-answer.js';
import { describeEachEngine } from './helpers/engines.js';
import { as, PASSWORD, type SeededOrg, type SignedIn, seedOrg, signIn } from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const NEW_PASSWORD = 'a brand new passphrase 2026';

describeEachEngine('accounts', (engine) => {
  let t: TestApp;
  let acme: SeededOrg;
  let other: SeededOrg;
  let admin: SignedIn;
  let user: SignedIn;
  let outsider: SignedIn;

  beforeEach(async () => {
    t = await createTestApp(engine);
    acme = await seedOrg(t.app);
    other = await seedOrg(t.app);
    admin = await signIn(t.app, acme.admin.username);
    user = await signIn(t.app, acme.user.username);
    outsider = await signIn(t.app, other.admin.username);
  });
  afterEach(() => t.close());

  const login = (username: string, password: string) =>
    t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
  const me = (who: SignedIn) => as(t.app, who).get('/api/me');
  const activities = (orgId: string, activity: string) =>
    t.database.db
      .selectFrom('activities')
      .selectAll()
      .where('orgId', '=', orgId)
      .where('activity', '=', activity)
      .orderBy('id')
      .execute();
  const createUser = (who: SignedIn, body: object) => as(t.app, who).post('/api/users', body);

  describe('GET /api/users', () => {
    it("shows an admin the org's users and nobody from other orgs", async () => {
      const response = await as(t.app, admin).get('/api/users');
      expect(response.statusCode).toBe(200);
      const users = response.json().users as User[];
      expect(users.map((u) => u.id).sort()).toEqual([acme.admin.id, acme.user.id].sort());
      expect(users.every((u) => u.orgId === acme.orgId)).toBe(true);
      expect(response.body).not.toContain(other.admin.id);
    });

    it('shows an ordinary user only themselves', async () => {
      const response = await as(t.app, user).get('/api/users');
      expect(response.json().users).toEqual([
        {
          id: acme.user.id,
          orgId: acme.orgId,
          username: acme.user.username,
          role: 'user',
          disabled: false,
          createdAt: expect.any(String),
          liveSessions: 1,
          lastActivityAt: expect.any(String),
          lockedOut: false,
        },
      ]);
    });

    it('never shows a password hash', async () => {
      const response = await as(t.app, admin).get('/api/users');
      expect(response.body).not.toMatch(/argon2|passwordHash|password_hash/i);
    });

    it('needs a session', async () => {
      const response = await t.app.inject({ method: 'GET', url: '/api/users' });
      expect(response.statusCode).toBe(401);
    });
  });

  describe('POST /api/users', () => {
    it("creates the user in the admin's org with 201, and the user can log in", async () => {
      const response = await createUser(admin, {
        username: 'Dana.Scully',
        password: 'trust no one, ever 1013',
        role: 'user',
      });
      expect(response.statusCode).toBe(201);
      expect(response.json().user).toMatchObject({
        orgId: acme.orgId,
        username: 'dana.scully',
        role: 'user',
        disabled: false,
      });
      expect((await login('DANA.SCULLY', 'trust no one, ever 1013')).statusCode).toBe(200);
      const listed = (await as(t.app, admin).get('/api/users')).json().users as User[];
      expect(listed.map((u) => u.username)).toContain('dana.scully');
    });

    it('defaults the role to user, and lets an admin add another admin', async () => {
      const plain = await createUser(admin, { username: 'plain-user', password: PASSWORD });
      expect(plain.json().user.role).toBe('user');
      const second = await createUser(admin, { username: 'second-admin', password: PASSWORD, role: 'admin' });
      expect(second.json().user.role).toBe('admin');
    });

    it("refuses an orgId in the body with 400 and creates nobody (the org comes from the admin's session)", async () => {
      const response = await createUser(admin, {
        username: 'sneaky',
        password: PASSWORD,
        role: 'user',
        orgId: other.orgId,
      });
      expect(response.statusCode).toBe(400);
      expect(response.json().error).toMatchObject({ code: 'INVALID_INPUT' });
      expect(response.json().error.message).toContain('orgId');
      expect((await login('sneaky', PASSWORD)).statusCode).toBe(401);
      const inOther = (await as(t.app, outsider).get('/api/users')).json().users as User[];
      expect(inOther.map((u) => u.username)).not.toContain('sneaky');
    });

    it('is forbidden to an ordinary user', async () => {
      const response = await createUser(user, { username: 'by-a-user', password: PASSWORD, role: 'admin' });
      expect(response.statusCode).toBe(403);
      expect(response.json().error.code).toBe('FORBIDDEN');
      expect((await login('by-a-user', PASSWORD)).statusCode).toBe(401);
    });

    it('answers 409 for a username taken in any spelling, or in another org', async () => {
      const first = await createUser(admin, { username: 'fox.mulder', password: PASSWORD });
      expect(first.statusCode).toBe(201);
      for (const [who, username] of [
        [admin, 'Fox.Mulder'],
        [admin, 'FOX.MULDER'],
        [outsider, 'fox.mulder'],
      ] as const) {
        const again = await createUser(who, { username, password: PASSWORD });
        expect(again.statusCode).toBe(409);
        expect(again.json().error.code).toBe('CONFLICT');
      }
    });

    it.each([
      ['shorter than 12 characters', 'elevenchars', 'at least 12'],
      ['containing the username', 'my name is walter.skinner!', 'username'],
      ['containing the username in another case', 'WALTER.SKINNER-password', 'username'],
    ])('refuses a password %s with 400', async (_name, password, hint) => {
      const response = await createUser(admin, { username: 'walter.skinner', password });
      expect(response.statusCode).toBe(400);
      expect(response.json().error.code).toBe('INVALID_INPUT');
      expect(response.json().error.message).toContain('password');
      expect(response.json().error.message).toContain(hint);
      expect((await as(t.app, admin).get('/api/users')).body).not.toContain('walter.skinner');
    });

    it.each([
      ['a username with a space', { username: 'john doe', password: PASSWORD }, 'username'],
      ['an unknown role', { username: 'john', password: PASSWORD, role: 'root' }, 'role'],
      ['no password', { username: 'john' }, 'password'],
    ])('refuses %s with 400 naming the field', async (_name, body, field) => {
      const response = await createUser(admin, body);
      expect(response.statusCode).toBe(400);
      expect(response.json().error.message).toContain(field);
    });
  });

  describe('PATCH /api/users/:id', () => {
    it("disabling a user ends all of that user's sessions at once and blocks login", async () => {
      const phone = await signIn(t.app, acme.user.username, { ip: '8.8.8.8' });
      const response = await as(t.app, admin).patch(`/api/users/${acme.user.id}`, { disabled: true });
      expect(response.statusCode).toBe(200);
      expect(response.json().user).toMatchObject({ id: acme.user.id, disabled: true });
      for (const session of [user, phone]) {
        const next = await me(session);
        expect(next.statusCode).toBe(401);
        expect(next.json().error.code).toBe('SESSION_ENDED');
        expect(next.headers['x-session-ended']).toBe('user_disabled');
      }
      const sessions = (await as(t.app, admin).get('/api/sessions')).json().sessions as Array<{
        userId: string;
      }>;
      expect(sessions.map((s) => s.userId)).not.toContain(acme.user.id);
      const attempt = await login(acme.user.username, PASSWORD);
      expect(attempt.statusCode).toBe(401);
      expect(attempt.json().error.code).toBe('INVALID_CREDENTIALS');
      expect((await me(admin)).statusCode).toBe(200);
    });

    it('re-enabling lets the user log in again', async () => {
      await as(t.app, admin).patch(`/api/users/${acme.user.id}`, { disabled: true });
      const enabled = await as(t.app, admin).patch(`/api/users/${acme.user.id}`, { disabled: false });
      expect(enabled.json().user.disabled).toBe(false);
      expect((await login(acme.user.username, PASSWORD)).statusCode).toBe(200);
    });

    it("answers another org's user id exactly like one that does not exist, and changes nothing", async () => {
      const foreign = await as(t.app, admin).patch(`/api/users/${other.admin.id}`, { disabled: true });
      const missing = await as(t.app, admin).patch('/api/users/00000000-0000-4000-8000-000000000000', {
        disabled: true,
      });
      expect(foreign.statusCode).toBe(404);
      expect(comparableAnswer(foreign)).toEqual(comparableAnswer(missing));
      expect((await me(outsider)).statusCode).toBe(200);
      expect((await login(other.admin.username, PASSWORD)).statusCode).toBe(200);
    });

    it('is forbidden to an ordinary user', async () => {
      const response = await as(t.app, user).patch(`/api/users/${acme.admin.id}`, { disabled: true });
      expect(response.statusCode).toBe(403);
      expect((await me(admin)).statusCode).toBe(200);
    });

    it('does not let an admin disable themselves', async () => {
      const response = await as(t.app, admin).patch(`/api/users/${acme.admin.id}`, { disabled: true });
      expect(response.statusCode).toBe(409);
      expect((await me(admin)).statusCode).toBe(200);
    });
  });

  describe('POST /api/me/password', () => {
    const change = (who: SignedIn, body: object) => as(t.app, who).post('/api/me/password', body);

    it('refuses a wrong current password with 400 and changes nothing', async () => {
      const response = await change(user, {
        currentPassword: 'not my password at all',
        newPassword: NEW_PASSWORD,
      });
      expect(response.statusCode).toBe(400);
      expect(response.json().error.message).toContain('currentPassword');
      expect((await login(acme.user.username, PASSWORD)).statusCode).toBe(200);
      expect((await login(acme.user.username, NEW_PASSWORD)).statusCode).toBe(401);
    });

    it.each([
      ['too short', 'short one'],
      ['containing the username', undefined],
    ])('refuses a weak new password (%s) with 400', async (_name, weak) => {
      const newPassword = weak ?? `${acme.user.username} is my password`;
      const response = await change(user, { currentPassword: PASSWORD, newPassword });
      expect(response.statusCode).toBe(400);
      expect(response.json().error.message).toContain('newPassword');
      expect((await login(acme.user.username, PASSWORD)).statusCode).toBe(200);
    });

    it("ends the user's other sessions, keeps the current one, and swaps the password", async () => {
      const laptop = await signIn(t.app, acme.user.username, { ip: '8.8.8.8' });
      const response = await change(user, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
      expect(response.statusCode).toBe(204);
      expect(response.body).toBe('');

      const ended = await me(laptop);
      expect(ended.statusCode).toBe(401);
      expect(ended.json().error.code).toBe('SESSION_ENDED');
      expect(ended.headers['x-session-ended']).toBe('password_changed');
      expect((await me(user)).statusCode).toBe(200);
      // Nobody else is touched.
      expect((await me(admin)).statusCode).toBe(200);

      expect((await login(acme.user.username, PASSWORD)).statusCode).toBe(401);
      expect((await login(acme.user.username, NEW_PASSWORD)).statusCode).toBe(200);
    });

    it('needs a session', async () => {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/me/password',
        payload: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
      });
      expect(response.statusCode).toBe(401);
    });
  });

  describe('activity log of account changes', () => {
    it('records user.created by the admin in the admin’s org', async () => {
      await createUser(admin, { username: 'new.hire', password: PASSWORD, role: 'user' });
      const rows = await activities(acme.orgId, 'user.created');
      expect(rows.at(-1)).toMatchObject({
        userId: acme.admin.id,
        username: acme.admin.username,
        status: 'success',
        sessionId: admin.sessionId,
        publicIp: '127.0.0.1',
      });
      expect(rows.at(-1)?.target).toContain('new.hire');
      expect(JSON.stringify(await activities(other.orgId, 'user.created'))).not.toContain('new.hire');
    });

    it('records user.password_changed, and session.terminated for each ended session', async () => {
      const laptop = await signIn(t.app, acme.user.username, { ip: '8.8.8.8' });
      await as(t.app, user).post('/api/me/password', {
        currentPassword: PASSWORD,
        newPassword: NEW_PASSWORD,
      });
      expect(await activities(acme.orgId, 'user.password_changed')).toEqual([
        expect.objectContaining({ userId: acme.user.id, sessionId: user.sessionId, status: 'success' }),
      ]);
      const terminated = await activities(acme.orgId, 'session.terminated');
      expect(terminated.map((r) => r.sessionId)).toEqual([laptop.sessionId]);
      expect(terminated[0]?.details).toContain('password_changed');
    });

    it('records user.disabled by the admin', async () => {
      await as(t.app, admin).patch(`/api/users/${acme.user.id}`, { disabled: true });
      const rows = await activities(acme.orgId, 'user.disabled');
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ userId: acme.admin.id, target: acme.user.username });
      expect((await activities(acme.orgId, 'session.terminated')).map((r) => r.sessionId)).toEqual([
        user.sessionId,
      ]);
    });

    it('records user.login and user.login_failed for the user’s org only', async () => {
      await login(acme.user.username, 'wrong password here');
      const failed = await activities(acme.orgId, 'user.login_failed');
      expect(failed).toEqual([
        expect.objectContaining({ userId: acme.user.id, status: 'failure', details: 'wrong password' }),
      ]);
      const logins = await activities(acme.orgId, 'user.login');
      expect(logins.map((r) => r.sessionId)).toEqual(
        expect.arrayContaining([admin.sessionId, user.sessionId]),
      );
      expect(logins.find((r) => r.sessionId === user.sessionId)).toMatchObject({
        userId: acme.user.id,
        status: 'success',
        publicIp: '127.0.0.1',
      });
      expect(await activities(other.orgId, 'user.login_failed')).toEqual([]);
      expect((await activities(other.orgId, 'user.login')).map((r) => r.sessionId)).toEqual([
        outsider.sessionId,
      ]);
    });

    it('records a failed login of a disabled user, saying why, and nothing for unknown usernames', async () => {
      await as(t.app, admin).patch(`/api/users/${acme.user.id}`, { disabled: true });
      await login(acme.user.username, PASSWORD);
      await login('nobody-at-all', PASSWORD);
      const failed = await activities(acme.orgId, 'user.login_failed');
      expect(failed).toHaveLength(1);
      expect(failed[0]).toMatchObject({ userId: acme.user.id, details: 'user is disabled' });
    });

    it('records user.logout when a user logs out', async () => {
      const response = await as(t.app, user).post('/api/auth/logout');
      expect(response.statusCode).toBe(204);
      expect(await activities(acme.orgId, 'user.logout')).toEqual([
        expect.objectContaining({ userId: acme.user.id, sessionId: user.sessionId, status: 'success' }),
      ]);
      expect((await me(user)).statusCode).toBe(401);
    });
  });
});

describeEachEngine('first start (bootstrapFirstAdmin)', (engine) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp(engine);
  });
  afterEach(() => t.close());

  const login = (username: string, password: string) =>
    t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
  const userCount = async () =>
    Number(
      (
        await t.database.db
          .selectFrom('users')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('creates the configured admin of a first org', async () => {
    const result = await bootstrapFirstAdmin(t.database.db, t.app.services.accounts, {
      adminUsername: 'Root.Admin',
      adminPassword: 'configured admin passphrase',
    });
    expect(result).toBeDefined();
    expect(result?.generatedPassword).toBeUndefined();
    const response = await login('root.admin', 'configured admin passphrase');
    expect(response.statusCode).toBe(200);
    expect(response.json().user).toMatchObject({ username: 'root.admin', role: 'admin' });
    expect(await userCount()).toBe(1);
  });

  it('generates a strong one-time password that works when none is configured', async () => {
    const result = await bootstrapFirstAdmin(t.database.db, t.app.services.accounts, {
      adminUsername: undefined,
      adminPassword: undefined,
    });
    expect(result?.username).toBe('admin');
    const password = result?.generatedPassword as string;
    expect(password.length).toBeGreaterThanOrEqual(16);
    const response = await login('admin', password);
    expect(response.statusCode).toBe(200);
    expect(response.json().user.role).toBe('admin');
    // Stored hashed, never in clear.
    const dump = JSON.stringify(await t.database.db.selectFrom('users').selectAll().execute());
    expect(dump).not.toContain(password);
  });

  it('does nothing on a second call', async () => {
    const config = { adminUsername: 'first.admin', adminPassword: 'configured admin passphrase' };
    await bootstrapFirstAdmin(t.database.db, t.app.services.accounts, config);
    const again = await bootstrapFirstAdmin(t.database.db, t.app.services.accounts, {
      adminUsername: 'second.admin',
      adminPassword: 'another admin passphrase',
    });
    expect(again).toBeUndefined();
    expect(await bootstrapFirstAdmin(t.database.db, t.app.services.accounts, config)).toBeUndefined();
    expect(await userCount()).toBe(1);
    expect((await login('second.admin', 'another admin passphrase')).statusCode).toBe(401);
    expect((await login('first.admin', 'configured admin passphrase')).statusCode).toBe(200);
  });

  it('does nothing when users already exist', async () => {
    await seedOrg(t.app);
    const result = await bootstrapFirstAdmin(t.database.db, t.app.services.accounts, {
      adminUsername: undefined,
      adminPassword: undefined,
    });
    expect(result).toBeUndefined();
    expect(await userCount()).toBe(2);
  });

  it('records the new org and its admin in that org’s activity log', async () => {
    await bootstrapFirstAdmin(t.database.db, t.app.services.accounts, {
      adminUsername: 'root.admin',
      adminPassword: 'configured admin passphrase',
    });
    const rows = await t.database.db
      .selectFrom('activities')
      .select(['activity', 'target'])
      .orderBy('id')
      .execute();
    expect(rows).toEqual([
      { activity: 'org.created', target: expect.any(String) },
      { activity: 'user.created', target: 'root.admin (admin)' },
    ]);
  });
});
