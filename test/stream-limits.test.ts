import { afterEach, beforeEach, expect, it } from 'vitest';
import { MAX_STREAMS_PER_SESSION, MAX_STREAMS_PER_USER } from '../src/sessions/live-hub.js';
import { describeEachEngine } from './helpers/engines.js';
import { type SeededOrg, type SignedIn, seedOrg, signIn } from './helpers/factories.js';
import { callApi, listenOnLoopback, openSse, type SseStream } from './helpers/sse.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const MAX_STREAMS = 40;

describeEachEngine('limits on open event streams', (engine) => {
  let t: TestApp;
  let base: string;
  let acme: SeededOrg;
  let user: SignedIn;
  let streams: SseStream[];

  beforeEach(async () => {
    t = await createTestApp(engine, { env: { MAX_STREAMS: String(MAX_STREAMS) } });
    base = await listenOnLoopback(t.app);
    acme = await seedOrg(t.app);
    user = await signIn(t.app, acme.user.username);
    streams = [];
  });
  afterEach(async () => {
    for (const stream of streams) stream.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    t.app.server.closeAllConnections();
    await t.close();
  });

  const open = async (who: SignedIn): Promise<SseStream> => {
    const stream = await openSse(`${base}/api/sessions/stream`, { cookie: who.cookie });
    streams.push(stream);
    return stream;
  };
  const openReady = async (who: SignedIn, count: number): Promise<SseStream[]> => {
    const opened = await Promise.all(Array.from({ length: count }, () => open(who)));
    for (const stream of opened) expect(stream.status).toBe(200);
    return opened;
  };
  const errorOf = (stream: SseStream) =>
    (JSON.parse(stream.body ?? 'null') as { error: { code: string; message: string } }).error;

  /** Hub bookkeeping follows the socket's close a moment later. */
  const untilHubSize = async (size: number) => {
    for (let i = 0; i < 100 && t.app.services.hub.size !== size; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(t.app.services.hub.size).toBe(size);
  };

  it(`refuses a session's stream beyond ${MAX_STREAMS_PER_SESSION} with 429 RATE_LIMITED naming the limit`, async () => {
    await openReady(user, MAX_STREAMS_PER_SESSION);
    const refused = await open(user);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toContain('application/json');
    const error = errorOf(refused);
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.message).toContain('session');
    expect(error.message).toContain(String(MAX_STREAMS_PER_SESSION));
    // The user's other session is not held to this session's count.
    const elsewhere = await signIn(t.app, acme.user.username, { ip: '8.8.8.8' });
    expect((await open(elsewhere)).status).toBe(200);
  });

  it(`opens exactly ${MAX_STREAMS_PER_SESSION} of 50 streams requested at once on one cookie`, async () => {
    const all = await Promise.all(Array.from({ length: 50 }, () => open(user)));
    const statuses = all.map((stream) => stream.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(MAX_STREAMS_PER_SESSION);
    expect(statuses.filter((status) => status === 429)).toHaveLength(50 - MAX_STREAMS_PER_SESSION);
    expect(t.app.services.hub.size).toBe(MAX_STREAMS_PER_SESSION);
  });

  it('frees the slot of a stream the client hung up, and of one the server ended', async () => {
    const [first] = await openReady(user, MAX_STREAMS_PER_SESSION);
    expect((await open(user)).status).toBe(429);

    first?.close();
    await untilHubSize(MAX_STREAMS_PER_SESSION - 1);
    expect((await open(user)).status).toBe(200);

    // Logout ends every stream of the session: all its slots are free for the next login.
    expect((await callApi(base, user.cookie, 'POST', '/api/auth/logout')).status).toBe(204);
    await untilHubSize(0);
    const again = await signIn(t.app, acme.user.username);
    await openReady(again, MAX_STREAMS_PER_SESSION);
  });

  it(`refuses a user's stream beyond ${MAX_STREAMS_PER_USER} across sessions with 429 naming the limit`, async () => {
    const sessions = Math.ceil(MAX_STREAMS_PER_USER / MAX_STREAMS_PER_SESSION);
    for (let i = 0; i < sessions; i++) {
      const session = await signIn(t.app, acme.user.username, { ip: `8.8.8.${i + 1}` });
      await openReady(
        session,
        Math.min(MAX_STREAMS_PER_SESSION, MAX_STREAMS_PER_USER - i * MAX_STREAMS_PER_SESSION),
      );
    }
    const another = await signIn(t.app, acme.user.username, { ip: '8.8.4.4' });
    const refused = await open(another);
    expect(refused.status).toBe(429);
    expect(errorOf(refused).code).toBe('RATE_LIMITED');
    expect(errorOf(refused).message).toContain('user');
    expect(errorOf(refused).message).toContain(String(MAX_STREAMS_PER_USER));
    // Another user of the org still gets a stream.
    const admin = await signIn(t.app, acme.admin.username);
    expect((await open(admin)).status).toBe(200);
  });

  it('refuses a stream beyond MAX_STREAMS on this instance with 503 SERVER_BUSY and Retry-After, whoever asks', async () => {
    const admin = await signIn(t.app, acme.admin.username);
    await openReady(user, MAX_STREAMS_PER_SESSION);
    await openReady(admin, MAX_STREAMS_PER_SESSION);
    const others = await seedOrg(t.app);
    for (const who of [others.admin, others.user]) {
      await openReady(await signIn(t.app, who.username), MAX_STREAMS_PER_SESSION);
    }
    expect(t.app.services.hub.size).toBe(MAX_STREAMS);

    const stranger = await signIn(t.app, (await seedOrg(t.app)).user.username);
    const refused = await open(stranger);
    expect(refused.status).toBe(503);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(errorOf(refused).code).toBe('SERVER_BUSY');
    expect(errorOf(refused).message).toContain(String(MAX_STREAMS));
    // Ordinary requests still get through.
    expect((await fetch(`${base}/api/health`)).status).toBe(200);
  });
});
