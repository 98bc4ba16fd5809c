import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from './helpers/engines.js';
import { type SignedIn, seedOrg, signIn } from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

/** Each route's fields and what a good value of each looks like, so one bad field can be drawn. */
const ROUTES = [
  {
    method: 'POST',
    url: '/api/auth/login/mfa',
    fields: { mfaToken: 'token', code: '123456' },
    required: ['mfaToken', 'code'],
  },
  { method: 'POST', url: '/api/me/mfa/totp', fields: { mfaToken: 'token' }, required: [] },
  {
    method: 'POST',
    url: '/api/me/mfa/totp/confirm',
    fields: { code: '123456', mfaToken: 'token' },
    required: ['code'],
  },
  { method: 'DELETE', url: '/api/me/mfa/totp', fields: { code: '123456' }, required: ['code'] },
] as const;

const notAString = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constant({}),
  fc.array(fc.integer()),
);

describeEachEngine('MFA bodies', (engine) => {
  let t: TestApp;
  let user: SignedIn;

  beforeAll(async () => {
    t = await createTestApp(engine);
    user = await signIn(t.app, (await seedOrg(t.app)).user.username);
  });
  afterAll(() => t.close());

  it('answers a bad body with a 400 naming the field, never a 5xx (property)', async () => {
    const route = fc.constantFrom(...ROUTES);
    const badBody = route.chain((r) => {
      const good = { ...r.fields } as Record<string, unknown>;
      const names = Object.keys(r.fields);
      const wrongValue = fc
        .record({
          field: fc.constantFrom(...names),
          value: fc.oneof(
            notAString,
            fc.string({ minLength: 257, maxLength: 400 }),
            // Too short for a code (and for a token: empty).
            fc.string({ maxLength: 0 }),
          ),
        })
        .map(({ field, value }) => ({ body: { ...good, [field]: value }, names: [field] }));
      const extra = fc
        .string({ minLength: 1, maxLength: 20 })
        .filter((k) => !names.includes(k) && k !== '__proto__')
        .map((k) => ({ body: { ...good, [k]: 1 }, names: [k] }));
      const missing =
        r.required.length === 0
          ? extra
          : fc.constantFrom(...r.required).map((k) => {
              const body = { ...good };
              delete body[k];
              return { body, names: [k] };
            });
      return fc.tuple(fc.constant(r), fc.oneof(wrongValue, extra, missing));
    });
    await fc.assert(
      fc.asyncProperty(badBody, async ([r, { body, names }]) => {
        const response = await t.app.inject({
          method: r.method,
          url: r.url,
          headers: { cookie: user.cookie },
          payload: body,
        });
        expect(response.statusCode, response.body).toBe(400);
        expect(response.json().error.code).toBe('INVALID_INPUT');
        expect(response.json().error.message).toContain(`body.${names[0]}`);
      }),
      { numRuns: 150 },
    );
  });

  it('answers a body that is no object with a 400 saying so', async () => {
    for (const r of ROUTES) {
      for (const payload of ['"code"', '[1]', '42']) {
        const response = await t.app.inject({
          method: r.method,
          url: r.url,
          headers: { cookie: user.cookie, 'content-type': 'application/json' },
          payload,
        });
        expect(response.statusCode, `${r.url} ${payload}`).toBe(400);
        expect(response.json().error.message).toContain('body');
      }
    }
  });
});
