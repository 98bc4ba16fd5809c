import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeEachEngine } from './helpers/engines.js';
import { type SeededOrg, seedOrg, signIn } from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describeEachEngine('request ids', (engine) => {
  let t: TestApp;
  let acme: SeededOrg;

  beforeEach(async () => {
    t = await createTestApp(engine);
    acme = await seedOrg(t.app);
  });
  afterEach(() => t.close());

  it('names every answer with X-Request-Id, a fresh one each time', async () => {
    const health = await t.app.inject({ method: 'GET', url: '/api/health' });
    const me = await t.app.inject({ method: 'GET', url: '/api/me' });
    const missing = await t.app.inject({ method: 'GET', url: '/api/no-such-route' });
    const ids = [health, me, missing].map((r) => r.headers['x-request-id']);
    for (const id of ids) expect(id).toMatch(UUID);
    expect(new Set(ids).size).toBe(3);
  });

  it('names an answer to a URL the router cannot read, which no hook sees', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/sessions/%zz' });
    expect(response.statusCode).toBe(400);
    expect(response.headers['x-request-id']).toMatch(UUID);
    expect(response.json().error.requestId).toBe(response.headers['x-request-id']);
  });

  it('puts the same id in every error body', async () => {
    const unauthenticated = await t.app.inject({ method: 'GET', url: '/api/me' });
    const invalid = await t.app.inject({ method: 'GET', url: '/api/activities?limit=0' });
    for (const response of [unauthenticated, invalid]) {
      expect(response.statusCode).toBeGreaterThanOrEqual(400);
      expect(response.json().error.requestId).toBe(response.headers['x-request-id']);
    }
  });

  it("keeps a proxy's well-formed id, and replaces one that could forge a log line", async () => {
    const kept = await t.app.inject({
      method: 'GET',
      url: '/api/me',
      headers: { 'x-request-id': 'lb-7f3a.42:9' },
    });
    expect(kept.headers['x-request-id']).toBe('lb-7f3a.42:9');
    expect(kept.json().error.requestId).toBe('lb-7f3a.42:9');
    for (const forged of ['has spaces', 'a'.repeat(129), 'x\u2028y', '']) {
      const response = await t.app.inject({
        method: 'GET',
        url: '/api/health',
        headers: { 'x-request-id': forged },
      });
      expect(response.headers['x-request-id']).toMatch(UUID);
    }
  });

  describe('on the event stream, which writes its own headers', () => {
    it('names the stream too', async () => {
      const user = await signIn(t.app, acme.user.username);
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      const address = t.app.server.address();
      if (!address || typeof address === 'string') throw new Error('no port');
      const controller = new AbortController();
      const response = await fetch(`http://127.0.0.1:${address.port}/api/sessions/stream`, {
        headers: { cookie: user.cookie },
        signal: controller.signal,
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-request-id')).toMatch(UUID);
      controller.abort();
    });
  });
});
