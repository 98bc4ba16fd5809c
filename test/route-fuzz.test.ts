import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/kernel/errors.js';
import { describeEachEngine } from './helpers/engines.js';
import { FuzzIdentities } from './helpers/fuzz/identities.js';
import { type FuzzOperation, listOperations } from './helpers/fuzz/openapi-routes.js';
import { type FuzzRequest, requestArbitrary } from './helpers/fuzz/requests.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

/** Enough to find the causes fixed so far within a few seconds; raise FUZZ_RUNS to dig deeper. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const STACK_TRACE = /at .*\.[cm]?[jt]s:\d+|node_modules/;

/** An event stream never ends, so inject would wait forever for a caller it accepts. */
const opensStream = (request: FuzzRequest) =>
  request.url.startsWith('/api/sessions/stream') &&
  (request.identity === 'admin' || request.identity === 'user') &&
  (request.method === 'GET' || request.method === 'HEAD');

function describeFailure(request: FuzzRequest, response: LightMyRequestResponse): string {
  const body = request.body && request.body.length > 300 ? `${request.body.slice(0, 300)}…` : request.body;
  return `${request.identity} ${request.method} ${request.url.slice(0, 300)} headers=${JSON.stringify(request.headers)} body=${JSON.stringify(body)} → ${response.statusCode} ${response.body.slice(0, 300)}`;
}

describeEachEngine('every route, any input: never a 5xx, always the JSON error', (engine) => {
  let t: TestApp;
  let operations: FuzzOperation[];
  let identities: FuzzIdentities;
  const answersWithEmptyBody = (sent: FuzzRequest) =>
    (sent.method === 'GET' || sent.method === 'HEAD') &&
    /^\/api\/auth\/verify(-redirect)?(\?|$)/.test(sent.url);

  beforeAll(async () => {
    // With metrics on: the services the routes use are then the observed ones (src/http/metrics/).
    t = await createTestApp(engine, { env: { METRICS_TOKEN: 'route-fuzz-metrics-token' } });
    operations = await listOperations(t.app);
    identities = await FuzzIdentities.create(t.app);
  });
  afterAll(() => t.close());

  it('answers generated params, query, headers and bodies of every route with a 2xx-4xx', async () => {
    expect(operations.length).toBeGreaterThan(15);
    const request = fc.constantFrom(...operations).chain(requestArbitrary);
    await fc.assert(
      fc.asyncProperty(request, async (generated) => {
        fc.pre(!opensStream(generated));
        const headers = identities.headersFor(generated.identity, generated.headers);
        const resolved = Object.fromEntries(
          Object.entries(headers).map(([name, value]) => [name, identities.resolve(value)]),
        );
        const sent: FuzzRequest = {
          ...generated,
          url: identities.resolve(generated.url),
          headers: resolved,
          body: generated.body === undefined ? undefined : identities.resolve(generated.body),
        };
        const response = await t.app.inject({
          method: sent.method as 'GET',
          url: sent.url,
          headers: sent.headers,
          remoteAddress: sent.remoteAddress,
          ...(sent.body === undefined ? {} : { payload: sent.body }),
        });
        const failure = describeFailure(sent, response);
        expect(response.statusCode, failure).toBeLessThan(500);
        if (answersWithEmptyBody(sent)) {
          // Forward auth: a proxy reads the status only (PRODUCT.md), so every answer is empty.
          expect(response.body, failure).toBe('');
        } else if (response.statusCode >= 400 && sent.method !== 'HEAD') {
          expect(response.headers['content-type'], failure).toMatch(/^application\/json/);
          const { error } = response.json();
          expect(Object.keys(ERROR_CODES), failure).toContain(error.code);
          expect(error.message, failure).toEqual(expect.any(String));
          expect(response.body, failure).not.toMatch(STACK_TRACE);
        }
        if (response.statusCode === 401) await identities.heal();
      }),
      { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) },
    );
  }, 120_000);
});
