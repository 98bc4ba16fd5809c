import type { LightMyRequestResponse } from 'fastify';
import { type Kysely, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Schema } from '../src/db/schema.js';
import { operatorActor } from '../src/kernel/actor.js';
import { describeEachEngine } from './helpers/engines.js';
import { as, PASSWORD, type SeededOrg, type SignedIn, seedOrg, signIn } from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const TEMPORARY = 'a temporary passphrase 2026';
const WRONG = 'not the right password';
const NOBODY = '00000000-0000-4000-8000-000000000000';

/** An error answer without its request id, which differs between any two answers. */
const errorOf = (response: LightMyRequestResponse) => {
  const { code, message } = response.json().error as { code: string; message: string };
  return { status: response.statusCode, code, message };
};

describeEachEngine('user administration', (engine) => {
  let t: TestApp;
  let acme: SeededOrg;
  let other: SeededOrg;
  let admin: SignedIn;
  let user: SignedIn;

  beforeEach(async () => {
    t = await createTestApp(engine);
    acme = await seedOrg(t.app);
    other = await seedOrg(t.app);
    admin = await signIn(t.app, acme.admin.username);
    user = await signIn(t.app, acme.user.username);
  });
  afterEach(() => t.close());

  const login = (username: string, password: string, ip = '203.0.113.9') =>
    t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      remoteAddress: ip,
      payload: { username, password },
    });
  const me = (who: SignedIn) => as(t.app, who).get('/api/me');
  const reset = (who: SignedIn, userId: string, body: object = {}) =>
    as(t.app, who).post(`/api/users/${userId}/password`, body);
  const activities = (orgId: string, activity: string) =>
    t.database.db
      .selectFrom('activities')
      .selectAll()
      .where('orgId', '=', orgId)
      .where('activity', '=', activity)
      .orderBy('id')
      .execute();
  const activeAdmins = async (orgId: string) =>
    (
      await t.database.db
        .selectFrom('users')
        .select('username')
        .where('orgId', '=', orgId)
        .where('role', '=', 'admin')
        .where('disabledAt', 'is', null)
        .execute()
    ).map((r) => r.username);

  describe('POST /api/users/:id/password', () => {
    it('generates a strong password, returned once and not cached, that replaces the old one', async () => {
      const response = await reset(admin, acme.user.id);
      expect(response.statusCode).toBe(200);
      expect(response.headers['cache-control']).toBe('no-store');
      const { password, user: changed, endedSessions } = response.json();
      expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
      expect(changed).toMatchObject({ id: acme.user.id, username: acme.user.username });
      expect(endedSessions).toBe(1);
      expect((await login(acme.user.username, PASSWORD)).statusCode).toBe(401);
      expect((await login(acme.user.username, password)).statusCode).toBe(200);
    });

    it("sets the admin's temporary password and never echoes it", async () => {
      const response = await reset(admin, acme.user.id, { password: TEMPORARY });
      expect(response.statusCode).toBe(200);
      expect(response.json()).not.toHaveProperty('password');
      expect(response.body).not.toContain(TEMPORARY);
      expect((await login(acme.user.username, TEMPORARY)).statusCode).toBe(200);
    });

    it("ends every session of that user at once, and nobody else's", async () => {
      const phone = await signIn(t.app, acme.user.username, { ip: '8.8.8.8' });
      const response = await reset(admin, acme.user.id, { password: TEMPORARY });
      expect(response.json().endedSessions).toBe(2);
      for (const session of [user, phone]) {
        const next = await me(session);
        expect(next.statusCode).toBe(401);
        expect(next.headers['x-session-ended']).toBe('password_changed');
      }
      expect((await me(admin)).statusCode).toBe(200);
    });

    it('lifts a lockout, so the new password works at once from a new device', async () => {
      for (let i = 1; i <= 10; i++) await login(acme.user.username, WRONG, `198.51.100.${i}`);
      expect((await login(acme.user.username, PASSWORD)).statusCode).toBe(429);
      expect((await reset(admin, acme.user.id, { password: TEMPORARY })).statusCode).toBe(200);
      expect((await login(acme.user.username, TEMPORARY)).statusCode).toBe(200);
    });

    it('records user.password_reset by the admin, and session.terminated for each ended session', async () => {
      await reset(admin, acme.user.id);
      const [row, ...more] = await activities(acme.orgId, 'user.password_reset');
      expect(more).toEqual([]);
      expect(row).toMatchObject({
        userId: acme.admin.id,
        username: acme.admin.username,
        target: acme.user.username,
        status: 'success',
        sessionId: admin.sessionId,
      });
      expect(row?.details).toContain('1 session ended');
      const terminated = await activities(acme.orgId, 'session.terminated');
      expect(terminated.map((r) => r.sessionId)).toEqual([user.sessionId]);
      expect(await activities(other.orgId, 'user.password_reset')).toEqual([]);
    });

    it('changes nothing when ending the sessions fails: password and sessions change in one transaction', async () => {
      await refuseSessionEndRecords(t.database.db, engine, true);
      const response = await reset(admin, acme.user.id, { password: TEMPORARY });
      expect(response.statusCode).toBe(500);
      await refuseSessionEndRecords(t.database.db, engine, false);
      expect((await me(user)).statusCode).toBe(200);
      expect((await login(acme.user.username, PASSWORD)).statusCode).toBe(200);
      expect((await login(acme.user.username, TEMPORARY)).statusCode).toBe(401);
      expect(await activities(acme.orgId, 'user.password_reset')).toEqual([]);
    });

    it("answers another org's user id exactly like one that does not exist, and changes nothing", async () => {
      const foreign = await reset(admin, other.user.id, { password: TEMPORARY });
      const missing = await reset(admin, NOBODY, { password: TEMPORARY });
      expect(foreign.statusCode).toBe(404);
      expect(errorOf(foreign)).toEqual(errorOf(missing));
      expect((await login(other.user.username, PASSWORD)).statusCode).toBe(200);
    });

    it('is forbidden to an ordinary user', async () => {
      const response = await reset(user, acme.admin.id, { password: TEMPORARY });
      expect(response.statusCode).toBe(403);
      expect((await login(acme.admin.username, TEMPORARY)).statusCode).toBe(401);
    });

    it("refuses an admin's own id with 409: one's own password takes the current one", async () => {
      const response = await reset(admin, acme.admin.id, { password: TEMPORARY });
      expect(errorOf(response)).toMatchObject({ status: 409, code: 'CONFLICT' });
      expect((await me(admin)).statusCode).toBe(200);
    });

    it('refuses a weak password with 400 naming the field', async () => {
      const response = await reset(admin, acme.user.id, { password: 'short' });
      expect(errorOf(response)).toMatchObject({ status: 400, code: 'INVALID_INPUT' });
      expect(response.json().error.message).toContain('password');
      expect((await me(user)).statusCode).toBe(200);
    });

    it('refuses a cross-site request like every other change', async () => {
      const response = await t.app.inject({
        method: 'POST',
        url: `/api/users/${acme.user.id}/password`,
        headers: { cookie: admin.cookie, origin: 'https://evil.example' },
        payload: { password: TEMPORARY },
      });
      expect(errorOf(response)).toMatchObject({ status: 403, code: 'CSRF_FAILED' });
      expect((await me(user)).statusCode).toBe(200);
    });

    it('lets the CLI operator reset any user of the org, recorded as the operator', async () => {
      const result = await t.app.services.accounts.resetPassword(
        operatorActor(acme.orgId),
        acme.admin.id,
        {},
      );
      expect((await login(acme.admin.username, result.generatedPassword as string)).statusCode).toBe(200);
      const [row] = await activities(acme.orgId, 'user.password_reset');
      expect(row).toMatchObject({ userId: null, username: 'operator', target: acme.admin.username });
    });
  });

  describe('PATCH /api/users/:id {role}', () => {
    const patch = (who: SignedIn, userId: string, body: object) =>
      as(t.app, who).patch(`/api/users/${userId}`, body);

    it('promotes a user to admin and demotes them again, each an activity', async () => {
      const promoted = await patch(admin, acme.user.id, { role: 'admin' });
      expect(promoted.json().user).toMatchObject({ id: acme.user.id, role: 'admin' });
      expect((await as(t.app, user).get('/api/users')).json().users).toHaveLength(2);
      const demoted = await patch(admin, acme.user.id, { role: 'user' });
      expect(demoted.json().user.role).toBe('user');
      expect((await as(t.app, user).get('/api/users')).json().users).toHaveLength(1);
      const changes = await activities(acme.orgId, 'user.role_changed');
      expect(changes.map((r) => r.details)).toEqual(['user → admin', 'admin → user']);
    });

    it('refuses an empty change with 400', async () => {
      expect((await patch(admin, acme.user.id, {})).statusCode).toBe(400);
    });

    it('refuses a role and a disabled flag at once, which could half succeed, and changes nothing', async () => {
      const both = await patch(admin, acme.user.id, { role: 'admin', disabled: true });
      expect(both.statusCode).toBe(400);
      expect(both.json().error.message).toContain('not both');
      expect((await as(t.app, user).get('/api/me')).json().user).toMatchObject({
        role: 'user',
        disabled: false,
      });
    });

    it("answers another org's user id exactly like one that does not exist", async () => {
      const foreign = await patch(admin, other.admin.id, { role: 'user' });
      const missing = await patch(admin, NOBODY, { role: 'user' });
      expect(foreign.statusCode).toBe(404);
      expect(errorOf(foreign)).toEqual(errorOf(missing));
      expect(await activeAdmins(other.orgId)).toEqual([other.admin.username]);
    });
  });

  describe('the last active admin', () => {
    it('cannot demote themselves: 409 LAST_ADMIN naming them, and stays admin', async () => {
      const response = await as(t.app, admin).patch(`/api/users/${acme.admin.id}`, { role: 'user' });
      expect(errorOf(response)).toEqual({
        status: 409,
        code: 'LAST_ADMIN',
        message: `"${acme.admin.username}" is the org's last active admin: make another user an admin first`,
      });
      expect(await activeAdmins(acme.orgId)).toEqual([acme.admin.username]);
      expect(await activities(acme.orgId, 'user.role_changed')).toEqual([]);
    });

    it('cannot be disabled or demoted by the CLI operator either', async () => {
      const operator = operatorActor(acme.orgId);
      const { accounts } = t.app.services;
      await expect(accounts.setDisabled(operator, acme.admin.id, true)).rejects.toMatchObject({
        code: 'LAST_ADMIN',
      });
      await expect(accounts.setRole(operator, acme.admin.id, 'user')).rejects.toMatchObject({
        code: 'LAST_ADMIN',
      });
      expect(await activeAdmins(acme.orgId)).toEqual([acme.admin.username]);
      expect((await me(admin)).statusCode).toBe(200);
      expect(await activities(acme.orgId, 'user.disabled')).toEqual([]);
    });

    it('can step down once another admin is active, and a disabled admin does not count', async () => {
      const second = (await as(t.app, admin).patch(`/api/users/${acme.user.id}`, { role: 'admin' })).json()
        .user;
      expect((await as(t.app, admin).patch(`/api/users/${second.id}`, { disabled: true })).statusCode).toBe(
        200,
      );
      const refused = await as(t.app, admin).patch(`/api/users/${acme.admin.id}`, { role: 'user' });
      expect(errorOf(refused).code).toBe('LAST_ADMIN');
      await as(t.app, admin).patch(`/api/users/${second.id}`, { disabled: false });
      const stepped = await as(t.app, admin).patch(`/api/users/${acme.admin.id}`, { role: 'user' });
      expect(stepped.statusCode).toBe(200);
      expect(await activeAdmins(acme.orgId)).toEqual([acme.user.username]);
    });

    it.each([
      ['disabling', () => ({ disabled: true })],
      ['disabling and demoting', (i: number) => (i % 2 === 0 ? { disabled: true } : { role: 'user' })],
    ])('survives two admins %s each other with 50 requests each at once', async (_name, change) => {
      await as(t.app, admin).patch(`/api/users/${acme.user.id}`, { role: 'admin' });
      const second = await signIn(t.app, acme.user.username, { ip: '8.8.8.8' });
      // Interleaved, so both sides' first changes reach the database together.
      const responses = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          i % 2 === 0
            ? as(t.app, admin).patch(`/api/users/${acme.user.id}`, change(i >> 1))
            : as(t.app, second).patch(`/api/users/${acme.admin.id}`, change(i >> 1)),
        ),
      );
      expect(await activeAdmins(acme.orgId)).toHaveLength(1);
      const statuses = new Set(responses.map((r) => r.statusCode));
      // 200 for the winner's changes, 409 LAST_ADMIN for the loser's, 401/403 once the loser is out.
      for (const status of statuses) expect([200, 401, 403, 409]).toContain(status);
      expect(responses.some((r) => errorCode(r) === 'LAST_ADMIN')).toBe(true);
    });
  });
});

const errorCode = (response: LightMyRequestResponse) =>
  response.statusCode >= 400 ? (response.json().error.code as string) : undefined;

/**
 * Makes the database refuse (or accept again) the record of an ended session: the step between
 * the new password and the reset's own record, where a crash must not leave a session alive.
 */
async function refuseSessionEndRecords(db: Kysely<Schema>, engine: string, refuse: boolean) {
  const statements =
    engine === 'postgres'
      ? refuse
        ? [
            `create function refuse_ending() returns trigger language plpgsql as $$ begin
               if new.activity = 'session.terminated' then raise exception 'refused by the test'; end if;
               return new; end $$`,
            'create trigger refuse_ending before insert on activities for each row execute function refuse_ending()',
          ]
        : ['drop trigger refuse_ending on activities', 'drop function refuse_ending()']
      : refuse
        ? [
            `create trigger refuse_ending before insert on activities when new.activity = 'session.terminated'
             begin select raise(abort, 'refused by the test'); end`,
          ]
        : ['drop trigger refuse_ending'];
  for (const statement of statements) await sql.raw(statement).execute(db);
}
