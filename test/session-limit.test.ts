import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeEachEngine } from './helpers/engines.js';
import { as, PASSWORD, type SeededOrg, type SignedIn, seedOrg, signIn } from './helpers/factories.js';
import { callApi, listenOnLoopback, openSse } from './helpers/sse.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const PARALLEL = 50;

describeEachEngine('the org’s sessions per user, at login', (engine) => {
  let t: TestApp;
  let acme: SeededOrg;
  let admin: SignedIn;

  beforeEach(async () => {
    t = await createTestApp(engine);
    acme = await seedOrg(t.app);
    admin = await signIn(t.app, acme.admin.username);
  });
  afterEach(() => t.close());

  const setPolicy = async (body: object) => {
    const response = await as(t.app, admin).put('/api/org/policy', body);
    expect(response.statusCode, response.body).toBe(200);
  };
  const login = (username: string) =>
    t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      remoteAddress: '127.0.0.1',
      payload: { username, password: PASSWORD },
    });
  const liveSessionsOf = async (userId: string) =>
    t.database.db
      .selectFrom('sessions')
      .select(['id', 'createdAt'])
      .where('userId', '=', userId)
      .where('revokedAt', 'is', null)
      .execute();
  const endedFor = async (userId: string) =>
    t.database.db
      .selectFrom('sessions')
      .select(['id', 'revokedReason'])
      .where('userId', '=', userId)
      .where('revokedAt', 'is not', null)
      .execute();

  it(`deny: of ${PARALLEL} logins at once with a limit of 3, exactly 3 succeed and the others get 403 SESSION_LIMIT`, async () => {
    await setPolicy({ maxSessionsPerUser: 3, onLimit: 'deny' });
    const responses = await Promise.all(Array.from({ length: PARALLEL }, () => login(acme.user.username)));

    const statuses = responses.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 200)).toHaveLength(3);
    expect(statuses.filter((s) => s === 403)).toHaveLength(PARALLEL - 3);
    const refused = responses.find((r) => r.statusCode === 403)?.json();
    expect(refused.error.code).toBe('SESSION_LIMIT');
    expect(refused.error.message).toContain('3 sessions');
    expect(await liveSessionsOf(acme.user.id)).toHaveLength(3);
    const failures = await t.database.db
      .selectFrom('activities')
      .select('details')
      .where('userId', '=', acme.user.id)
      .where('activity', '=', 'user.login_failed')
      .execute();
    expect(failures).toHaveLength(PARALLEL - 3);
    expect(failures[0]?.details).toBe('session limit: 3 allowed');
  });

  it(`end_oldest: ${PARALLEL} logins at once with a limit of 3 all succeed and leave exactly 3 live sessions, the others ended by session_limit`, async () => {
    await setPolicy({ maxSessionsPerUser: 3, onLimit: 'end_oldest' });
    const responses = await Promise.all(Array.from({ length: PARALLEL }, () => login(acme.user.username)));

    expect(responses.map((r) => r.statusCode)).toEqual(Array(PARALLEL).fill(200));
    expect(await liveSessionsOf(acme.user.id)).toHaveLength(3);
    const ended = await endedFor(acme.user.id);
    expect(ended).toHaveLength(PARALLEL - 3);
    expect(new Set(ended.map((s) => s.revokedReason))).toEqual(new Set(['session_limit']));
    const terminated = await t.database.db
      .selectFrom('activities')
      .select(['details', 'sessionId'])
      .where('orgId', '=', acme.orgId)
      .where('activity', '=', 'session.terminated')
      .execute();
    expect(terminated).toHaveLength(PARALLEL - 3);
    expect(terminated[0]?.details).toContain('reason: session_limit');
    // The admin's own session is not the user's: untouched.
    expect((await as(t.app, admin).get('/api/me')).statusCode).toBe(200);
  });

  it('end_oldest ends the session created first: its next request is refused with session_limit, its tab told at once', async () => {
    const base = await listenOnLoopback(t.app);
    const first = await signIn(t.app, acme.user.username);
    const second = await signIn(t.app, acme.user.username);
    await setPolicy({ maxSessionsPerUser: 2, onLimit: 'end_oldest' });
    const stream = await openSse(`${base}/api/sessions/stream`, { cookie: first.cookie });
    try {
      expect(await stream.next()).toMatchObject({ event: 'ready' });
      const third = await signIn(t.app, acme.user.username);

      expect(await stream.waitFor('session-ended', 5_000)).toMatchObject({
        data: { reason: 'session_limit' },
      });
      const refused = await callApi(base, first.cookie, 'GET', '/api/me');
      expect(refused.status).toBe(401);
      expect(refused.headers.get('x-session-ended')).toBe('session_limit');
      for (const alive of [second, third])
        expect((await as(t.app, alive).get('/api/me')).statusCode).toBe(200);
    } finally {
      stream.close();
      await new Promise((resolve) => setTimeout(resolve, 50));
      t.app.server.closeAllConnections();
    }
  });

  it('a lower limit bites at the next login only: sessions beyond it live on until then', async () => {
    const sessions = [];
    for (let i = 0; i < 4; i++) sessions.push(await signIn(t.app, acme.user.username));
    await setPolicy({ maxSessionsPerUser: 2, onLimit: 'end_oldest' });
    expect(await liveSessionsOf(acme.user.id)).toHaveLength(4);

    await signIn(t.app, acme.user.username);
    const live = (await liveSessionsOf(acme.user.id)).map((s) => s.id);
    expect(live).toHaveLength(2);
    expect(live).toContain(sessions[3]?.sessionId);
  });

  it('deny lets a login in again once one of the user’s sessions ended', async () => {
    await setPolicy({ maxSessionsPerUser: 1, onLimit: 'deny' });
    const only = await signIn(t.app, acme.user.username);
    const refused = await login(acme.user.username);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.message).toContain('one session');
    await as(t.app, only).post('/api/auth/logout');
    expect((await login(acme.user.username)).statusCode).toBe(200);
  });
});
