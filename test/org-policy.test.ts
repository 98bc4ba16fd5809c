import fc from 'fast-check';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { POLICY_BOUNDS } from '../src/contracts/org-policy.js';
import { TestClock } from './helpers/clock.js';
import { describeEachEngine, describePostgres } from './helpers/engines.js';
import { as, type SeededOrg, type SignedIn, seedOrg, signIn } from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const POLICY = '/api/org/policy';

describeEachEngine('the org’s session policy', (engine) => {
  let t: TestApp;
  let clock: TestClock;
  let acme: SeededOrg;
  let admin: SignedIn;
  let user: SignedIn;

  beforeEach(async () => {
    clock = new TestClock();
    t = await createTestApp(engine, { clock, env: { SESSION_IDLE_MINUTES: '30', SESSION_MAX_HOURS: '12' } });
    acme = await seedOrg(t.app);
    admin = await signIn(t.app, acme.admin.username);
    user = await signIn(t.app, acme.user.username);
  });
  afterEach(() => t.close());

  /** Moves the clock as real time would pass, the remembered accesses written as the tracker would. */
  const pass = async (ms: number) => {
    clock.advance(ms);
    await t.app.services.lastAccess.flush();
  };
  const put = async (who: SignedIn, body: object) => as(t.app, who).put(POLICY, body);
  const setPolicy = async (body: object) => {
    const response = await put(admin, body);
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  };
  const me = (who: SignedIn) => as(t.app, who).get('/api/me');
  const expectExpired = async (who: SignedIn) => {
    const response = await me(who);
    expect(response.statusCode).toBe(401);
    expect(response.headers['x-session-ended']).toBe('expired');
  };
  const listedIds = async (who: SignedIn) => {
    const response = await as(t.app, who).get('/api/sessions');
    expect(response.statusCode).toBe(200);
    return (response.json().sessions as Array<{ id: string }>).map((s) => s.id);
  };
  const policyChanges = () =>
    t.database.db
      .selectFrom('activities')
      .selectAll()
      .where('orgId', '=', acme.orgId)
      .where('activity', '=', 'org.policy_changed')
      .orderBy('id')
      .execute();

  it('shows an org without a policy the configuration’s limits, no session limit, and which values are defaults', async () => {
    const response = await as(t.app, admin).get(POLICY);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      idleMinutes: 30,
      maxHours: 12,
      maxSessionsPerUser: null,
      onLimit: 'end_oldest',
      requireMfa: false,
      defaults: { idleMinutes: 30, maxHours: 12 },
      usesDefault: { idleMinutes: true, maxHours: true },
      version: 0,
    });
  });

  it('changes only the fields a PUT sends, answers the whole policy, and GET reads it back; null goes back to the default', async () => {
    expect(await setPolicy({ idleMinutes: 15 })).toMatchObject({
      idleMinutes: 15,
      maxHours: 12,
      usesDefault: { idleMinutes: false, maxHours: true },
    });
    const second = await setPolicy({ maxSessionsPerUser: 3, onLimit: 'deny', requireMfa: true });
    expect(second).toMatchObject({
      idleMinutes: 15,
      maxSessionsPerUser: 3,
      onLimit: 'deny',
      requireMfa: true,
    });
    expect((await as(t.app, admin).get(POLICY)).json()).toEqual(second);

    const reset = await setPolicy({ idleMinutes: null, maxSessionsPerUser: null });
    expect(reset).toMatchObject({
      idleMinutes: 30,
      maxSessionsPerUser: null,
      onLimit: 'deny',
      usesDefault: { idleMinutes: true },
    });
  });

  it('records every change as org.policy_changed by the admin, with each changed field before and after', async () => {
    await setPolicy({ idleMinutes: 15, requireMfa: false });
    await setPolicy({ idleMinutes: 15 }); // no change: nothing to record
    await setPolicy({ maxHours: 8, onLimit: 'deny' });

    const rows = await policyChanges();
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      username: acme.admin.username,
      userId: acme.admin.id,
      status: 'success',
    });
    expect(JSON.parse(rows[0]?.details ?? '')).toEqual({
      changes: { idleMinutes: { before: null, after: 15 } },
    });
    expect(JSON.parse(rows[1]?.details ?? '')).toEqual({
      changes: { maxHours: { before: null, after: 8 }, onLimit: { before: 'end_oldest', after: 'deny' } },
    });
  });

  it('refuses a user (403) to read or change the policy, and the refused change changes nothing', async () => {
    expect((await as(t.app, user).get(POLICY)).statusCode).toBe(403);
    const refused = await put(user, { idleMinutes: 1 });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('FORBIDDEN');
    expect((await as(t.app, admin).get(POLICY)).json().usesDefault.idleMinutes).toBe(true);
    expect(await policyChanges()).toHaveLength(0);
  });

  it('answers a bad value with a 400 naming the field', async () => {
    const cases: Array<[object, string]> = [
      [{ idleMinutes: 0 }, 'body.idleMinutes'],
      [{ idleMinutes: POLICY_BOUNDS.idleMinutes.max + 1 }, 'body.idleMinutes'],
      [{ maxHours: 1.5 }, 'body.maxHours'],
      [{ maxHours: 8761 }, 'body.maxHours'],
      [{ maxSessionsPerUser: 0 }, 'body.maxSessionsPerUser'],
      [{ onLimit: 'ask' }, 'body.onLimit'],
      [{ requireMfa: 'yes' }, 'body.requireMfa'],
      [{ idleMinute: 5 }, 'body.idleMinute'],
      // Not coerced: `true` would be a limit of 1, `""` no limit at all.
      [{ maxSessionsPerUser: true }, 'body.maxSessionsPerUser'],
      [{ maxSessionsPerUser: '' }, 'body.maxSessionsPerUser'],
      [{ idleMinutes: '15' }, 'body.idleMinutes'],
      [{ requireMfa: 1 }, 'body.requireMfa'],
      [{ idleMinutes: 15, version: -1 }, 'body.version'],
      [{ idleMinutes: 15, version: '0' }, 'body.version'],
      [{ idleMinutes: 15, version: 0.5 }, 'body.version'],
    ];
    for (const [body, field] of cases) {
      const response = await put(admin, body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.json().error.code).toBe('INVALID_INPUT');
      expect(response.json().error.message).toContain(field);
    }
  });

  it('answers any bad body with a 400, never a 5xx, and changes nothing (property)', async () => {
    const before = (await as(t.app, admin).get(POLICY)).json();
    // Strings, booleans and the rest are refused for a number as they are, never coerced.
    const notInteger = fc.oneof(
      // Not ±Infinity or NaN: JSON writes them as null, which is a good value ("no limit").
      fc.double({ noInteger: true, noDefaultInfinity: true, noNaN: true }),
      fc.string(),
      fc.boolean(),
      fc.constant({}),
      fc.constant([1, 2]),
    );
    const outOf = (min: number, max: number) =>
      fc.oneof(
        fc.integer({ max: min - 1 }),
        fc.integer({ min: max + 1, max: Number.MAX_SAFE_INTEGER }),
        notInteger,
      );
    const bad = fc.oneof(
      fc.record({ idleMinutes: outOf(POLICY_BOUNDS.idleMinutes.min, POLICY_BOUNDS.idleMinutes.max) }),
      fc.record({ maxHours: outOf(POLICY_BOUNDS.maxHours.min, POLICY_BOUNDS.maxHours.max) }),
      fc.record({
        maxSessionsPerUser: outOf(POLICY_BOUNDS.maxSessionsPerUser.min, POLICY_BOUNDS.maxSessionsPerUser.max),
      }),
      fc.record({
        onLimit: fc.oneof(
          fc.string().filter((s) => s !== 'deny' && s !== 'end_oldest'),
          fc.integer(),
          fc.constant(null),
        ),
      }),
      fc.record({ requireMfa: fc.oneof(fc.integer(), fc.string(), fc.constant(null), fc.constant({})) }),
      fc.record({ version: fc.oneof(fc.integer({ max: -1 }), notInteger, fc.constant(null)) }),
      fc.dictionary(
        fc
          .string({ minLength: 1 })
          .filter(
            (k) =>
              !['idleMinutes', 'maxHours', 'maxSessionsPerUser', 'onLimit', 'requireMfa', 'version'].includes(
                k,
              ),
          ),
        fc.jsonValue(),
        { minKeys: 1, maxKeys: 3 },
      ),
      fc.oneof(fc.integer(), fc.string(), fc.constant(null), fc.array(fc.integer())),
    );
    // A good field beside a bad one must not be applied either.
    const body = fc
      .tuple(bad, fc.boolean())
      .map(([b, withGood]) =>
        withGood && typeof b === 'object' && b !== null && !Array.isArray(b) ? { requireMfa: true, ...b } : b,
      );
    await fc.assert(
      fc.asyncProperty(body, async (payload) => {
        const response = await t.app.inject({
          method: 'PUT',
          url: POLICY,
          headers: { cookie: admin.cookie, 'content-type': 'application/json' },
          payload: JSON.stringify(payload),
        });
        expect(response.statusCode, `${JSON.stringify(payload)} → ${response.body}`).toBe(400);
      }),
      { numRuns: 150 },
    );
    expect((await as(t.app, admin).get(POLICY)).json()).toEqual(before);
    expect(await policyChanges()).toHaveLength(0);
  });

  it('ends sessions idle longer than a lowered idleMinutes at once: refused as expired, gone from the list', async () => {
    await pass(20 * MINUTE);
    expect((await me(admin)).statusCode).toBe(200); // the admin stays active, the user does not

    await pass(12 * MINUTE);
    await setPolicy({ idleMinutes: 10 });
    await pass(0); // the tracker writes the admin's access of the PUT within its flush interval

    await expectExpired(user);
    const ids = await listedIds(admin);
    expect(ids).toContain(admin.sessionId);
    expect(ids).not.toContain(user.sessionId);
    expect(await t.app.services.sessions.countLiveSessions()).toBe(1);
  });

  it('ends sessions that began longer ago than a lowered maxHours, however much they are used, and the sweeper marks them expired', async () => {
    for (let i = 0; i < 6; i++) {
      await pass(25 * MINUTE);
      expect((await me(user)).statusCode).toBe(200);
      expect((await me(admin)).statusCode).toBe(200);
    }
    const fresh = await signIn(t.app, acme.admin.username);
    const response = await put(fresh, { maxHours: 2 });
    expect(response.statusCode).toBe(200);

    await expectExpired(user);
    await expectExpired(admin);
    expect(await listedIds(fresh)).toEqual([fresh.sessionId]);

    expect(await t.app.services.sessions.sweepEndedSessions(100)).toBe(2);
    const detail = await as(t.app, fresh).get(`/api/sessions/${user.sessionId}`);
    expect(detail.json().session).toMatchObject({ live: false, endReason: 'expired' });
    expect(Date.parse(detail.json().session.endedAt)).toBe(
      Date.parse(detail.json().session.createdAt) + 2 * HOUR,
    );
    expect((await me(fresh)).statusCode).toBe(200);
  });

  it('gives new logins a raised maxHours, and sessions of an org beyond the configuration’s lifetime stay live', async () => {
    await setPolicy({ maxHours: 48, idleMinutes: 24 * 60 });
    const later = await signIn(t.app, acme.user.username);
    await pass(20 * HOUR);
    expect((await me(later)).statusCode).toBe(200);
    await expectExpired(user); // began under the 12 hours it was given
    const detail = await as(t.app, later).get(`/api/sessions/${later.sessionId}`);
    expect(Date.parse(detail.json().session.expiresAt)).toBe(
      Date.parse(detail.json().session.createdAt) + 48 * HOUR,
    );
  });

  it('never lets one org’s policy touch another org’s sessions or policy', async () => {
    const other = await seedOrg(t.app);
    const otherUser = await signIn(t.app, other.user.username);
    const otherAdmin = await signIn(t.app, other.admin.username);
    await pass(15 * MINUTE);
    expect((await me(admin)).statusCode).toBe(200);

    await setPolicy({ idleMinutes: 5, maxHours: 1, maxSessionsPerUser: 1, onLimit: 'deny' });
    await pass(0);

    await expectExpired(user);
    expect((await me(otherUser)).statusCode).toBe(200);
    expect(await listedIds(otherAdmin)).toEqual(
      expect.arrayContaining([otherUser.sessionId, otherAdmin.sessionId]),
    );
    expect((await as(t.app, otherAdmin).get(POLICY)).json()).toMatchObject({
      idleMinutes: 30,
      maxSessionsPerUser: null,
      usesDefault: { idleMinutes: true, maxHours: true },
    });
    // Their users are not held to acme's one session each.
    await signIn(t.app, other.user.username);
    expect(await t.app.services.sessions.sweepEndedSessions(100)).toBe(1);
    expect((await me(otherUser)).statusCode).toBe(200);
    const counts = await t.app.services.sessions.countLiveSessionsByOrg();
    expect(counts.get(other.orgId)).toBe(3);
  });
});

describePostgres('an org policy changed on one instance', () => {
  it('is in force at once for the per-request check of another instance, and a higher limit revives nothing', async () => {
    const clock = new TestClock();
    const a = await createTestApp('postgres', { clock });
    const b = await createTestApp('postgres', { clock, postgresSchema: a.database.postgresSchema as string });
    try {
      const acme = await seedOrg(a.app);
      const admin = await signIn(a.app, acme.admin.username);
      const user = await signIn(b.app, acme.user.username);
      expect((await as(b.app, user).get('/api/me')).statusCode).toBe(200);
      clock.advance(15 * MINUTE);
      expect((await as(a.app, admin).put(POLICY, { idleMinutes: 10 })).statusCode).toBe(200);

      const refused = await as(b.app, user).get('/api/me');
      expect(refused.statusCode).toBe(401);
      expect(refused.headers['x-session-ended']).toBe('expired');
      // Back to the configuration's 30 minutes: the session ran out under the 10 and stays over.
      expect((await as(a.app, admin).put(POLICY, { idleMinutes: null })).statusCode).toBe(200);
      expect((await as(b.app, user).get('/api/me')).headers['x-session-ended']).toBe('expired');
      const fresh = await signIn(b.app, acme.user.username);
      clock.advance(15 * MINUTE);
      expect((await as(b.app, fresh).get('/api/me')).statusCode).toBe(200);
    } finally {
      await b.close();
      await a.close();
    }
  });
});
