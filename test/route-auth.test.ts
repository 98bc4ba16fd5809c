import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ApiKeyScope } from '../src/contracts/api-keys.js';
import { operatorActor } from '../src/kernel/actor.js';
import { describeEachEngine } from './helpers/engines.js';
import { as, seedOrg, signIn } from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

/**
 * A route that, unlike the real ones, does not call requireActor: only the auth hook stands
 * between it and an anonymous caller, so these tests see whether the hook ran.
 */
function registerUnguardedRoute(app: FastifyInstance): void {
  app.get('/api/test/unguarded', { schema: { hide: true } }, async (request) => ({
    actor: request.actor?.username ?? null,
  }));
  // The same for a route that takes an API key with a scope, and nothing else.
  app.get(
    '/api/test/keyed',
    { config: { auth: 'api-key', apiKeyScope: 'sessions:introspect' }, schema: { hide: true } },
    async (request) => ({ key: request.apiKey?.name ?? null, actor: request.actor?.username ?? null }),
  );
}

/** Sends the request target byte for byte, as a raw client would (inject would normalise it). */
function rawGet(app: FastifyInstance, path: string): Promise<{ status: number; body: string }> {
  const { port } = app.server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describeEachEngine('the auth hook decides from the matched route, not the raw URL', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(engine, { beforeReady: registerUnguardedRoute });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(() => t.close());

  it('lets a logged-in caller through, and refuses an anonymous one', async () => {
    const org = await seedOrg(t.app);
    const user = await signIn(t.app, org.user.username);
    const ok = await as(t.app, user).get('/api/test/unguarded');
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ actor: org.user.username });
    expect((await t.app.inject({ method: 'GET', url: '/api/test/unguarded' })).statusCode).toBe(401);
  });

  // Each of these either reaches the route (and then the hook must have run) or reaches no route.
  it.each([
    '/%61pi/test/unguarded',
    '/%61%70%69/test/unguarded',
    '/api/%74est/unguarded',
    '/api/test/%75nguarded',
    '//api/test/unguarded',
    '/api//test/unguarded',
    '/api/../api/test/unguarded',
    '/api/./test/unguarded',
    '/x/../api/test/unguarded',
    '/API/test/unguarded',
    '/Api/test/unguarded',
    '/%41PI/test/unguarded',
    '/api/test/unguarded/',
    '/api%2Ftest%2Funguarded',
    '/%2561pi/test/unguarded',
    '/api/test/unguarded;x',
    '/api/test/unguarded?x=/',
  ])('never answers %s anonymously with the route', async (path) => {
    const response = await rawGet(t.app, path);
    expect(response.body).not.toContain('"actor"');
    expect([401, 404]).toContain(response.status);
  });

  it('lets an API-key-only route through to a key with its scope only: never a cookie, never a key without it', async () => {
    const org = await seedOrg(t.app);
    const admin = await signIn(t.app, org.admin.username);
    const keyWith = async (scopes: ApiKeyScope[]) =>
      (await t.app.services.apiKeys.createApiKey(operatorActor(org.orgId), scopes.join('+'), { scopes })).key;
    const get = (headers: Record<string, string>) =>
      t.app.inject({ method: 'GET', url: '/api/test/keyed', headers });

    const scoped = await get({ authorization: `Bearer ${await keyWith(['sessions:introspect'])}` });
    expect(scoped.statusCode).toBe(200);
    expect(scoped.json()).toEqual({ key: 'sessions:introspect', actor: null });

    const unscoped = await get({ authorization: `Bearer ${await keyWith(['activities:write'])}` });
    expect(unscoped.statusCode).toBe(403);
    expect(unscoped.json().error).toMatchObject({ code: 'INSUFFICIENT_SCOPE' });
    expect(unscoped.json().error.message).toContain('sessions:introspect');

    for (const response of [await get({ cookie: admin.cookie }), await get({})]) {
      expect(response.statusCode).toBe(401);
      expect(response.body).not.toContain('"key"');
    }
  });

  it('still answers public routes and unknown paths without a session', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/health' })).statusCode).not.toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/docs/' })).statusCode).toBe(200);
    const unknown = await t.app.inject({ method: 'GET', url: '/no/such/page' });
    expect(unknown.statusCode).toBe(404);
  });
});
