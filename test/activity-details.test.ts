import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { DetailsObject, JsonValue } from '../src/contracts/activity.js';
import { TestClock } from './helpers/clock.js';
import { describeEachEngine } from './helpers/engines.js';
import { as, type SeededOrg, type SignedIn, seedOrg, signIn } from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const MAX_BYTES = 16_384;
const bytesOf = (value: unknown) => Buffer.byteLength(JSON.stringify(value));
/** What the server receives of a value: JSON on the wire (so -0 arrives as 0). */
const onTheWire = <T>(value: T): T => JSON.parse(JSON.stringify(value));

/** Keys the JSON body parser refuses outright (prototype poisoning), and text no route takes. */
const acceptable = (value: unknown): boolean => {
  const text = JSON.stringify(value);
  return !text.includes('"__proto__"') && !text.includes('"constructor"') && !text.includes('\\u0000');
};

const jsonObject: fc.Arbitrary<DetailsObject> = fc
  .dictionary(
    fc.string({ unit: 'binary', maxLength: 12 }),
    fc.jsonValue({ maxDepth: 5, stringUnit: 'binary' }) as fc.Arbitrary<JsonValue>,
    { maxKeys: 8 },
  )
  .filter((value) => acceptable(value) && bytesOf(value) <= MAX_BYTES);

interface Item {
  id: string;
  target: string | null;
  details: unknown;
}

describeEachEngine('structured details (objects in details)', (engine) => {
  let t: TestApp;
  let acme: SeededOrg;
  let admin: SignedIn;
  let key: string;

  beforeEach(async () => {
    t = await createTestApp(engine, { clock: new TestClock() });
    acme = await seedOrg(t.app);
    admin = await signIn(t.app, acme.admin.username);
    key = (await as(t.app, admin).post('/api/api-keys', { name: 'siem feed' })).json().key;
  });
  afterEach(() => t.close());

  const ingest = (events: Array<Record<string, unknown>>) =>
    t.app.inject({
      method: 'POST',
      url: '/api/activities',
      headers: { authorization: `Bearer ${key}` },
      payload: { events: events.map((e) => ({ activity: 'backup', username: acme.user.username, ...e })) },
    });
  const put = async (events: Array<Record<string, unknown>>) => {
    const response = await ingest(events);
    expect(response.statusCode, response.body).toBe(201);
  };
  const search = async (query: string): Promise<Item[]> => {
    const response = await as(t.app, admin).get(`/api/activities?limit=100&${query}`);
    expect(response.statusCode, response.body).toBe(200);
    return response.json().items;
  };
  const targetsFound = async (q: string) =>
    (await search(`q=${encodeURIComponent(q)}`)).map((item) => item.target).sort();
  const download = (query: string) => as(t.app, admin).get(`/api/activities/export?${query}`);
  const verify = async () => (await as(t.app, admin).get('/api/activities/verify')).json();

  it('takes a JSON object and gives it back deep-equal, from search and from the JSON Lines export', async () => {
    const details = { job: { id: 42, kind: 'mailbox' }, items: [1, 'two', null, true], note: 'ünï 😀' };
    await put([{ target: 'one', details }]);
    const [item] = await search('q=one');
    expect(item?.details).toEqual(details);
    const lines = (await download('format=jsonl')).body.trim().split('\n');
    expect(lines.map((line) => JSON.parse(line).details)).toContainEqual(details);
  });

  it('keeps a string that looks like JSON a string, and takes null as no details', async () => {
    await put([
      { target: 'looks', details: '{"a":1}' },
      { target: 'none', details: null },
    ]);
    expect((await search('q=looks'))[0]?.details).toBe('{"a":1}');
    expect((await search('q=none'))[0]?.details).toBeNull();
  });

  it('gives back any JSON object within the limit deep-equal: search and JSON Lines (property)', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(jsonObject, { minLength: 1, maxLength: 5 }), async (objects) => {
        run += 1;
        const token = `rt${run}x`;
        await put(objects.map((details, i) => ({ target: `${token}-${i}`, details })));
        const items = await search(`q=${token}-`);
        const byTarget = new Map(items.map((item) => [item.target, item.details]));
        expect(byTarget.size).toBe(objects.length);
        for (const [i, details] of objects.entries())
          expect(byTarget.get(`${token}-${i}`)).toEqual(onTheWire(details));
        const jsonl = await download(`format=jsonl&q=${token}-`);
        const exported = new Map<string, unknown>(
          jsonl.body
            .trim()
            .split('\n')
            .map((line) => JSON.parse(line))
            .map((item: Item) => [item.target as string, item.details]),
        );
        for (const [i, details] of objects.entries())
          expect(exported.get(`${token}-${i}`)).toEqual(onTheWire(details));
      }),
      { numRuns: 25 },
    );
  });

  it('refuses details of a wrong type, or too large, with a 400 naming events[i].details (property)', async () => {
    const wrong = fc
      .oneof(
        fc.integer(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.boolean(),
        fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
        fc.string({ minLength: 4_001, maxLength: 4_100 }),
        fc.integer({ min: 0, max: 400 }).map((extra) => ({ blob: 'x'.repeat(MAX_BYTES - 11 + extra) })),
        fc
          .integer({ min: 1, max: 20 })
          .map((n) => Object.fromEntries(Array.from({ length: 600 }, (_, i) => [`k${i}`, 'é'.repeat(n)]))),
      )
      .filter((value) => typeof value !== 'object' || Array.isArray(value) || bytesOf(value) > MAX_BYTES);
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: 3 }), wrong, async (index, details) => {
        const events = Array.from({ length: 4 }, (_, i) => ({
          target: `wrongtype-${i}`,
          ...(i === index ? { details } : {}),
        }));
        const response = await ingest(events);
        expect(response.statusCode, response.body).toBe(400);
        expect(response.json().error.message).toContain(`events[${index}].details`);
      }),
      { numRuns: 40 },
    );
    expect(await search('q=wrongtype-')).toEqual([]);
  });

  it('takes an object of exactly the limit, refuses one byte more', async () => {
    const exact = { blob: 'x'.repeat(MAX_BYTES - 11) };
    expect(bytesOf(exact)).toBe(MAX_BYTES);
    await put([{ target: 'exact', details: exact }]);
    const over = await ingest([{ details: { blob: `${exact.blob}x` } }]);
    expect(over.statusCode).toBe(400);
    expect(over.json().error.message).toContain('events[0].details');
  });

  it('answers deeply nested or huge details with a 4xx, never a 500', async () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 5_000; i++) deep = { d: deep };
    const nested = await t.app.inject({
      method: 'POST',
      url: '/api/activities',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      payload: `{"events":[{"activity":"backup","username":"${acme.user.username}","details":${'{"d":'.repeat(100_000)}1${'}'.repeat(100_000)}}]}`,
    });
    expect(nested.statusCode).toBe(400);
    expect(nested.json().error.message).toContain('details');
    const huge = await ingest([{ details: { blob: 'x'.repeat(3_000_000) } }]);
    expect(huge.statusCode).toBe(400);
    expect(huge.json().error.message).toContain('events[0].details');
  });

  it('verifies a chain of string rows written before and object rows after; an altered object is caught', async () => {
    await put([
      { target: 's1', details: 'plain text' },
      { target: 's2', details: '{"b":1,"a":2}' },
      { target: 's3' },
    ]);
    await put([
      { target: 'o1', details: { b: 1, a: { z: 'deep', y: [1, 2] } } },
      { target: 's4', details: 'after' },
    ]);
    expect(await verify()).toMatchObject({ ok: true });
    const stored = await t.database.db
      .selectFrom('activities')
      .select(['id', 'details', 'detailsJson'])
      .where('target', '=', 'o1')
      .executeTakeFirstOrThrow();
    expect(stored.detailsJson).toBe('{"a":{"y":[1,2],"z":"deep"},"b":1}');
    if (engine === 'sqlite') await sql.raw('drop trigger activities_no_update').execute(t.database.db);
    else
      await sql.raw('alter table activities disable trigger activities_append_only').execute(t.database.db);
    await t.database.db
      .updateTable('activities')
      .set({ detailsJson: '{"a":{"y":[1,2],"z":"forged"},"b":1}' })
      .where('id', '=', stored.id)
      .execute();
    expect((await verify()).firstBroken).toMatchObject({ id: stored.id, problem: 'altered' });
    // Dropping the flag, the same JSON left as a string, is an alteration too.
    await t.database.db
      .updateTable('activities')
      .set({ details: stored.detailsJson, detailsJson: null })
      .where('id', '=', stored.id)
      .execute();
    expect((await verify()).firstBroken).toMatchObject({ id: stored.id, problem: 'altered' });
  });

  it('q finds a string value at any depth, ignoring case, never a key, a number or across two values', async () => {
    await put([
      { target: 'nested', details: { outer: { list: [{ note: 'Disk QUOTA exceeded' }] } } },
      { target: 'keyed', details: { quotaWarning: true, limit: 9_876 } },
      { target: 'pair', details: { a: 'alpha', b: 'beta' } },
      { target: 'text', details: 'plain Quota text' },
    ]);
    expect(await targetsFound('quota')).toEqual(['nested', 'text']);
    expect(await targetsFound('QUOTA EXC')).toEqual(['nested']);
    expect(await targetsFound('Warning')).toEqual([]);
    expect(await targetsFound('9876')).toEqual([]);
    expect(await targetsFound('alphabeta')).toEqual([]);
    expect(await targetsFound('"a"')).toEqual([]);
    expect(await targetsFound('beta')).toEqual(['pair']);
  });

  it('writes an object as its compact JSON in the CSV Details cell, a string as before', async () => {
    await put([
      { target: 'csv-object', details: { b: '=1+1', a: 'say "hi", bye' } },
      { target: 'csv-string', details: '=cmd' },
    ]);
    const response = await download('q=csv-');
    expect(response.statusCode).toBe(200);
    const rows: string[][] = parse(response.body.slice(1), { relaxQuotes: false });
    const details = new Map(rows.slice(1).map((row) => [row[4], row[5]]));
    expect(details.get('csv-object')).toBe('{"a":"say \\"hi\\", bye","b":"=1+1"}');
    expect(JSON.parse(details.get('csv-object') as string)).toEqual({ b: '=1+1', a: 'say "hi", bye' });
    expect(details.get('csv-string')).toBe("'=cmd");
  });
});
