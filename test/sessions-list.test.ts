import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import type { SessionSort } from '../src/contracts/sessions.js';
import { operatorActor } from '../src/kernel/actor.js';
import { TestClock } from './helpers/clock.js';
import { describeEachEngine } from './helpers/engines.js';
import { as, type SeededOrg, type SignedIn, seedOrg, signIn } from './helpers/factories.js';
import { insertSessionRows, type SessionRowSpec } from './helpers/session-rows.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const MINUTE = 60_000;
const IDLE = 30 * MINUTE;

/** One generated session, and what the list should make of it. */
interface Model {
  id: string;
  userId: string;
  username: string;
  countryCode: string | null;
  deviceType: string;
  os: string;
  browser: string;
  city: string | null;
  publicIp: string;
  flags: string;
  lastAccessAt: number;
  createdAt: number;
  live: boolean;
}

const COUNTRIES = ['DE', 'US', 'GB', null] as const;
const DEVICES = ['Desktop', 'Mobile', 'Tablet'] as const;
const OSES = ['Windows 11', 'macOS 15.1', 'iOS 18.1', 'Android 14'] as const;
const BROWSERS = ['Chrome 131', 'Firefox 133', 'Safari 18.1', 'Chrome Headless 131'] as const;
const CITIES = ['Berlin', 'München', 'London', null] as const;
const IPS = ['203.0.113.7', '198.51.100.20', '2001:db8::5', '192.0.2.1'] as const;
const FLAGS = ['', 'new_device', 'new_country impossible_travel', 'impossible_travel'] as const;

const row = fc.record({
  user: fc.nat(3),
  country: fc.constantFrom(...COUNTRIES),
  device: fc.constantFrom(...DEVICES),
  os: fc.constantFrom(...OSES),
  browser: fc.constantFrom(...BROWSERS),
  city: fc.constantFrom(...CITIES),
  ip: fc.constantFrom(...IPS),
  flags: fc.constantFrom(...FLAGS),
  // Few distinct times, so ties (broken by id) are common; some beyond the idle window and its lag.
  accessMinutesAgo: fc.oneof(
    { arbitrary: fc.integer({ min: 0, max: 5 }), weight: 4 },
    { arbitrary: fc.constant(45), weight: 1 },
  ),
  createdMinutesAgo: fc.integer({ min: 0, max: 3 }),
  state: fc.constantFrom('live', 'live', 'live', 'revoked', 'expired'),
});

const mixedCase = (text: string, upper: boolean[]) =>
  [...text].map((c, i) => (upper[i % upper.length] ? c.toUpperCase() : c.toLowerCase())).join('');

const filterValues = fc.record({
  user: fc.nat(3),
  byName: fc.boolean(),
  country: fc.constantFrom('DE', 'us', 'gb', 'FR'),
  deviceType: fc.tuple(fc.constantFrom(...DEVICES), fc.array(fc.boolean(), { minLength: 1 })),
  os: fc.tuple(
    fc.constantFrom('Windows', 'macOS', 'ios 18.1', 'Android'),
    fc.array(fc.boolean(), { minLength: 1 }),
  ),
  browser: fc.constantFrom('chrome', 'Firefox 99', 'SAFARI', 'Chrome Headless'),
  q: fc.constantFrom('ber', 'MÜN', '198.51', '2001:db8', 'user-1', '%', '_', 'nothing'),
  flag: fc.constantFrom('new_device', 'new_country', 'impossible_travel'),
});
type FilterValues = typeof filterValues extends fc.Arbitrary<infer T> ? T : never;
type RowValues = typeof row extends fc.Arbitrary<infer T> ? T : never;

/** At most two filters at once, so most runs match something. */
const filterArb = fc
  .tuple(
    fc.subarray(['user', 'country', 'deviceType', 'os', 'browser', 'q', 'flag'] as const, { maxLength: 2 }),
    filterValues,
  )
  .map(([keys, values]) => {
    const picked: Partial<FilterValues> = {};
    for (const key of keys) Object.assign(picked, { [key]: values[key] });
    if (picked.user !== undefined) picked.byName = values.byName;
    return picked;
  });

describeEachEngine('a page of sessions at enterprise scale', (engine) => {
  let t: TestApp;
  let org: SeededOrg;
  const clock = new TestClock();
  const users: Array<{ id: string; username: string }> = [];

  beforeAll(async () => {
    t = await createTestApp(engine, { clock });
    org = await seedOrg(t.app);
    for (let i = 0; i < 4; i++) {
      const user = await t.app.services.accounts.createUser(operatorActor(org.orgId), {
        username: `user-${i}-${engine}`,
        password: 'correct horse battery staple',
        role: 'user',
      });
      users.push({ id: user.id, username: user.username });
    }
  });
  afterAll(() => t.close());

  const load = async (generated: RowValues[]): Promise<Model[]> => {
    await t.database.db.deleteFrom('sessions').where('orgId', '=', org.orgId).execute();
    const now = clock.now();
    const specs: SessionRowSpec[] = generated.map((g) => {
      const user = users[g.user] as { id: string; username: string };
      const lastAccessAt = now - g.accessMinutesAgo * MINUTE;
      return {
        orgId: org.orgId,
        userId: user.id,
        username: user.username,
        lastAccessAt,
        createdAt: lastAccessAt - g.createdMinutesAgo * MINUTE,
        expiresAt: g.state === 'expired' ? now : now + 60 * MINUTE,
        revokedAt: g.state === 'revoked' ? now : null,
        revokedReason: g.state === 'revoked' ? 'terminated' : null,
        countryCode: g.country,
        deviceType: g.device,
        os: g.os,
        browser: g.browser,
        city: g.city,
        publicIp: g.ip,
        flags: g.flags,
      };
    });
    const ids = await insertSessionRows(t.database, specs);
    return specs.map((spec, i) => ({
      id: ids[i]?.id as string,
      userId: spec.userId,
      username: spec.username,
      countryCode: spec.countryCode ?? null,
      deviceType: spec.deviceType as string,
      os: spec.os as string,
      browser: spec.browser as string,
      city: spec.city ?? null,
      publicIp: spec.publicIp as string,
      flags: spec.flags as string,
      lastAccessAt: spec.lastAccessAt,
      createdAt: spec.createdAt as number,
      live: spec.revokedAt === null && (spec.expiresAt as number) > now && now - spec.lastAccessAt < IDLE,
    }));
  };

  it('pages through exactly the matching live sessions, in order, for any filter, sort and page size', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(row, { minLength: 25, maxLength: 60 }),
        filterArb,
        fc.constantFrom<SessionSort>('lastAccessAt', 'createdAt', 'username', 'country'),
        fc.constantFrom('asc', 'desc', undefined),
        fc.integer({ min: 1, max: 9 }),
        async (generated, f, sort, order, limit) => {
          const models = await load(generated);
          const user = users[f.user ?? 0] as { id: string; username: string };
          const query: Record<string, string> = {};
          if (f.user !== undefined) {
            if (f.byName) query.username = user.username.toUpperCase();
            else query.userId = user.id;
          }
          if (f.country !== undefined) query.country = f.country;
          if (f.deviceType !== undefined) query.deviceType = mixedCase(f.deviceType[0], f.deviceType[1]);
          if (f.os !== undefined) query.os = mixedCase(f.os[0], f.os[1]);
          if (f.browser !== undefined) query.browser = f.browser;
          if (f.q !== undefined) query.q = f.q;
          if (f.flag !== undefined) query.flag = f.flag;

          const name = (label: string) => label.replace(/\s+v?\d[\w.]*$/i, '').toLowerCase();
          const q = f.q?.toLowerCase();
          const expected = models.filter(
            (m) =>
              m.live &&
              (f.user === undefined || m.userId === user.id) &&
              (f.country === undefined || m.countryCode === f.country.toUpperCase()) &&
              (f.deviceType === undefined || m.deviceType === f.deviceType[0]) &&
              (f.os === undefined || name(m.os) === name(f.os[0])) &&
              (f.browser === undefined || name(m.browser) === name(f.browser)) &&
              (f.flag === undefined || m.flags.split(' ').includes(f.flag)) &&
              (q === undefined ||
                m.publicIp.startsWith(q) ||
                m.username.includes(q) ||
                (m.city ?? '').toLowerCase().includes(q)),
          );
          const direction =
            (order ?? (sort === 'username' || sort === 'country' ? 'asc' : 'desc')) === 'asc' ? 1 : -1;
          const key = (m: Model): Array<string | number> => {
            if (sort === 'lastAccessAt') return [m.lastAccessAt, m.id];
            if (sort === 'createdAt') return [m.createdAt, m.id];
            if (sort === 'username') return [m.username, m.lastAccessAt, m.id];
            return [m.countryCode ?? '', m.lastAccessAt, m.id];
          };
          const compare = (a: Model, b: Model) => {
            const ka = key(a);
            const kb = key(b);
            for (let i = 0; i < ka.length; i++) {
              const x = ka[i] as string | number;
              const y = kb[i] as string | number;
              if (x !== y) return (x < y ? -1 : 1) * direction;
            }
            return 0;
          };
          expected.sort(compare);

          const seen: string[] = [];
          let cursor: string | undefined;
          let pages = 0;
          do {
            const page = await t.app.services.sessions.listSessions(operatorActor(org.orgId), {
              ...query,
              sort,
              ...(order ? { order } : {}),
              limit,
              ...(cursor ? { cursor } : {}),
            });
            expect(page.total).toBe(expected.length);
            expect(page.totalCapped).toBe(false);
            expect(page.sessions.length).toBeLessThanOrEqual(limit);
            seen.push(...page.sessions.map((s) => s.id));
            cursor = page.nextCursor ?? undefined;
            pages += 1;
          } while (cursor !== undefined && pages < 100);
          expect(seen).toEqual(expected.map((m) => m.id));
        },
      ),
      { numRuns: 40 },
    );
  });
});

describeEachEngine('the session list over HTTP, Logout by filter, and a session’s page', (engine) => {
  let t: TestApp;
  let clock: TestClock;
  let org: SeededOrg;
  let admin: SignedIn;

  beforeEach(async () => {
    clock = new TestClock();
    t = await createTestApp(engine, { clock });
    org = await seedOrg(t.app);
    admin = await signIn(t.app, org.admin.username);
  });
  afterEach(() => t.close());

  const rows = (n: number, spec: Partial<SessionRowSpec> = {}) =>
    insertSessionRows(
      t.database,
      Array.from({ length: n }, (_, i) => ({
        orgId: org.orgId,
        userId: org.user.id,
        username: org.user.username,
        lastAccessAt: clock.now() - (i % 600) * 1_000,
        ...spec,
      })),
    );
  const activities = async (name: string) =>
    t.database.db
      .selectFrom('activities')
      .selectAll()
      .where('orgId', '=', org.orgId)
      .where('activity', '=', name)
      .execute();

  it('answers 100 a page by default, most recent first, with a cursor to the next and a total capped at 10,000', async () => {
    await rows(10_050);
    const first = await as(t.app, admin).get('/api/sessions');
    expect(first.statusCode).toBe(200);
    const page = first.json();
    expect(page.sessions).toHaveLength(100);
    expect(page).toMatchObject({ total: 10_000, totalCapped: true });
    const times = page.sessions.map((s: { lastAccessAt: string }) => s.lastAccessAt);
    expect([...times].sort().reverse()).toEqual(times);
    const next = (await as(t.app, admin).get(`/api/sessions?limit=500&cursor=${page.nextCursor}`)).json();
    expect(next.sessions).toHaveLength(500);
    const ids = new Set(page.sessions.map((s: { id: string }) => s.id));
    expect(next.sessions.some((s: { id: string }) => ids.has(s.id))).toBe(false);
    const narrow = (await as(t.app, admin).get(`/api/sessions?userId=${org.admin.id}`)).json();
    expect(narrow).toMatchObject({ total: 1, totalCapped: false, nextCursor: null });
  });

  it('answers bad paging and filter input with a 400 naming the parameter, never a 5xx', async () => {
    await rows(3);
    const param = fc.constantFrom(
      'limit',
      'cursor',
      'sort',
      'order',
      'country',
      'deviceType',
      'flag',
      'userId',
      'q',
    );
    await fc.assert(
      fc.asyncProperty(param, fc.string({ maxLength: 600, unit: 'binary' }), async (name, value) => {
        const response = await as(t.app, admin).get(
          `/api/sessions?${new URLSearchParams({ [name]: value })}`,
        );
        expect([200, 400]).toContain(response.statusCode);
        if (response.statusCode === 400) expect(response.json().error.message).toContain(name);
      }),
      { numRuns: 150 },
    );
    const byUser = (await as(t.app, admin).get('/api/sessions?sort=username&limit=1')).json();
    const wrongSort = await as(t.app, admin).get(`/api/sessions?sort=createdAt&cursor=${byUser.nextCursor}`);
    expect(wrongSort.statusCode).toBe(400);
    expect(wrongSort.json().error.message).toContain('cursor');
    const device = await as(t.app, admin).get('/api/sessions?deviceType=phone');
    expect(device.statusCode).toBe(400);
    expect(device.json().error.message).toContain('Desktop, Mobile, Tablet');
  });

  it('ends every session a filter matches but the caller’s own, one activity each and one summary', async () => {
    const us = await rows(30, { countryCode: 'US', deviceType: 'Mobile' });
    const de = await rows(10, { countryCode: 'DE', deviceType: 'Desktop' });
    // The admin's own session is a Windows desktop too: it matches, and must survive.
    const answer = await as(t.app, admin).post('/api/sessions/logout', { filter: { deviceType: 'desktop' } });
    expect(answer.json()).toEqual({ terminated: 10 });
    const listed = (await as(t.app, admin).get('/api/sessions?deviceType=Desktop')).json();
    expect(listed.sessions.map((s: { id: string }) => s.id)).toEqual([admin.sessionId]);
    for (const ended of de.slice(0, 3)) {
      const me = await t.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: ended.cookie } });
      expect(me.statusCode).toBe(401);
    }
    const stillLive = await t.app.inject({
      method: 'GET',
      url: '/api/me',
      headers: { cookie: us[0]?.cookie },
    });
    expect(stillLive.statusCode).toBe(200);
    expect(await activities('session.terminated')).toHaveLength(10);
    const [summary] = await activities('session.bulk_terminated');
    expect(summary).toMatchObject({ userId: org.admin.id, target: '10 sessions of 1 user' });
    expect(JSON.parse(summary?.details as string)).toEqual({
      filter: { deviceType: 'desktop' },
      terminated: 10,
      users: 1,
    });
  });

  it('ends a match larger than one transaction’s batch whole, each session once, and counts it once', async () => {
    await rows(2_600, { countryCode: 'NZ' });
    const answer = await as(t.app, admin).post('/api/sessions/logout', { filter: { country: 'nz' } });
    expect(answer.json()).toEqual({ terminated: 2_600 });
    const left = (await as(t.app, admin).get('/api/sessions?country=NZ')).json();
    expect(left).toMatchObject({ total: 0, sessions: [] });
    const ended = await activities('session.terminated');
    expect(new Set(ended.map((a) => a.sessionId)).size).toBe(2_600);
    expect(ended).toHaveLength(2_600);
    const summaries = await activities('session.bulk_terminated');
    expect(summaries.map((a) => a.target)).toEqual(['2,600 sessions of 1 user']);
  });

  it('refuses an empty filter, both kinds of Logout at once, and a Logout by filter from a non-admin', async () => {
    await rows(2);
    const empty = await as(t.app, admin).post('/api/sessions/logout', { filter: {} });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error.message).toContain('filter');
    const both = await as(t.app, admin).post('/api/sessions/logout', {
      filter: { country: 'DE' },
      sessionIds: [admin.sessionId],
    });
    expect(both.statusCode).toBe(400);
    const user = await signIn(t.app, org.user.username);
    const refused = await as(t.app, user).post('/api/sessions/logout', { filter: { country: 'DE' } });
    expect(refused.statusCode).toBe(403);
    expect((await as(t.app, admin).get('/api/sessions')).json().total).toBe(4);
  });

  it('ends each session exactly once when the same Logout by filter arrives 50 times at once', async () => {
    await rows(300, { countryCode: 'GB' });
    const answers = await Promise.all(
      Array.from({ length: 50 }, () =>
        as(t.app, admin).post('/api/sessions/logout', { filter: { country: 'gb' } }),
      ),
    );
    expect(answers.map((a) => a.statusCode)).toEqual(Array(50).fill(200));
    expect(answers.reduce((sum, a) => sum + a.json().terminated, 0)).toBe(300);
    expect(await activities('session.terminated')).toHaveLength(300);
    expect(await activities('session.bulk_terminated')).toHaveLength(50);
    expect((await as(t.app, admin).get('/api/sessions?country=GB')).json().total).toBe(0);
  });

  it('shows one session, live or ended, with its timeline, only to those who may see it', async () => {
    const user = await signIn(t.app, org.user.username, {
      ip: '81.2.69.142',
      headers: { 'sec-ch-ua-platform': '"Windows"', 'sec-ch-ua-mobile': '?0' },
    });
    const own = await as(t.app, user).get(`/api/sessions/${user.sessionId}`);
    expect(own.statusCode).toBe(200);
    expect(own.json().session).toMatchObject({
      id: user.sessionId,
      live: true,
      endedAt: null,
      endReason: null,
      userAgent: expect.stringContaining('Chrome/120'),
      clientHints: { 'sec-ch-ua-platform': '"Windows"', 'sec-ch-ua-mobile': '?0' },
      countryCode: 'GB',
    });
    expect(own.json().activities.map((a: { activity: string }) => a.activity)).toEqual(['user.login']);
    expect((await as(t.app, user).get(`/api/sessions/${admin.sessionId}`)).statusCode).toBe(404);
    const other = await seedOrg(t.app);
    const outsider = await signIn(t.app, other.admin.username);
    expect((await as(t.app, outsider).get(`/api/sessions/${user.sessionId}`)).statusCode).toBe(404);

    clock.advance(1_000);
    await as(t.app, admin).delete(`/api/sessions/${user.sessionId}`);
    const ended = (await as(t.app, admin).get(`/api/sessions/${user.sessionId}`)).json();
    expect(ended.session).toMatchObject({
      live: false,
      endReason: 'terminated',
      endedAt: new Date(clock.now()).toISOString(),
      endedBy: { userId: org.admin.id, username: org.admin.username },
    });
    expect(ended.activities.map((a: { activity: string }) => a.activity)).toEqual([
      'user.login',
      'session.terminated',
    ]);
  });

  it('tells an idle session as ended, then sweeps it out of the live list as idle, refused as expired', async () => {
    const user = await signIn(t.app, org.user.username);
    const lastAccess = clock.now();
    clock.advance(IDLE + 1_000);
    const fresh = await signIn(t.app, org.admin.username);
    const detail = (await as(t.app, fresh).get(`/api/sessions/${user.sessionId}`)).json();
    expect(detail.session).toMatchObject({
      live: false,
      endReason: 'idle',
      endedAt: new Date(lastAccess + IDLE).toISOString(),
    });
    // Not swept while a stored access may still lag behind a fresher one.
    expect(await t.app.services.sessions.sweepEndedSessions(100)).toBe(0);
    clock.advance(10 * MINUTE);
    const admin2 = await signIn(t.app, org.admin.username);
    // The user's session and the first admin session; not the one signed in since.
    expect(await t.app.services.sessions.sweepEndedSessions(100)).toBe(2);
    const row = await t.database.db
      .selectFrom('sessions')
      .select(['revokedAt', 'revokedReason'])
      .where('id', '=', user.sessionId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ revokedAt: lastAccess + IDLE, revokedReason: 'idle' });
    const me = await as(t.app, user).get('/api/me');
    expect(me.statusCode).toBe(401);
    expect(me.headers['x-session-ended']).toBe('expired');
    expect((await as(t.app, admin2).get(`/api/sessions/${user.sessionId}`)).json().session.endReason).toBe(
      'idle',
    );
    expect((await as(t.app, admin2).get('/api/sessions')).json().total).toBe(2);
  });
});
