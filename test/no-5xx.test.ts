import { connect } from 'node:net';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY_SCOPES } from '../src/contracts/api-keys.js';
import { operatorActor } from '../src/kernel/actor.js';
import { describeEachEngine } from './helpers/engines.js';
import { as, type SeededOrg, type SignedIn, seedOrg, signIn } from './helpers/factories.js';
import { listenOnLoopback } from './helpers/sse.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

/** What app.inject's default Host header (`localhost:80`) makes the app's own origin. */
const OWN_ORIGIN = 'http://localhost:80';
const SOME_UUID = '00000000-0000-4000-8000-000000000000';
const JSON_ROUTES: Array<[InjectOptions['method'], string]> = [
  ['POST', '/api/auth/login'],
  ['POST', '/api/auth/logout'],
  ['POST', '/api/users'],
  ['PATCH', `/api/users/${SOME_UUID}`],
  ['POST', '/api/me/password'],
  ['POST', '/api/sessions/logout'],
  ['DELETE', `/api/sessions/${SOME_UUID}`],
  ['POST', '/api/api-keys'],
  ['DELETE', `/api/api-keys/${SOME_UUID}`],
  ['POST', '/api/activities'],
  ['POST', '/api/sessions/introspect'],
];

/** Regression tests, one per cause of a 5xx (or of an error not in our shape) found so far. */
describeEachEngine('no input answers a 5xx', (engine) => {
  let t: TestApp;
  let acme: SeededOrg;
  let admin: SignedIn;
  let apiKey: string;

  beforeAll(async () => {
    t = await createTestApp(engine);
    acme = await seedOrg(t.app);
    admin = await signIn(t.app, acme.admin.username);
    const created = await t.app.services.apiKeys.createApiKey(operatorActor(acme.orgId), 'no-5xx', {
      scopes: API_KEY_SCOPES,
    });
    apiKey = created.key;
  });
  afterAll(() => t.close());

  const expectError = (response: LightMyRequestResponse, status: number, code: string) => {
    expect(response.statusCode, response.body).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json()).toEqual({
      error: { code, message: expect.any(String), requestId: expect.any(String) },
    });
  };

  it.each(['1e309', '-1e309', 'Infinity'])(
    'answers GET /api/activities?limit=%s with 400 naming query.limit (Ajv coerced it to ±Infinity)',
    async (limit) => {
      const response = await as(t.app, admin).get(`/api/activities?limit=${limit}`);
      expectError(response, 400, 'INVALID_INPUT');
      expect(response.json().error.message).toContain('limit');
    },
  );

  it('answers a JSON number that overflows to Infinity with 400 naming the field', async () => {
    const response = await t.app.inject({
      method: 'PATCH',
      url: `/api/users/${acme.user.id}`,
      headers: { cookie: admin.cookie, origin: OWN_ORIGIN, 'content-type': 'application/json' },
      payload: '{"disabled":1e309}',
    });
    expectError(response, 400, 'INVALID_INPUT');
    expect(response.json().error.message).toBe('body.disabled must be a finite number');
  });

  describe('JSON nested 100,000 levels deep (the old NUL check recursed and overflowed the stack)', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const deepObject = `${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}`;
    it.each(JSON_ROUTES)(
      'answers %s %s with a 4xx, without login, as an admin and with an API key',
      async (method, url) => {
        for (const payload of [deep, deepObject]) {
          for (const headers of [
            {},
            { cookie: admin.cookie, origin: OWN_ORIGIN },
            { authorization: `Bearer ${apiKey}` },
          ]) {
            const response = await t.app.inject({
              method,
              url,
              headers: { 'content-type': 'application/json', ...headers },
              payload,
            });
            expect(response.statusCode, response.body).toBeLessThan(500);
            expect(response.json().error.code).toEqual(expect.any(String));
          }
        }
        const login = await t.app.inject({
          method: 'POST',
          url: '/api/auth/login',
          headers: { 'content-type': 'application/json' },
          payload: deep,
        });
        expectError(login, 400, 'INVALID_INPUT');
        expect(login.json().error.message).toMatch(/^body(\.0){64} nests deeper than 64 levels$/);
      },
    );
  });

  it.each(['/api/sessions/%E0%A4%A', '/api/sessions/%', `/api/sessions/${'a'.repeat(200)}`])(
    'answers a path the router cannot decode or take (%s) with a JSON 400, not Fastify default body',
    async (url) => {
      expectError(await as(t.app, admin).delete(url), 400, 'INVALID_INPUT');
    },
  );

  describe('over a real socket, where Node refuses the request before Fastify sees it', () => {
    let base: URL;
    beforeAll(async () => {
      base = new URL(await listenOnLoopback(t.app));
    });

    const rawExchange = (request: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(Number(base.port), base.hostname);
        let answer = '';
        socket.setEncoding('utf8');
        socket.on('data', (chunk) => {
          answer += chunk;
        });
        socket.on('end', () => resolve(answer));
        socket.on('close', () => resolve(answer));
        socket.on('error', reject);
        socket.write(request);
      });
    const parse = (answer: string) => {
      const [head = '', body = ''] = answer.split('\r\n\r\n');
      return { statusLine: head.split('\r\n')[0], head: head.toLowerCase(), json: JSON.parse(body) };
    };

    it('answers headers over 16 KiB with 431 and a JSON HEADERS_TOO_LARGE', async () => {
      const answer = parse(
        await rawExchange(`GET /api/me HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`),
      );
      expect(answer.statusLine).toBe('HTTP/1.1 431 Request Header Fields Too Large');
      expect(answer.head).toContain('content-type: application/json');
      expect(answer.json).toEqual({ error: { code: 'HEADERS_TOO_LARGE', message: expect.any(String) } });
    });

    it('answers a malformed request with 400 and a JSON INVALID_INPUT', async () => {
      const answer = parse(
        await rawExchange('GET /api/me HTTP/1.1\r\nHost: localhost\r\nBroken header\r\n\r\n'),
      );
      expect(answer.statusLine).toBe('HTTP/1.1 400 Bad Request');
      expect(answer.json).toEqual({ error: { code: 'INVALID_INPUT', message: expect.any(String) } });
    });
  });
});
