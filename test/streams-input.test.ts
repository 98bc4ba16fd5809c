import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MAX_STREAMS_PER_ORG } from '../src/activity/streams/streams.service.js';
import { describeEachEngine } from './helpers/engines.js';
import { as, type SeededOrg, type SignedIn, seedOrg, signIn } from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const SECRET = 'a-stream-secret-of-32-characters';
const VALID = { name: 'siem', url: 'http://127.0.0.1:9/collect', format: 'json', secret: SECRET };

describeEachEngine('creating activity streams', (engine) => {
  let t: TestApp;
  let acme: SeededOrg;
  let admin: SignedIn;
  let user: SignedIn;

  beforeAll(async () => {
    t = await createTestApp(engine);
    acme = await seedOrg(t.app);
    admin = await signIn(t.app, acme.admin.username);
    user = await signIn(t.app, acme.user.username);
  });
  afterAll(() => t.close());

  const deleteAll = async () => {
    for (const stream of (await as(t.app, admin).get('/api/streams')).json().streams as Array<{
      id: string;
    }>) {
      expect((await as(t.app, admin).delete(`/api/streams/${stream.id}`)).statusCode).toBe(204);
    }
  };

  it('refuses any body it cannot use with a 400 naming the field, and creates the rest', async () => {
    const field = <T>(valid: fc.Arbitrary<T>, invalid: fc.Arbitrary<unknown>) =>
      fc.oneof(
        valid.map((value) => ({ value, ok: true })),
        invalid.map((value) => ({ value, ok: false })),
      );
    const body = fc.record({
      name: field(
        fc.string({ minLength: 1, maxLength: 100 }),
        fc.oneof(fc.constant(''), fc.constant(null), fc.string({ minLength: 101, maxLength: 120 })),
      ),
      url: field(
        fc.constantFrom(
          'http://127.0.0.1:9/x',
          'https://splunk.internal:8088/services/collector/event',
          'http://[::1]:9/',
        ),
        fc.constantFrom(
          'ftp://example.com/',
          'not a url',
          '/relative',
          'http://user:pw@127.0.0.1/',
          'javascript:alert(1)',
          '',
        ),
      ),
      format: field(fc.constantFrom('json', 'splunk_hec'), fc.constantFrom('xml', 'JSON', '', 7)),
      secret: field(
        fc.string({ minLength: 16, maxLength: 256 }),
        fc.oneof(fc.string({ maxLength: 15 }), fc.constant(null)),
      ),
      token: fc.option(
        field(fc.string({ minLength: 1, maxLength: 256 }), fc.constantFrom('', null, 'x'.repeat(257))),
        {
          nil: undefined,
        },
      ),
      fromSeq: fc.option(field(fc.integer({ min: 1, max: 3 }), fc.constantFrom(0, -1, 1.5, 'one', 1e12)), {
        nil: undefined,
      }),
    });
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        const payload: Record<string, unknown> = {
          name: b.name.value,
          url: b.url.value,
          format: b.format.value,
          secret: b.secret.value,
        };
        if (b.token) payload.token = b.token.value;
        if (b.fromSeq) payload.fromSeq = b.fromSeq.value;
        const wrong = (['name', 'url', 'format', 'secret', 'token', 'fromSeq'] as const).filter(
          (key) => b[key] !== undefined && !(b[key] as { ok: boolean }).ok,
        );
        // A token belongs to splunk_hec, which cannot go without one.
        const tokenMismatch = b.format.ok && (b.format.value === 'splunk_hec') !== (b.token !== undefined);
        const response = await as(t.app, admin).post('/api/streams', payload);
        if (wrong.length === 0 && !tokenMismatch) {
          expect(response.statusCode, response.body).toBe(201);
          await deleteAll();
          return;
        }
        expect(response.statusCode, response.body).toBe(400);
        const message: string = response.json().error.message;
        const named = [...wrong, ...(tokenMismatch ? ['token'] : [])];
        expect(
          named.some((key) => message.includes(key)),
          `${message} names one of ${named}`,
        ).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('keeps its cap when 50 creations arrive at once: exactly the cap succeed', async () => {
    await deleteAll();
    const createdBefore = (
      await as(t.app, admin).get('/api/activities?activity=stream.created&limit=1')
    ).json().total;
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        as(t.app, admin).post('/api/streams', { ...VALID, name: `s${i}` }),
      ),
    );
    const statuses = responses.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 201)).toHaveLength(MAX_STREAMS_PER_ORG);
    expect(statuses.filter((s) => s === 409)).toHaveLength(50 - MAX_STREAMS_PER_ORG);
    expect((await as(t.app, admin).get('/api/streams')).json().streams).toHaveLength(MAX_STREAMS_PER_ORG);
    // The refused ones left no stream.created behind.
    const created = (await as(t.app, admin).get('/api/activities?activity=stream.created&limit=1')).json();
    expect(created.total - createdBefore).toBe(MAX_STREAMS_PER_ORG);
    await deleteAll();
  });

  it('is for admins only, of their own org, and never shows a secret or token', async () => {
    expect((await as(t.app, user).post('/api/streams', VALID)).statusCode).toBe(403);
    expect((await as(t.app, user).get('/api/streams')).statusCode).toBe(403);
    const created = await as(t.app, admin).post('/api/streams', {
      ...VALID,
      format: 'splunk_hec',
      token: 'the-hec-token',
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id;
    const listed = (await as(t.app, admin).get('/api/streams')).body;
    for (const body of [created.body, listed]) {
      expect(body).not.toContain(SECRET);
      expect(body).not.toContain('the-hec-token');
    }
    const other = await seedOrg(t.app);
    const stranger = await signIn(t.app, other.admin.username);
    expect((await as(t.app, stranger).get('/api/streams')).json().streams).toEqual([]);
    for (const path of [`/api/streams/${id}/test`, `/api/streams/${id}/resume`]) {
      expect((await as(t.app, stranger).post(path, {})).statusCode).toBe(404);
    }
    expect((await as(t.app, stranger).delete(`/api/streams/${id}`)).statusCode).toBe(404);
    const key = (
      await as(t.app, admin).post('/api/api-keys', { name: 'k', scopes: ['activities:read'] })
    ).json().key;
    const byKey = await t.app.inject({
      method: 'GET',
      url: '/api/streams',
      headers: { authorization: `Bearer ${key}` },
    });
    expect(byKey.statusCode).toBe(401);
    await deleteAll();
  });
});
