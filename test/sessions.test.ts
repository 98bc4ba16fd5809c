import { afterEach, beforeEach, expect, it } from 'vitest';
import { comparableAnswer } from './helpers/comparable-answer.js';
import { describeEachEngine } from './helpers/engines.js';
import { as, type SeededOrg, type SignedIn, seedOrg, signIn } from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

describeEachEngine('session list and Logout', (engine) => {
  let t: TestApp;
  let acme: SeededOrg;
  let other: SeededOrg;
  let admin: SignedIn;
  let user: SignedIn;
  let userElsewhere: SignedIn;
  let colleague: SignedIn;
  let outsider: SignedIn;

  beforeEach(async () => {
    t = await createTestApp(engine);
    acme = await seedOrg(t.app);
    other = await seedOrg(t.app);
    admin = await signIn(t.app, acme.admin.username);
    user = await signIn(t.app, acme.user.username);
    userElsewhere = await signIn(t.app, acme.user.username, { ip: '8.8.8.8' });
    const colleagueUser = await t.app.services.accounts.createUser(
      {
        userId: acme.admin.id,
        orgId: acme.orgId,
        username: acme.admin.username,
        role: 'admin',
        sessionId: null,
        publicIp: null,
      },
      { username: `colleague-${engine}`, password: 'correct horse battery staple', role: 'user' },
    );
    colleague = await signIn(t.app, colleagueUser.username);
    outsider = await signIn(t.app, other.admin.username);
  });
  afterEach(() => t.close());

  const listIds = async (who: SignedIn) => {
    const response = await as(t.app, who).get('/api/sessions');
    expect(response.statusCode).toBe(200);
    return (response.json().sessions as Array<{ id: string }>).map((s) => s.id).sort();
  };

  it('shows an admin every active session of the org, and nothing of other orgs', async () => {
    const ids = await listIds(admin);
    expect(ids).toEqual([admin, user, userElsewhere, colleague].map((s) => s.sessionId).sort());
    expect(ids).not.toContain(outsider.sessionId);
  });

  it('shows an ordinary user only their own sessions, whatever they ask for', async () => {
    expect(await listIds(user)).toEqual([user.sessionId, userElsewhere.sessionId].sort());
    const asked = await as(t.app, user).get(`/api/sessions?userId=${acme.admin.id}`);
    expect(
      asked
        .json()
        .sessions.map((s: { id: string }) => s.id)
        .sort(),
    ).toEqual([user.sessionId, userElsewhere.sessionId].sort());
  });

  it('lets an admin filter the list by user', async () => {
    const response = await as(t.app, admin).get(`/api/sessions?userId=${acme.user.id}`);
    expect(
      response
        .json()
        .sessions.map((s: { id: string }) => s.id)
        .sort(),
    ).toEqual([user.sessionId, userElsewhere.sessionId].sort());
  });

  it('marks the caller’s own session as current and describes each session', async () => {
    const { sessions } = (await as(t.app, user).get('/api/sessions')).json();
    const mine = sessions.find((s: { id: string }) => s.id === user.sessionId);
    const elsewhere = sessions.find((s: { id: string }) => s.id === userElsewhere.sessionId);
    expect(mine).toMatchObject({ current: true, username: acme.user.username, publicIp: '127.0.0.1' });
    expect(mine).toMatchObject({
      deviceType: 'Desktop',
      os: 'Windows 10',
      browser: 'Chrome 120',
      city: null,
    });
    expect(mine.location).toBe('Unknown');
    expect(elsewhere).toMatchObject({ current: false, publicIp: '8.8.8.8', countryCode: 'US' });
  });

  it("refuses the very next request of a session an admin's Logout ended", async () => {
    const response = await as(t.app, admin).post('/api/sessions/logout', { sessionIds: [user.sessionId] });
    expect(response.json()).toEqual({ terminated: 1 });
    const next = await as(t.app, user).get('/api/me');
    expect(next.statusCode).toBe(401);
    expect(next.json().error.code).toBe('SESSION_ENDED');
    expect(next.headers['x-session-ended']).toBe('terminated');
    // The user's other session is untouched.
    expect((await as(t.app, userElsewhere).get('/api/me')).statusCode).toBe(200);
    expect(await listIds(admin)).not.toContain(user.sessionId);
  });

  it('ends several sessions of several users with one Logout', async () => {
    const response = await as(t.app, admin).post('/api/sessions/logout', {
      sessionIds: [user.sessionId, userElsewhere.sessionId, colleague.sessionId],
    });
    expect(response.json()).toEqual({ terminated: 3 });
    for (const who of [user, userElsewhere, colleague]) {
      expect((await as(t.app, who).get('/api/me')).statusCode).toBe(401);
    }
    expect(await listIds(admin)).toEqual([admin.sessionId]);
  });

  it('answers 404 and ends nothing when one selected session is in another org', async () => {
    const response = await as(t.app, admin).post('/api/sessions/logout', {
      sessionIds: [user.sessionId, outsider.sessionId],
    });
    expect(response.statusCode).toBe(404);
    expect((await as(t.app, user).get('/api/me')).statusCode).toBe(200);
    expect((await as(t.app, outsider).get('/api/me')).statusCode).toBe(200);
  });

  it("answers another org's session exactly like one that does not exist", async () => {
    const foreign = await as(t.app, admin).delete(`/api/sessions/${outsider.sessionId}`);
    const missing = await as(t.app, admin).delete('/api/sessions/00000000-0000-4000-8000-000000000000');
    expect(foreign.statusCode).toBe(404);
    expect(comparableAnswer(foreign)).toEqual(comparableAnswer(missing));
  });

  it("does not let a user end a colleague's session, nor see that it exists", async () => {
    const response = await as(t.app, user).delete(`/api/sessions/${colleague.sessionId}`);
    expect(response.statusCode).toBe(404);
    expect((await as(t.app, colleague).get('/api/me')).statusCode).toBe(200);
  });

  it('lets a user end their own other session', async () => {
    const response = await as(t.app, user).delete(`/api/sessions/${userElsewhere.sessionId}`);
    expect(response.statusCode).toBe(204);
    expect((await as(t.app, userElsewhere).get('/api/me')).statusCode).toBe(401);
    expect((await as(t.app, user).get('/api/me')).statusCode).toBe(200);
  });

  it('lets an admin end a session of an admin of the same org, but no admin of another', async () => {
    expect((await as(t.app, outsider).delete(`/api/sessions/${admin.sessionId}`)).statusCode).toBe(404);
    expect((await as(t.app, admin).get('/api/me')).statusCode).toBe(200);
  });

  it('answers an ended session again with 404, not a second termination', async () => {
    await as(t.app, admin).delete(`/api/sessions/${user.sessionId}`);
    expect((await as(t.app, admin).delete(`/api/sessions/${user.sessionId}`)).statusCode).toBe(404);
  });

  it('rejects malformed session ids with 400 naming the field', async () => {
    const response = await as(t.app, admin).post('/api/sessions/logout', { sessionIds: ['nope'] });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toContain('sessionIds');
    const empty = await as(t.app, admin).post('/api/sessions/logout', { sessionIds: [] });
    expect(empty.statusCode).toBe(400);
  });

  it('records who ended which session in the activity log', async () => {
    await as(t.app, admin).post('/api/sessions/logout', { sessionIds: [user.sessionId] });
    const rows = await t.database.db
      .selectFrom('activities')
      .selectAll()
      .where('orgId', '=', acme.orgId)
      .where('activity', '=', 'session.terminated')
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      username: acme.admin.username,
      userId: acme.admin.id,
      sessionId: user.sessionId,
    });
    expect(rows[0]?.target).toContain(acme.user.username);
  });
});
