import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { describeEachEngine, type TestEngine } from './helpers/engines.js';
import { seedOrg, signIn } from './helpers/factories.js';
import { HEALTH_REQUEST, openRawConnection, type RawConnection } from './helpers/raw-socket.js';
import { callApi, listenOnLoopback, openSse, type SseStream } from './helpers/sse.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

/** Generous bound for "the server dropped it": timeouts are 1 s, Node checks them every second. */
const DROPPED_WITHIN_MS = 5_000;
const BYTE_INTERVAL_MS = 200;

/** Servers started by one test, with the connections it opened, all closed after it. */
function serverFixture() {
  let t: TestApp | undefined;
  let connections: RawConnection[] = [];
  let streams: SseStream[] = [];
  afterEach(async () => {
    for (const connection of connections) connection.close();
    for (const stream of streams) stream.close();
    connections = [];
    streams = [];
    t?.app.server.closeAllConnections();
    await t?.close();
    t = undefined;
  });
  return {
    async start(engine: TestEngine, env: Record<string, string>) {
      t = await createTestApp(engine, { env });
      return { t, base: await listenOnLoopback(t.app) };
    },
    async connect(base: string, localAddress?: string) {
      const connection = await openRawConnection(base, localAddress ? { localAddress } : {});
      connections.push(connection);
      return connection;
    },
    track(stream: SseStream) {
      streams.push(stream);
      return stream;
    },
  };
}

const isOk = (response: string | undefined) => response?.startsWith('HTTP/1.1 200') ?? false;

describe('slow and silent connections', () => {
  const fixture = serverFixture();

  it('drops a login whose body trickles in a byte at a time once the request timeout passes, while /api/health keeps answering', async () => {
    const { base } = await fixture.start('sqlite', {
      REQUEST_TIMEOUT_SECONDS: '1',
      IDLE_TIMEOUT_SECONDS: '5',
    });
    const slow = await fixture.connect(base);
    slow.socket.write(
      'POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{',
    );
    const trickle = setInterval(() => slow.socket.write(' '), BYTE_INTERVAL_MS);
    const healthChecks: number[] = [];
    const probe = setInterval(() => {
      void callApi(base, undefined, 'GET', '/api/health').then((r) => healthChecks.push(r.status));
    }, BYTE_INTERVAL_MS);
    const startedAt = performance.now();
    try {
      expect(await slow.closedWithin(DROPPED_WITHIN_MS)).toBe(true);
      console.info(`trickling body dropped after ${(performance.now() - startedAt).toFixed(0)} ms`);
    } finally {
      clearInterval(trickle);
      clearInterval(probe);
    }
    expect(slow.received()).toMatch(/^HTTP\/1\.1 408/);
    expect((await callApi(base, undefined, 'GET', '/api/health')).status).toBe(200);
    expect(healthChecks.length).toBeGreaterThan(0);
    expect(healthChecks.every((status) => status === 200)).toBe(true);
  });

  it('drops a connection that sends no request within the headers timeout', async () => {
    const { base } = await fixture.start('sqlite', { REQUEST_TIMEOUT_SECONDS: '1' });
    const silent = await fixture.connect(base);
    expect(await silent.closedWithin(DROPPED_WITHIN_MS)).toBe(true);
  });

  it('drops a connection that falls silent halfway through its body once the idle timeout passes, long before the request timeout', async () => {
    const { base } = await fixture.start('sqlite', {
      REQUEST_TIMEOUT_SECONDS: '600',
      IDLE_TIMEOUT_SECONDS: '1',
    });
    const stalled = await fixture.connect(base);
    stalled.socket.write(
      'POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"user',
    );
    expect(await stalled.closedWithin(DROPPED_WITHIN_MS)).toBe(true);
  });

  it('refuses connections from one address beyond MAX_CONNECTIONS_PER_IP, still serves other addresses, and frees the slot when one closes', async () => {
    const { base } = await fixture.start('sqlite', { MAX_CONNECTIONS_PER_IP: '3' });
    const held: RawConnection[] = [];
    for (let i = 0; i < 3; i++) {
      const connection = await fixture.connect(base, '127.0.0.2');
      expect(isOk(await connection.request(HEALTH_REQUEST))).toBe(true);
      held.push(connection);
    }
    const refused = await fixture.connect(base, '127.0.0.2');
    expect(await refused.request(HEALTH_REQUEST)).toBeUndefined();
    expect(await refused.closedWithin(DROPPED_WITHIN_MS)).toBe(true);

    const elsewhere = await fixture.connect(base, '127.0.0.3');
    expect(isOk(await elsewhere.request(HEALTH_REQUEST))).toBe(true);

    held[0]?.close();
    // The server learns of the hang-up a moment later; until then the address is still at its cap.
    let admitted = false;
    for (let attempt = 0; attempt < 20 && !admitted; attempt++) {
      const again = await fixture.connect(base, '127.0.0.2');
      admitted = isOk(await again.request(HEALTH_REQUEST, 500));
      if (!admitted) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(admitted).toBe(true);
  });

  it('refuses connections beyond MAX_CONNECTIONS, whatever their address', async () => {
    const { base } = await fixture.start('sqlite', { MAX_CONNECTIONS: '3', MAX_STREAMS: '1' });
    for (const address of ['127.0.0.2', '127.0.0.3', '127.0.0.4']) {
      const connection = await fixture.connect(base, address);
      expect(isOk(await connection.request(HEALTH_REQUEST))).toBe(true);
    }
    const refused = await fixture.connect(base, '127.0.0.5');
    expect(await refused.request(HEALTH_REQUEST)).toBeUndefined();
    expect(await refused.closedWithin(DROPPED_WITHIN_MS)).toBe(true);
  });
});

describeEachEngine('event streams and connection timeouts', (engine) => {
  const fixture = serverFixture();

  it('keeps an event stream open past both the request timeout and the idle timeout', async () => {
    const { t, base } = await fixture.start(engine, {
      REQUEST_TIMEOUT_SECONDS: '1',
      IDLE_TIMEOUT_SECONDS: '1',
    });
    const acme = await seedOrg(t.app);
    const user = await signIn(t.app, acme.user.username);
    const stream = fixture.track(await openSse(`${base}/api/sessions/stream`, { cookie: user.cookie }));
    expect(stream.status).toBe(200);
    expect(await stream.next()).toMatchObject({ event: 'ready' });

    // No heartbeat comes within this (every 15 s): the socket is silent for 2.5 timeouts.
    const heard = await stream.collect(2_500);
    expect(heard.closed).toBe(false);
    expect(stream.closedByServer).toBe(false);
    expect(t.app.services.hub.size).toBe(1);
  });
});
