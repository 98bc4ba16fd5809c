import type { LightMyRequestResponse } from 'fastify';
import { CompiledQuery, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { textMatches } from '../src/activity/search/text-match.js';
import { TestClock } from './helpers/clock.js';
import { describeEachEngine } from './helpers/engines.js';
import { as, type SeededOrg, type SignedIn, seedOrg, signIn } from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();

interface Item {
  id: string;
  occurredAt: string;
  userId: string | null;
  username: string;
  activity: string;
  status: string;
  target: string | null;
  details: string | null;
}
interface Page {
  items: Item[];
  nextCursor: string | null;
  total: number;
  totalCapped: boolean;
}
type SortKey = 'occurredAt' | 'username' | 'activity';
type Order = 'asc' | 'desc';

/** The order the API promises: the sort key, then time, then id, all in the one direction. */
function compareBy(sort: SortKey, order: Order) {
  const key = (item: Item): Array<string | number> => {
    const time = Date.parse(item.occurredAt);
    const id = Number(item.id);
    if (sort === 'occurredAt') return [time, id];
    return [sort === 'username' ? item.username : item.activity, time, id];
  };
  return (a: Item, b: Item) => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < ka.length; i++) {
      const x = ka[i] as string | number;
      const y = kb[i] as string | number;
      if (x !== y) return (x < y ? -1 : 1) * (order === 'asc' ? 1 : -1);
    }
    return 0;
  };
}

describeEachEngine('activity search (GET /api/activities)', (engine) => {
  let t: TestApp;
  let clock: TestClock;
  let acme: SeededOrg;
  let other: SeededOrg;
  let admin: SignedIn;
  let user: SignedIn;
  let outsider: SignedIn;
  let acmeKey: string;
  let otherKey: string;

  beforeEach(async () => {
    clock = new TestClock();
    t = await createTestApp(engine, { clock });
    acme = await seedOrg(t.app);
    other = await seedOrg(t.app);
    admin = await signIn(t.app, acme.admin.username);
    user = await signIn(t.app, acme.user.username);
    outsider = await signIn(t.app, other.admin.username);
    acmeKey = (await as(t.app, admin).post('/api/api-keys', { name: 'jobs' })).json().key;
    otherKey = (await as(t.app, outsider).post('/api/api-keys', { name: 'jobs' })).json().key;
  });
  afterEach(() => t.close());

  /** Ingests events (occurredAt as epoch ms) with an org's key; each batch is checked to be stored. */
  const put = async (
    events: Array<{
      at?: number;
      activity?: string;
      username?: string;
      target?: string;
      details?: string;
      status?: string;
    }>,
    key = acmeKey,
  ) => {
    for (let i = 0; i < events.length; i += 1_000) {
      const batch = events.slice(i, i + 1_000).map(({ at, ...e }) => ({
        activity: 'backup',
        username: acme.user.username,
        ...e,
        ...(at === undefined ? {} : { occurredAt: iso(at) }),
      }));
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/activities',
        headers: { authorization: `Bearer ${key}` },
        payload: { events: batch },
      });
      expect(response.statusCode, response.body).toBe(201);
    }
  };
  const search = (who: SignedIn, query: string) => as(t.app, who).get(`/api/activities?${query}`);
  const page = async (who: SignedIn, query: string): Promise<Page> => {
    const response = await search(who, query);
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  };
  const targets = async (who: SignedIn, query: string) =>
    (await page(who, query)).items.map((i) => i.target).sort();
  /** Every page of a query, following nextCursor. */
  const allPages = async (who: SignedIn, query: string, from: string | null = null) => {
    const items: Item[] = [];
    let cursor: string | null = from;
    let pages = 0;
    do {
      const suffix: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const result = await page(who, `${query}${suffix}`);
      items.push(...result.items);
      cursor = result.nextCursor;
      pages += 1;
      if (pages > 1_000) throw new Error('paging does not end');
    } while (cursor);
    return { items, pages };
  };
  const expect400Naming = (response: LightMyRequestResponse, parameter: string) => {
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json().error.code).toBe('INVALID_INPUT');
    expect(response.json().error.message).toContain(parameter);
  };

  describe('time period', () => {
    /** Each preset's boundary, per filter.ts: 24 h, 7 × 24 h, and calendar months/years back in UTC. */
    const edges = (now: number) => ({
      '1d': now - DAY,
      '7d': now - 7 * DAY,
      '1m': Date.UTC(2026, 9, 23, 12),
      '6m': Date.UTC(2026, 4, 23, 12),
      '1y': Date.UTC(2025, 10, 23, 12),
    });

    it.each(['1d', '7d', '1m', '6m', '1y'] as const)(
      'period=%s includes an event exactly at its start and excludes one a millisecond earlier',
      async (period) => {
        expect(clock.now()).toBe(Date.UTC(2026, 10, 23, 12));
        const starts = edges(clock.now());
        await put(
          Object.entries(starts).flatMap(([name, start]) => [
            { at: start, target: `${name}-in`, activity: 'edge' },
            { at: start - 1, target: `${name}-out`, activity: 'edge' },
          ]),
        );
        await put([{ at: clock.now(), target: 'now', activity: 'edge' }]);
        const start = starts[period];
        const expected = Object.entries(starts)
          .flatMap(([name, s]) => [
            [`${name}-in`, s],
            [`${name}-out`, s - 1],
          ])
          .filter(([, at]) => (at as number) >= start)
          .map(([name]) => name as string)
          .concat('now')
          .sort();
        expect(await targets(admin, `period=${period}&activity=edge`)).toEqual(expected);
        expect(expected).toContain(`${period}-in`);
        expect(expected).not.toContain(`${period}-out`);
      },
    );

    it('defaults to one calendar month', async () => {
      const start = Date.UTC(2026, 9, 23, 12);
      await put([
        { at: start, target: 'in', activity: 'edge' },
        { at: start - 1, target: 'out', activity: 'edge' },
      ]);
      expect(await targets(admin, 'activity=edge')).toEqual(['in']);
    });

    it('counts a month back from a month-end to the last day of the shorter month, not past it', async () => {
      // 31 March 2027: one month back is 28 February (there is no 31 February).
      clock.advance(Date.UTC(2027, 2, 31, 12) - clock.now());
      const fresh = await signIn(t.app, acme.admin.username);
      await put([
        { at: Date.UTC(2027, 1, 28, 12), target: 'feb-28', activity: 'edge' },
        { at: Date.UTC(2027, 2, 1, 12), target: 'mar-01', activity: 'edge' },
        { at: Date.UTC(2027, 1, 28, 12) - 1, target: 'too-old', activity: 'edge' },
        { at: Date.UTC(2026, 8, 30, 12), target: 'sep-30', activity: 'edge' },
        { at: Date.UTC(2026, 8, 30, 12) - 1, target: 'sep-30-out', activity: 'edge' },
      ]);
      expect(await targets(fresh, 'period=1m&activity=edge')).toEqual(['feb-28', 'mar-01']);
      expect(await targets(fresh, 'period=6m&activity=edge')).toEqual([
        'feb-28',
        'mar-01',
        'sep-30',
        'too-old',
      ]);
    });

    it('counts a year back from 29 February to 28 February', async () => {
      clock.advance(Date.UTC(2028, 1, 29, 12) - clock.now());
      const fresh = await signIn(t.app, acme.admin.username);
      await put([
        { at: Date.UTC(2027, 1, 28, 12), target: 'in', activity: 'edge' },
        { at: Date.UTC(2027, 1, 28, 12) - 1, target: 'out', activity: 'edge' },
      ]);
      expect(await targets(fresh, 'period=1y&activity=edge')).toEqual(['in']);
    });

    it('takes from inclusive and to exclusive', async () => {
      const t0 = clock.now() - 10 * DAY;
      await put([
        { at: t0 - 1, target: 'before' },
        { at: t0, target: 'from' },
        { at: t0 + HOUR, target: 'middle' },
        { at: t0 + 2 * HOUR - 1, target: 'last' },
        { at: t0 + 2 * HOUR, target: 'to' },
      ]);
      expect(await targets(admin, `from=${iso(t0)}&to=${iso(t0 + 2 * HOUR)}&activity=backup`)).toEqual([
        'from',
        'last',
        'middle',
      ]);
    });

    it('runs from alone up to now, and to alone back one month from it', async () => {
      const t0 = clock.now() - 300 * DAY;
      await put([
        { at: t0 - DAY, target: 'old' },
        { at: t0, target: 'start' },
        { at: clock.now(), target: 'now' },
      ]);
      expect(await targets(admin, `from=${iso(t0)}&activity=backup`)).toEqual(['now', 'start']);
      const to = t0 + 1;
      expect(await targets(admin, `to=${iso(to)}&activity=backup`)).toEqual(['old', 'start']);
    });

    it('reads a plain from as its midnight UTC and a plain to as that whole day, as the page says "To (included)"', async () => {
      await put([
        { at: Date.UTC(2026, 10, 1) - 1, target: 'oct' },
        { at: Date.UTC(2026, 10, 1), target: 'nov' },
        { at: Date.UTC(2026, 10, 2, 23, 59, 59, 999), target: 'last' },
        { at: Date.UTC(2026, 10, 3), target: 'after' },
      ]);
      expect(await targets(admin, 'from=2026-11-01&to=2026-11-02&activity=backup')).toEqual(['last', 'nov']);
      expect(await targets(admin, 'from=2026-11-01&to=2026-11-01&activity=backup')).toEqual(['nov']);
    });

    it('refuses from at or after to with 400', async () => {
      const at = iso(clock.now() - DAY);
      expect400Naming(await search(admin, `from=${at}&to=${at}`), 'from');
      expect400Naming(await search(admin, `from=${at}&to=${iso(clock.now() - 2 * DAY)}`), 'from');
    });

    it('refuses a period together with from or to with 400', async () => {
      expect400Naming(await search(admin, `period=1m&from=${iso(clock.now() - DAY)}`), 'period');
      expect400Naming(await search(admin, `period=1y&to=${iso(clock.now() - DAY)}`), 'period');
    });

    it.each(['yesterday', 'hello 2020', '1', '2026-02-30', '2026-13-01', '2026-11-01T25:00:00Z'])(
      'refuses a from or to that is no ISO 8601 date (%j) with 400 naming it',
      async (garbage) => {
        const value = encodeURIComponent(garbage);
        expect400Naming(await search(admin, `from=${value}`), 'from');
        expect400Naming(await search(admin, `to=${value}`), 'to');
      },
    );

    it('refuses an unknown period with 400 naming it', async () => {
      expect400Naming(await search(admin, 'period=2m'), 'period');
    });
  });

  describe('filters', () => {
    beforeEach(async () => {
      await put([
        { username: acme.user.username, activity: 'backup', target: 'u-backup' },
        { username: acme.user.username, activity: 'compare', target: 'u-compare' },
        { username: acme.admin.username, activity: 'backup', target: 'a-backup' },
        { username: acme.admin.username, activity: 'replicate', target: 'a-replicate' },
      ]);
    });
    const JOBS = 'activity=backup&activity=compare&activity=replicate';

    it('filters by userId', async () => {
      expect(await targets(admin, `userId=${acme.user.id}&${JOBS}`)).toEqual(['u-backup', 'u-compare']);
      expect(await targets(admin, `userId=${acme.admin.id}&${JOBS}`)).toEqual(['a-backup', 'a-replicate']);
    });

    it('filters by username, in any spelling', async () => {
      expect(await targets(admin, `username=${acme.user.username}&${JOBS}`)).toEqual([
        'u-backup',
        'u-compare',
      ]);
      expect(await targets(admin, `username=${acme.admin.username.toUpperCase()}&${JOBS}`)).toEqual([
        'a-backup',
        'a-replicate',
      ]);
    });

    it('filters by one activity, and by several with a repeated parameter', async () => {
      expect(await targets(admin, 'activity=backup')).toEqual(['a-backup', 'u-backup']);
      expect(await targets(admin, 'activity=backup&activity=replicate')).toEqual([
        'a-backup',
        'a-replicate',
        'u-backup',
      ]);
      expect(await targets(admin, 'activity=nothing-like-this')).toEqual([]);
    });

    it('combines filters with AND', async () => {
      expect(await targets(admin, `userId=${acme.admin.id}&activity=backup&activity=compare`)).toEqual([
        'a-backup',
      ]);
    });

    it('finds an unknown or foreign userId nowhere', async () => {
      expect((await page(admin, `userId=${other.user.id}`)).items).toEqual([]);
      expect((await page(admin, `username=${other.user.username}`)).items).toEqual([]);
      expect((await page(admin, 'userId=00000000-0000-4000-8000-000000000000')).items).toEqual([]);
    });

    it('refuses a malformed userId with 400 naming it', async () => {
      expect400Naming(await search(admin, 'userId=42'), 'userId');
    });
  });

  describe('text search (q)', () => {
    beforeEach(async () => {
      await put([
        { target: 'Quarterly-Report.xlsx', details: 'mailbox of Bob', activity: 'q' },
        { target: 'inbox', details: 'ALPHA restore point', activity: 'q' },
        { target: '100% done', activity: 'q' },
        { target: '100 done', details: '1000 items', activity: 'q' },
        { target: 'a_b', activity: 'q' },
        { target: 'axb', activity: 'q' },
        { target: 'C:\\backups\\x', activity: 'q' },
        { target: 'nothing here', activity: 'q' },
      ]);
    });
    const q = (text: string) => targets(admin, `activity=q&q=${encodeURIComponent(text)}`);

    it('matches text in the target, ignoring case', async () => {
      expect(await q('quarterly-report')).toEqual(['Quarterly-Report.xlsx']);
      expect(await q('REPORT')).toEqual(['Quarterly-Report.xlsx']);
    });

    it('matches text in the details, ignoring case', async () => {
      expect(await q('alpha')).toEqual(['inbox']);
      expect(await q('bob')).toEqual(['Quarterly-Report.xlsx']);
    });

    it('takes % and _ literally, not as wildcards', async () => {
      expect(await q('%')).toEqual(['100% done']);
      expect(await q('100%')).toEqual(['100% done']);
      expect(await q('_')).toEqual(['a_b']);
      expect(await q('a_b')).toEqual(['a_b']);
    });

    it('takes a backslash literally', async () => {
      expect(await q('\\')).toEqual(['C:\\backups\\x']);
      expect(await q('C:\\backups')).toEqual(['C:\\backups\\x']);
    });

    it('finds nothing for text nowhere in the log', async () => {
      expect(await q('zebra')).toEqual([]);
    });

    it('does not match text that runs from the end of the target into the details', async () => {
      await put([{ target: 'north', details: 'wind', activity: 'q' }]);
      expect(await q('northwind')).toEqual([]);
      expect(await q('north wind')).toEqual([]);
      expect(await q('thw')).toEqual([]);
      expect(await q('rth')).toEqual(['north']);
      expect(await q('win')).toEqual(['north']);
    });

    it('matches text with control characters in either column', async () => {
      await put([
        { target: 'tab\tseparated', activity: 'q' },
        { target: 'odd', details: 'one\u0001two', activity: 'q' },
      ]);
      expect(await q('tab\tsep')).toEqual(['tab\tseparated']);
      expect(await q('one\u0001two')).toEqual(['odd']);
      expect(await q('\u0001')).toEqual(['odd']);
    });

    it.runIf(engine === 'postgres')('finds rare text through the trigram index', async () => {
      // A table this small is read whole whatever the indexes: the planner is told to look past
      // that, and given only the search condition, which only the trigram index can serve.
      const plan = await t.database.db.transaction().execute(async (trx) => {
        await sql`set local enable_seqscan = off`.execute(trx);
        const query = trx
          .selectFrom('activities')
          .select('id')
          .where(textMatches(trx, 'quarterly'))
          .compile();
        const { rows } = await trx.executeQuery<{ 'QUERY PLAN': string }>(
          CompiledQuery.raw(`explain ${query.sql}`, [...query.parameters]),
        );
        return rows.map((r) => r['QUERY PLAN']).join('\n');
      });
      expect(plan).toContain('activities_text_trgm_idx');
    });
  });

  describe('sorting', () => {
    beforeEach(async () => {
      const base = clock.now() - 5 * DAY;
      await put([
        { at: base + 3 * HOUR, username: acme.user.username, activity: 'compare' },
        { at: base + 1 * HOUR, username: acme.admin.username, activity: 'replicate' },
        { at: base + 2 * HOUR, username: acme.user.username, activity: 'backup' },
        { at: base + 2 * HOUR, username: acme.admin.username, activity: 'compare' },
        { at: base + 1 * HOUR, username: acme.user.username, activity: 'backup' },
      ]);
    });
    const JOBS = 'activity=backup&activity=compare&activity=replicate';

    it('sorts newest first by default', async () => {
      const { items } = await page(admin, JOBS);
      expect(items).toHaveLength(5);
      expect(items).toEqual([...items].sort(compareBy('occurredAt', 'desc')));
      expect(Date.parse(items[0]?.occurredAt as string)).toBeGreaterThan(
        Date.parse(items[4]?.occurredAt as string),
      );
    });

    it.each([
      ['occurredAt', 'asc'],
      ['occurredAt', 'desc'],
      ['username', 'asc'],
      ['username', 'desc'],
      ['activity', 'asc'],
      ['activity', 'desc'],
    ] as const)('sorts by %s %s (then time, then id)', async (sort, order) => {
      const { items } = await page(admin, `${JOBS}&sort=${sort}&order=${order}`);
      expect(items).toHaveLength(5);
      expect(items.map((i) => i.id)).toEqual([...items].sort(compareBy(sort, order)).map((i) => i.id));
      const first = items[0] as Item;
      const last = items[4] as Item;
      const value = (item: Item) => (sort === 'occurredAt' ? item.occurredAt : item[sort]);
      expect(value(first) === value(last)).toBe(false);
    });

    it('refuses an unknown sort key or order with 400 naming it', async () => {
      expect400Naming(await search(admin, 'sort=date'), 'sort');
      expect400Naming(await search(admin, 'order=up'), 'order');
    });
  });

  describe('limit and paging', () => {
    it('answers 100 items by default, with a cursor to the rest and the whole total', async () => {
      await put(Array.from({ length: 120 }, (_, i) => ({ target: `t${i}` })));
      const first = await page(admin, 'activity=backup');
      expect(first.items).toHaveLength(100);
      expect(first.total).toBe(120);
      expect(first.totalCapped).toBe(false);
      expect(first.nextCursor).toEqual(expect.any(String));
      const second = await page(
        admin,
        `activity=backup&cursor=${encodeURIComponent(first.nextCursor ?? '')}`,
      );
      expect(second.items).toHaveLength(20);
      expect(second.nextCursor).toBeNull();
      expect(second.total).toBe(120);
    });

    it('takes limits from 1 to 100, and refuses 0, 101 and non-numbers with 400 naming limit', async () => {
      await put([{ target: 'a' }, { target: 'b' }]);
      expect((await page(admin, 'activity=backup&limit=1')).items).toHaveLength(1);
      expect((await page(admin, 'activity=backup&limit=100')).items).toHaveLength(2);
      for (const bad of ['0', '101', '-1', 'ten', '1.5']) {
        expect400Naming(await search(admin, `limit=${bad}`), 'limit');
      }
    });

    it('answers no cursor when the last page is exactly full', async () => {
      await put([{ target: 'a' }, { target: 'b' }]);
      const result = await page(admin, 'activity=backup&limit=2');
      expect(result.items).toHaveLength(2);
      expect(result.nextCursor).toBeNull();
    });

    it('returns every row exactly once, in one sorted order, when paging 250 rows with many equal timestamps', async () => {
      const base = clock.now() - 3 * DAY;
      const names = ['backup', 'compare', 'replicate'];
      const users = [acme.user.username, acme.admin.username];
      await put(
        Array.from({ length: 250 }, (_, i) => ({
          at: base + (i % 4) * 1_000,
          activity: names[(i * 7) % 3] as string,
          username: users[(i * 5) % 2] as string,
          target: `row ${i}`,
        })),
      );
      const window = `from=${iso(base)}&to=${iso(base + DAY)}`;
      const stored = await t.database.db
        .selectFrom('activities')
        .select('id')
        .where('orgId', '=', acme.orgId)
        .where('occurredAt', '>=', base)
        .where('occurredAt', '<', base + DAY)
        .execute();
      expect(stored).toHaveLength(250);
      const storedIds = stored.map((r) => String(r.id)).sort();
      for (const sort of ['occurredAt', 'username', 'activity'] as const) {
        for (const order of ['asc', 'desc'] as const) {
          const { items, pages } = await allPages(admin, `${window}&sort=${sort}&order=${order}&limit=7`);
          const ids = items.map((i) => i.id);
          expect(pages, `${sort} ${order}`).toBe(Math.ceil(250 / 7));
          expect(new Set(ids).size, `${sort} ${order}`).toBe(250);
          expect([...ids].sort(), `${sort} ${order}`).toEqual(storedIds);
          expect(ids, `${sort} ${order}`).toEqual([...items].sort(compareBy(sort, order)).map((i) => i.id));
          const big = await allPages(admin, `${window}&sort=${sort}&order=${order}&limit=100`);
          expect(
            big.items.map((i) => i.id),
            `${sort} ${order}`,
          ).toEqual(ids);
        }
      }
    });

    it('keeps paging the same rows when new events arrive meanwhile', async () => {
      await put(Array.from({ length: 10 }, (_, i) => ({ target: `old ${i}` })));
      const first = await page(admin, 'activity=backup&limit=4');
      await put([{ target: 'new arrival' }]);
      const rest = await allPages(admin, 'activity=backup&limit=4', first.nextCursor);
      const seen = [...first.items, ...rest.items].map((i) => i.target);
      expect(seen).toHaveLength(10);
      expect(seen).not.toContain('new arrival');
    });
  });

  describe('cursors', () => {
    let cursor: string;
    beforeEach(async () => {
      await put(Array.from({ length: 5 }, (_, i) => ({ target: `c${i}` })));
      const first = await page(admin, 'activity=backup&limit=2');
      cursor = first.nextCursor as string;
      expect(cursor).toEqual(expect.any(String));
    });
    const withCursor = (who: SignedIn, query: string, c: string) =>
      search(who, `${query}&cursor=${encodeURIComponent(c)}`);

    it('accepts its own cursor with the same query', async () => {
      const response = await withCursor(admin, 'activity=backup&limit=2', cursor);
      expect(response.statusCode).toBe(200);
      expect(response.json().items).toHaveLength(2);
    });

    it('refuses a cursor whose payload was edited, keeping its signature', async () => {
      const [body, signature] = cursor.split('.') as [string, string];
      const decoded = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
      for (const edited of [
        { ...decoded, p: decoded.p.map((v: unknown) => (typeof v === 'number' ? v + 1 : v)) },
        { ...decoded, f: 0 },
        { ...decoded, t: clock.now() },
      ]) {
        const forged = `${Buffer.from(JSON.stringify(edited)).toString('base64url')}.${signature}`;
        expect400Naming(await withCursor(admin, 'activity=backup&limit=2', forged), 'cursor');
      }
    });

    it('refuses a cursor with a bad signature', async () => {
      const [body, signature] = cursor.split('.') as [string, string];
      const flipped = `${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
      expect400Naming(await withCursor(admin, 'activity=backup&limit=2', `${body}.${flipped}`), 'cursor');
      expect400Naming(await withCursor(admin, 'activity=backup&limit=2', `${body}.`), 'cursor');
      expect400Naming(await withCursor(admin, 'activity=backup&limit=2', body), 'cursor');
    });

    it.each(['garbage', 'a.b', '....', '%%%', 'eyJwIjpbXX0.x', `${'A'.repeat(1500)}.${'B'.repeat(43)}`])(
      'refuses a garbage cursor (%s) with 400',
      async (garbage) => {
        expect400Naming(await withCursor(admin, 'activity=backup&limit=2', garbage), 'cursor');
      },
    );

    it.each([
      'activity=compare&limit=2',
      'activity=backup&activity=compare&limit=2',
      'activity=backup&limit=2&sort=username',
      'activity=backup&limit=2&order=asc',
      'activity=backup&limit=2&q=c',
      'activity=backup&limit=2&username=someone',
      'activity=backup&limit=2&period=1y',
      'activity=backup&limit=2&period=1d',
      'activity=backup&limit=2&from=2026-01-01T00:00:00.000Z',
      'activity=backup&limit=2&from=2026-01-01T00:00:00.000Z&to=2026-02-01T00:00:00.000Z',
    ])('refuses a cursor reused with another filter (%s)', async (query) => {
      expect400Naming(await withCursor(admin, query, cursor), 'cursor');
    });

    it('keeps the range a preset had on the first page, however long the client pages', async () => {
      const query = 'period=1d&activity=frozen&limit=2';
      await put([
        { activity: 'frozen', target: 'near the edge', at: clock.now() - DAY + 10 * 60_000 },
        { activity: 'frozen', target: 'new 1' },
        { activity: 'frozen', target: 'new 2' },
      ]);
      const first = await page(admin, query);
      clock.advance(20 * 60_000);
      expect(await targets(admin, query)).toEqual(['new 1', 'new 2']);
      const rest = await allPages(admin, query, first.nextCursor);
      expect(rest.items.map((i) => i.target)).toEqual(['near the edge']);
    });

    it('accepts the cursor with another page size', async () => {
      expect((await withCursor(admin, 'activity=backup&limit=3', cursor)).statusCode).toBe(200);
    });

    it("refuses an admin's cursor to another org's admin and to a user of the same org", async () => {
      expect400Naming(await withCursor(outsider, 'activity=backup&limit=2', cursor), 'cursor');
      expect400Naming(await withCursor(user, 'activity=backup&limit=2', cursor), 'cursor');
    });

    it('still checks the other parameters when a cursor is given', async () => {
      expect400Naming(await withCursor(admin, 'activity=backup&limit=2&from=garbage', cursor), 'from');
      expect400Naming(await withCursor(admin, 'activity=backup&limit=0', cursor), 'limit');
    });
  });

  describe('visibility', () => {
    beforeEach(async () => {
      await put([
        { username: acme.user.username, target: 'mine' },
        { username: acme.admin.username, target: 'admins' },
      ]);
      await put([{ username: other.user.username, target: 'foreign' }], otherKey);
    });

    it('shows a user only their own rows', async () => {
      const { items } = await page(user, 'activity=backup');
      expect(items.map((i) => i.target)).toEqual(['mine']);
      const everything = await page(user, '');
      expect(everything.items.length).toBeGreaterThan(0);
      expect(everything.items.every((i) => i.userId === acme.user.id)).toBe(true);
    });

    it('shows a user only their own rows even when they ask for the admin by id or name', async () => {
      const byId = await page(user, `userId=${acme.admin.id}`);
      expect(byId.items.length).toBeGreaterThan(0);
      expect(byId.items.every((i) => i.userId === acme.user.id)).toBe(true);
      const byName = await page(user, `username=${acme.admin.username}`);
      expect(byName.items.every((i) => i.userId === acme.user.id)).toBe(true);
      expect(JSON.stringify([byId, byName])).not.toContain('admins');
      expect(byName.total).toBe(byName.items.length);
    });

    it("shows an admin the org's rows and none of another org", async () => {
      expect(await targets(admin, 'activity=backup')).toEqual(['admins', 'mine']);
      const everything = await page(admin, '');
      expect(JSON.stringify(everything)).not.toContain('foreign');
      expect(JSON.stringify(everything)).not.toContain(other.user.id);
      expect(await targets(outsider, 'activity=backup')).toEqual(['foreign']);
    });

    it('needs a session (401), or a key with activities:read: a write key is refused (403)', async () => {
      expect((await t.app.inject({ method: 'GET', url: '/api/activities' })).statusCode).toBe(401);
      const withKey = await t.app.inject({
        method: 'GET',
        url: '/api/activities',
        headers: { authorization: `Bearer ${acmeKey}` },
      });
      expect(withKey.statusCode).toBe(403);
      expect(withKey.json().error.code).toBe('INSUFFICIENT_SCOPE');
    });

    it('refuses an unknown parameter with 400 naming it', async () => {
      expect400Naming(await search(admin, 'orgId=x'), 'orgId');
    });
  });

  describe('total', () => {
    it('counts every match regardless of the page size', async () => {
      await put(Array.from({ length: 12 }, (_, i) => ({ target: `t${i}` })));
      const result = await page(admin, 'activity=backup&limit=5');
      expect(result.items).toHaveLength(5);
      expect(result).toMatchObject({ total: 12, totalCapped: false });
      expect((await page(user, 'activity=backup&limit=5')).total).toBe(12);
      expect((await page(admin, `activity=backup&userId=${acme.admin.id}`)).total).toBe(0);
    });

    it('stops counting at 10,000 and says so', async () => {
      await put(
        Array.from({ length: 11_000 }, (_, i) => ({
          activity: i < 10_000 ? 'bulk-a' : 'bulk-b',
          details: 'x',
        })),
      );
      const all = await page(admin, 'activity=bulk-a&activity=bulk-b&limit=1');
      expect(all).toMatchObject({ total: 10_000, totalCapped: true });
      const exactly = await page(admin, 'activity=bulk-a&limit=1');
      expect(exactly).toMatchObject({ total: 10_000, totalCapped: false });
      const some = await page(admin, 'activity=bulk-b&limit=1');
      expect(some).toMatchObject({ total: 1_000, totalCapped: false });
      // A text search, which no index serves, stops counting at 1,000.
      const text = await page(admin, 'activity=bulk-a&q=x&limit=1');
      expect(text).toMatchObject({ total: 1_000, totalCapped: true });
    });
  });

  describe('GET /api/activity-types', () => {
    it("lists the org's activity names, sorted, and none of another org", async () => {
      await put([{ activity: 'replicate' }, { activity: 'backup' }, { activity: 'backup' }]);
      await put([{ activity: 'secret-job', username: other.user.username }], otherKey);
      const response = await as(t.app, admin).get('/api/activity-types');
      expect(response.statusCode).toBe(200);
      const { activityTypes } = response.json() as { activityTypes: string[] };
      expect(activityTypes).toEqual(expect.arrayContaining(['backup', 'replicate', 'user.login']));
      expect(activityTypes).not.toContain('secret-job');
      expect(activityTypes).toEqual([...activityTypes].sort());
      expect(new Set(activityTypes).size).toBe(activityTypes.length);
      const foreign = (await as(t.app, outsider).get('/api/activity-types')).json().activityTypes;
      expect(foreign).toContain('secret-job');
      expect(foreign).not.toContain('replicate');
    });

    it('answers a user too, and nobody without a session', async () => {
      expect((await as(t.app, user).get('/api/activity-types')).statusCode).toBe(200);
      expect((await t.app.inject({ method: 'GET', url: '/api/activity-types' })).statusCode).toBe(401);
    });
  });
});
