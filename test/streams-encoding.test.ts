import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { selectEncodedEvents } from '../src/activity/streams/encoded-events.repository.js';
import { ActivitySchema } from '../src/contracts/activity.js';
import { describeEachEngine } from './helpers/engines.js';
import { as, type SeededOrg, type SignedIn, seedOrg, signIn, withKey } from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const DAY = 86_400_000;
const KEYS = [...Object.keys(ActivitySchema.properties), 'seq', 'orgId', 'hash'].sort();

describeEachEngine('the events a stream sends, written by the database', (engine) => {
  let t: TestApp;
  let acme: SeededOrg;
  let admin: SignedIn;
  let key: string;

  beforeAll(async () => {
    t = await createTestApp(engine);
    acme = await seedOrg(t.app);
    admin = await signIn(t.app, acme.admin.username);
    key = (
      await as(t.app, admin).post('/api/api-keys', {
        name: 'jobs',
        scopes: ['activities:write', 'activities:read'],
      })
    ).json().key;
  });
  afterAll(() => t.close());

  const json = fc.jsonValue({ maxDepth: 3 });
  const event = fc
    .record(
      {
        activity: fc.constantFrom('backup', 'restore', 'job.v2 / nightly'),
        status: fc.constantFrom('success', 'failed', 'aborted'),
        target: fc.option(fc.string({ maxLength: 40, unit: 'binary' }), { nil: undefined }),
        details: fc.option(
          fc.oneof(
            fc.string({ maxLength: 60, unit: 'binary' }),
            fc.dictionary(fc.string({ maxLength: 8 }), json, { maxKeys: 5 }),
          ),
          { nil: undefined },
        ),
        publicIp: fc.option(fc.constantFrom('81.2.69.160', '2001:db8::1', '::ffff:10.0.0.1'), {
          nil: undefined,
        }),
        ageMs: fc.integer({ min: 0, max: 30 * DAY }),
        byUser: fc.boolean(),
      },
      { requiredKeys: ['activity', 'status', 'ageMs', 'byUser'] },
    )
    // Ingest refuses a NUL anywhere (ingest-hardening.test.ts); every other character goes.
    .filter((e) => !JSON.stringify(e).includes('\\u0000'));

  it('are the API’s Activity of each row, key for key, with its seq, orgId and hash, read in either thread', async () => {
    let afterSeq = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(event, { minLength: 1, maxLength: 20 }), async (events) => {
        const payload = events.map(({ ageMs, byUser, ...e }) => ({
          ...e,
          username: byUser ? acme.user.username : acme.admin.username,
          occurredAt: new Date(Date.now() - ageMs).toISOString(),
        }));
        const ingested = await withKey(t.app, key).post('/api/activities', { events: payload });
        expect(ingested.statusCode, ingested.body).toBe(201);
        const encoded = await selectEncodedEvents(t.database.db, acme.orgId, afterSeq, 1_000);
        // SQLite: the server reads them in the export worker; the same events, byte for byte.
        const { readRows } = t.app.services.activity;
        expect(readRows === undefined).toBe(engine === 'postgres');
        if (readRows)
          expect(await selectEncodedEvents(t.database.db, acme.orgId, afterSeq, 1_000, readRows)).toEqual(
            encoded,
          );
        const byId = new Map<string, unknown>();
        for (let cursor: string | null = ''; cursor !== null; ) {
          const page: {
            statusCode: number;
            body: string;
            json: () => { items: Array<{ id: string }>; nextCursor: string | null };
          } = await withKey(t.app, key).get(
            `/api/activities?period=1y&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
          );
          expect(page.statusCode, page.body).toBe(200);
          for (const item of page.json().items) byId.set(item.id, item);
          cursor = page.json().nextCursor;
        }
        for (const sent of encoded) {
          const parsed = JSON.parse(sent.json);
          expect(Object.keys(parsed).sort()).toEqual(KEYS);
          const { seq, orgId, hash, ...activity } = parsed;
          expect(activity).toEqual(byId.get(activity.id));
          expect(orgId).toBe(acme.orgId);
          expect(seq).toBe(sent.seq);
          expect(hash).toMatch(/^[0-9a-f]{64}$/);
          expect(sent.occurredAt).toBe(Date.parse(activity.occurredAt));
        }
        expect(encoded.map((e) => e.seq)).toEqual(encoded.map((_, i) => afterSeq + 1 + i));
        afterSeq = encoded.at(-1)?.seq ?? afterSeq;
      }),
      { numRuns: 25 },
    );
  });
});
