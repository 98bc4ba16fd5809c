import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from './helpers/engines.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

/** Pages of every kind: the web app, the API (an answer and an error), and swagger-ui's own. */
const PATHS = [
  '/',
  '/api/health',
  '/api/me',
  '/api/openapi.json',
  '/docs',
  '/docs/',
  '/docs/static/index.html',
];

describeEachEngine('HSTS and upgrade-insecure-requests follow the scheme', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(engine, { env: { TRUST_PROXY: 'loopback' } });
  });
  afterAll(() => t.close());

  const get = (url: string, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'GET', url, headers: { accept: 'text/html', ...headers } });
  const csp = (response: LightMyRequestResponse) => String(response.headers['content-security-policy'] ?? '');

  it.each(PATHS)('over plain HTTP, %s has neither HSTS nor upgrade-insecure-requests', async (path) => {
    const response = await get(path);
    expect(response.statusCode).toBeLessThan(500);
    expect(response.headers['strict-transport-security']).toBeUndefined();
    expect(csp(response)).not.toContain('upgrade-insecure-requests');
  });

  it.each(PATHS)('over HTTPS through the trusted proxy, %s has HSTS', async (path) => {
    const response = await get(path, { 'x-forwarded-proto': 'https' });
    expect(response.headers['strict-transport-security']).toMatch(/^max-age=31536000\b/);
    expect(csp(response)).not.toContain('upgrade-insecure-requests');
  });

  it('ignores X-Forwarded-Proto from an untrusted client', async () => {
    const untrusted = await createTestApp(engine);
    try {
      const response = await untrusted.app.inject({
        method: 'GET',
        url: '/api/health',
        headers: { 'x-forwarded-proto': 'https' },
      });
      expect(response.headers['strict-transport-security']).toBeUndefined();
    } finally {
      await untrusted.close();
    }
  });

  it("keeps swagger-ui's page under a CSP of its own", async () => {
    const policy = csp(await get('/docs/static/index.html'));
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("object-src 'none'");
  });
});
