import { afterEach, beforeEach, expect, it } from 'vitest';
import { STREAM_HEARTBEAT_MS } from '../src/sessions/stream.routes.js';
import { describeEachEngine } from './helpers/engines.js';
import { PASSWORD, type SeededOrg, type SignedIn, seedOrg, signIn } from './helpers/factories.js';
import { callApi, listenOnLoopback, openSse, type SseStream } from './helpers/sse.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

/**
 * How long a pushed event may take before the test gives up: a third of the stream's own
 * re-check, so an event that arrives came by push, not by the heartbeat's look at the session.
 * The product's one-second promise is a timing, measured and printed here, not asserted: a
 * loaded machine must not fail a correct build.
 */
const PUSH_WAIT_MS = STREAM_HEARTBEAT_MS / 3;
/** How long we listen for an event that must not come. */
const QUIET_MS = 400;

describeEachEngine('live session stream', (engine) => {
  let t: TestApp;
  let base: string;
  let acme: SeededOrg;
  let admin: SignedIn;
  let user: SignedIn;
  let streams: SseStream[];

  beforeEach(async () => {
    t = await createTestApp(engine);
    base = await listenOnLoopback(t.app);
    acme = await seedOrg(t.app);
    admin = await signIn(t.app, acme.admin.username);
    user = await signIn(t.app, acme.user.username);
    streams = [];
  });
  afterEach(async () => {
    for (const stream of streams) stream.close();
    // Hanging up makes fetch open a spare keep-alive socket that would hold close() up for its
    // 4 s idle timeout: let it appear, then drop every connection.
    await new Promise((resolve) => setTimeout(resolve, 50));
    t.app.server.closeAllConnections();
    await t.close();
  });

  /** Opens a session's stream and checks it announced itself with `ready`. */
  const openStream = async (who: SignedIn): Promise<SseStream> => {
    const stream = await openSse(`${base}/api/sessions/stream`, { cookie: who.cookie });
    streams.push(stream);
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    const ready = await stream.next();
    expect(ready).toMatchObject({ event: 'ready', data: { sessionId: who.sessionId } });
    return stream;
  };

  const logout = async (by: SignedIn, sessionIds: string[]) => {
    const response = await callApi(base, by.cookie, 'POST', '/api/sessions/logout', { sessionIds });
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ terminated: sessionIds.length });
    return response;
  };

  it("takes a user's open stream to session-ended (terminated) by push after the admin's Logout, then closes it", async () => {
    const stream = await openStream(user);

    const response = await logout(admin, [user.sessionId]);

    const ended = await stream.next(PUSH_WAIT_MS);
    expect(ended).toMatchObject({ event: 'session-ended', data: { reason: 'terminated' } });
    const latencyMs = (ended?.receivedAt ?? Number.POSITIVE_INFINITY) - response.returnedAt;
    console.info(`[${engine}] session-ended arrived ${latencyMs.toFixed(1)} ms after the Logout response`);
    // The server hangs up: the tab must not keep a live channel for a dead session.
    expect(await stream.next(PUSH_WAIT_MS)).toBeNull();
    expect(stream.closedByServer).toBe(true);
    expect(t.app.services.hub.size).toBe(0);
  });

  it("keeps open the stream of the user's other session, which only hears that its list changed", async () => {
    const elsewhere = await signIn(t.app, acme.user.username, { ip: '8.8.8.8' });
    const ending = await openStream(user);
    const staying = await openStream(elsewhere);

    await logout(admin, [user.sessionId]);

    expect(await ending.next(PUSH_WAIT_MS)).toMatchObject({ event: 'session-ended' });
    expect(await ending.next(PUSH_WAIT_MS)).toBeNull();
    const heard = await staying.collect(QUIET_MS);
    expect(heard.closed).toBe(false);
    expect(heard.events.map((e) => e.event)).toEqual(['sessions-changed']);
    expect(staying.closedByServer).toBe(false);
    expect(t.app.services.hub.size).toBe(1);
    expect((await callApi(base, elsewhere.cookie, 'GET', '/api/me')).status).toBe(200);
  });

  it("tells an admin's stream that the sessions changed when a user logs in and when a session ends", async () => {
    const stream = await openStream(admin);

    const another = await signIn(t.app, acme.user.username, { ip: '8.8.4.4' });
    expect(await stream.next(PUSH_WAIT_MS)).toMatchObject({ event: 'sessions-changed' });

    await logout(admin, [another.sessionId]);
    expect(await stream.next(PUSH_WAIT_MS)).toMatchObject({ event: 'sessions-changed' });

    // Exactly one notice each, and the admin's own stream stays open.
    const rest = await stream.collect(QUIET_MS);
    expect(rest).toEqual({ events: [], closed: false });
  });

  it("closes an admin's stream once they are demoted, so it stops hearing the org's changes", async () => {
    const adminActor = {
      userId: acme.admin.id,
      orgId: acme.orgId,
      username: acme.admin.username,
      role: 'admin' as const,
      sessionId: null,
      publicIp: null,
    };
    await t.app.services.accounts.setRole(adminActor, acme.user.id, 'admin');
    const promoted = await signIn(t.app, acme.user.username, { ip: '8.8.4.4' });
    const stream = await openStream(promoted);

    await t.app.services.accounts.setRole(adminActor, acme.user.id, 'user');
    // The heartbeat's look at the session notices the new role; the client then reconnects as a user.
    const heard = await stream.collect(STREAM_HEARTBEAT_MS * 1.5);
    expect(heard.closed).toBe(true);
    expect(heard.events.map((e) => e.event)).not.toContain('session-ended');
  }, 60_000);

  it("does not tell a user's stream about another user's login", async () => {
    const colleague = await t.app.services.accounts.createUser(
      {
        userId: acme.admin.id,
        orgId: acme.orgId,
        username: acme.admin.username,
        role: 'admin',
        sessionId: null,
        publicIp: null,
      },
      { username: `colleague-${engine}-${Date.now()}`, password: PASSWORD, role: 'user' },
    );
    const userStream = await openStream(user);
    const adminStream = await openStream(admin);

    await signIn(t.app, colleague.username);
    // The admin hears it (so the event was published), the user must not.
    expect(await adminStream.next(PUSH_WAIT_MS)).toMatchObject({ event: 'sessions-changed' });
    // Control: the user's own second login is heard, and it is the only thing heard.
    await signIn(t.app, acme.user.username, { ip: '8.8.8.8' });
    const heard = await userStream.collect(QUIET_MS);
    expect(heard.events.map((e) => e.event)).toEqual(['sessions-changed']);
    expect(heard.closed).toBe(false);
  });

  it("ends the other session's stream with password_changed after a password change, and keeps the changer's open", async () => {
    const elsewhere = await signIn(t.app, acme.user.username, { ip: '8.8.8.8' });
    const changer = await openStream(user);
    const other = await openStream(elsewhere);

    const response = await callApi(base, user.cookie, 'POST', '/api/me/password', {
      currentPassword: PASSWORD,
      newPassword: 'an entirely different passphrase',
    });
    expect(response.status).toBe(204);

    const ended = await other.next(PUSH_WAIT_MS);
    expect(ended).toMatchObject({ event: 'session-ended', data: { reason: 'password_changed' } });
    const latencyMs = (ended?.receivedAt ?? Number.POSITIVE_INFINITY) - response.returnedAt;
    console.info(`[${engine}] session-ended arrived ${latencyMs.toFixed(1)} ms after the password change`);
    expect(await other.next(PUSH_WAIT_MS)).toBeNull();

    const heard = await changer.collect(QUIET_MS);
    expect(heard.closed).toBe(false);
    expect(heard.events.map((e) => e.event)).not.toContain('session-ended');
    expect((await callApi(base, user.cookie, 'GET', '/api/me')).status).toBe(200);
  });

  it('closes the stream with reason logout when the user logs out in another tab', async () => {
    const stream = await openStream(user);
    const response = await callApi(base, user.cookie, 'POST', '/api/auth/logout');
    expect(response.status).toBe(204);
    expect(await stream.next(PUSH_WAIT_MS)).toMatchObject({
      event: 'session-ended',
      data: { reason: 'logout' },
    });
    expect(await stream.next(PUSH_WAIT_MS)).toBeNull();
  });

  it('answers a stream request without a cookie with 401 JSON, not an event stream', async () => {
    const stream = await openSse(`${base}/api/sessions/stream`);
    streams.push(stream);
    expect(stream.status).toBe(401);
    expect(stream.headers.get('content-type')).toContain('application/json');
    expect(JSON.parse(stream.body ?? 'null')).toMatchObject({ error: { code: 'NOT_AUTHENTICATED' } });
    expect(t.app.services.hub.size).toBe(0);
  });

  it('refuses a stream to a session that has already ended, saying why', async () => {
    await logout(admin, [user.sessionId]);
    const stream = await openSse(`${base}/api/sessions/stream`, { cookie: user.cookie });
    streams.push(stream);
    expect(stream.status).toBe(401);
    expect(stream.headers.get('x-session-ended')).toBe('terminated');
    expect(JSON.parse(stream.body ?? 'null')).toMatchObject({ error: { code: 'SESSION_ENDED' } });
    expect(t.app.services.hub.size).toBe(0);
  });
});
