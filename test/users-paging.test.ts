import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { UserPage } from '../src/contracts/accounts.js';
import { describeEachEngine } from './helpers/engines.js';
import { as, PASSWORD, type SeededOrg, type SignedIn, seedOrg, signIn } from './helpers/factories.js';
import { insertSessionRows } from './helpers/session-rows.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const CROWD = 230;
// Punctuation sorts apart under PostgreSQL's en_US collation (`a.c` between `ab` and `ac`); the
// list must keep byte order, and prefixes must find exactly their names, on every collation.
const TRICKY = ['ab', 'a.c', 'ac', 'a_b', 'a-b', 'a+b@x.io', 'abc'];

describeEachEngine('GET /api/users, a page at a time', (engine) => {
  let t: TestApp;
  let acme: SeededOrg;
  let other: SeededOrg;
  let admin: SignedIn;
  let everyone: string[];

  beforeAll(async () => {
    t = await createTestApp(engine);
    acme = await seedOrg(t.app);
    other = await seedOrg(t.app);
    const { accounts } = t.app.services;
    const crowd = Array.from({ length: CROWD }, (_, i) => `crowd-${i}`);
    await accounts.createDemoUsers({
      orgId: acme.orgId,
      usernames: [...crowd, ...TRICKY],
      password: PASSWORD,
    });
    // The other org's users share the prefix: none may show in acme's pages or counts.
    await accounts.createDemoUsers({
      orgId: other.orgId,
      usernames: ['crowd-x1', 'crowd-x2', 'abx'],
      password: PASSWORD,
    });
    admin = await signIn(t.app, acme.admin.username);
    everyone = [...crowd, ...TRICKY, acme.admin.username, acme.user.username].sort();
  });
  afterAll(() => t.close());

  const get = async (who: SignedIn, query: Record<string, string>): Promise<UserPage> => {
    const response = await as(t.app, who).get(`/api/users?${new URLSearchParams(query)}`);
    expect(response.statusCode).toBe(200);
    return response.json();
  };

  /** Every page from the first, following nextCursor. */
  const walk = async (who: SignedIn, query: Record<string, string>): Promise<UserPage[]> => {
    const pages: UserPage[] = [];
    let cursor: string | null = null;
    do {
      const page: UserPage = await get(who, cursor ? { ...query, cursor } : query);
      pages.push(page);
      cursor = page.nextCursor;
    } while (cursor !== null && pages.length < 100);
    return pages;
  };

  it('answers everyone without a limit, as before pages, and every user exactly once across pages', async () => {
    const whole = await walk(admin, {});
    expect(whole.map((p) => p.users.length)).toEqual([everyone.length]);
    expect(whole[0]?.users.map((u) => u.username)).toEqual(everyone);
    const pages = await walk(admin, { limit: '100' });
    expect(pages.map((p) => p.users.length)).toEqual([100, 100, everyone.length - 200]);
    expect(pages.flatMap((p) => p.users.map((u) => u.username))).toEqual(everyone);
    expect(pages.every((p) => p.total === everyone.length && !p.totalCapped)).toBe(true);
    expect(pages.at(-1)?.nextCursor).toBeNull();

    const small = await walk(admin, { limit: '7' });
    expect(small.flatMap((p) => p.users.map((u) => u.username))).toEqual(everyone);
  });

  it('finds the usernames starting with q, in any case, and pages through them', async () => {
    const pages = await walk(admin, { q: ' CROWD-1', limit: '9' });
    const expected = everyone.filter((name) => name.startsWith('crowd-1'));
    expect(expected.length).toBeGreaterThan(9);
    expect(pages.flatMap((p) => p.users.map((u) => u.username))).toEqual(expected);
    expect(pages[0]?.total).toBe(expected.length);

    for (const q of ['a', 'ab', 'a.', 'a_', 'a+b@', 'ＡＢ', 'zz', 'a%', '*', 'ä']) {
      const page = await get(admin, { q });
      const prefix = q.normalize('NFKC').toLowerCase();
      const want = everyone.filter((name) => name.startsWith(prefix));
      expect(
        page.users.map((u) => u.username),
        q,
      ).toEqual(want);
      expect(page.total, q).toBe(want.length);
    }
  });

  it("never shows another org's users, and shows that org's admin only theirs", async () => {
    const names = (await walk(admin, { limit: '500' })).flatMap((p) => p.users.map((u) => u.username));
    expect(names).not.toContain('crowd-x1');
    expect(names).not.toContain('abx');
    const theirAdmin = await signIn(t.app, other.admin.username);
    const theirs = await get(theirAdmin, { q: 'crowd' });
    expect(theirs.users.map((u) => u.username)).toEqual(['crowd-x1', 'crowd-x2']);
    expect(theirs.total).toBe(2);
  });

  it('shows a non-admin only themselves, whatever they ask', async () => {
    const user = await signIn(t.app, acme.user.username);
    const own = await get(user, {});
    expect(own.users.map((u) => u.id)).toEqual([acme.user.id]);
    expect(own).toMatchObject({ total: 1, nextCursor: null });
    expect((await get(user, { q: 'crowd' })).users).toEqual([]);
    const cursor = (await get(admin, { limit: '1' })).nextCursor ?? '';
    expect((await get(user, { cursor })).users.every((u) => u.id === acme.user.id)).toBe(true);
  });

  it("gives a later page's users their own live sessions and last activity", async () => {
    // On the third page, and nobody signs in as them.
    const lastName = 'crowd-99';
    expect(everyone.indexOf(lastName)).toBeGreaterThanOrEqual(200);
    const before = (await walk(admin, {})).at(-1)?.users.find((u) => u.username === lastName);
    if (!before) throw new Error(`${lastName} is not on the last page`);
    const now = Date.now();
    const at = now - 5_000;
    await insertSessionRows(t.database, [
      { orgId: acme.orgId, userId: before.id, username: lastName, lastAccessAt: at },
      { orgId: acme.orgId, userId: before.id, username: lastName, lastAccessAt: at - 60_000 },
      {
        orgId: acme.orgId,
        userId: before.id,
        username: lastName,
        lastAccessAt: at - 120_000,
        revokedAt: now,
      },
    ]);
    const pages = await walk(admin, {});
    const after = pages.at(-1)?.users.find((u) => u.username === lastName);
    expect(after).toMatchObject({ liveSessions: 2, lastActivityAt: new Date(at).toISOString() });
    expect(pages[0]?.users.find((u) => u.username === 'a+b@x.io')).toMatchObject({
      liveSessions: 0,
      lastActivityAt: null,
    });
  });

  it('answers bad paging input with a 400 naming the parameter, never a 5xx', async () => {
    const param = fc.constantFrom('limit', 'cursor', 'q');
    await fc.assert(
      fc.asyncProperty(param, fc.string({ maxLength: 600, unit: 'binary' }), async (name, value) => {
        const response = await as(t.app, admin).get(`/api/users?${new URLSearchParams({ [name]: value })}`);
        expect([200, 400]).toContain(response.statusCode);
        if (response.statusCode === 400) expect(response.json().error.message).toContain(name);
      }),
      { numRuns: 150 },
    );
    for (const [name, value] of [
      ['limit', '0'],
      ['limit', '501'],
      ['limit', 'ten'],
      ['cursor', 'bm90IGEgY3Vyc29y'],
      ['q', 'x'.repeat(65)],
    ]) {
      const response = await as(t.app, admin).get(`/api/users?${name}=${value}`);
      expect(response.statusCode, `${name}=${value}`).toBe(400);
      expect(response.json().error.message).toContain(name);
    }
    // A cursor of the session list is not one of this list.
    await insertSessionRows(t.database, [
      { orgId: acme.orgId, userId: acme.user.id, username: acme.user.username, lastAccessAt: Date.now() },
    ]);
    const sessions = (await as(t.app, admin).get('/api/sessions?limit=1')).json();
    expect(sessions.nextCursor).toEqual(expect.any(String));
    const replayed = await as(t.app, admin).get(`/api/users?cursor=${sessions.nextCursor}`);
    expect(replayed.statusCode).toBe(400);
    expect(replayed.json().error.message).toContain('cursor');
  });
});
