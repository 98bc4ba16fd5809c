import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { createSessionEnding } from '../src/sessions/session-ending.js';
import {
  applyPendingEndings,
  countPendingEndings,
  endSessionRows,
} from '../src/sessions/session-endings.repository.js';
import { matchingSessions } from '../src/sessions/session-query.js';
import { TestClock } from './helpers/clock.js';
import { describeEachEngine } from './helpers/engines.js';
import { as, type SeededOrg, type SignedIn, seedOrg, signIn } from './helpers/factories.js';
import { insertSessionRows } from './helpers/session-rows.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

/*
 * Decision 017: an ending is a row of session_endings first and is written into its session later
 * (after a Logout by filter, in the background). In between, every view must already treat the
 * session as ended, and each session must get one ending however many end it at once.
 */
describeEachEngine('sessions whose ending is not yet written into their row', (engine) => {
  let t: TestApp;
  let org: SeededOrg;
  let admin: SignedIn;
  const clock = new TestClock();

  beforeAll(async () => {
    t = await createTestApp(engine, { clock });
    org = await seedOrg(t.app);
    admin = await signIn(t.app, org.admin.username);
  });
  afterAll(() => t.close());

  const rows = (n: number, countryCode: string) =>
    insertSessionRows(
      t.database,
      Array.from({ length: n }, (_, i) => ({
        orgId: org.orgId,
        userId: org.user.id,
        username: org.user.username,
        lastAccessAt: clock.now() - i * 1_000,
        countryCode,
      })),
    );
  const stored = (id: string) =>
    t.database.db
      .selectFrom('sessions')
      .select(['revokedAt', 'revokedBy', 'revokedReason'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
  const me = (cookie: string) => t.app.inject({ method: 'GET', url: '/api/me', headers: { cookie } });

  it('are refused, left out of lists and counts, kept by the sweep, and shown as ended until written', async () => {
    const [ended, live] = await rows(2, 'NO');
    if (!ended || !live) throw new Error('two rows');
    const at = clock.now();
    const endedIds = await t.database.db
      .transaction()
      .execute((trx) =>
        endSessionRows(trx, [ended.id], { at, by: org.admin.id, reason: 'terminated' }, { apply: false }),
      );
    expect(endedIds).toEqual([ended.id]);
    expect(await stored(ended.id)).toMatchObject({ revokedAt: null });

    expect((await me(ended.cookie)).statusCode).toBe(401);
    expect((await me(live.cookie)).statusCode).toBe(200);
    const listed = (await as(t.app, admin).get('/api/sessions?country=NO')).json();
    expect(listed).toMatchObject({ total: 1, sessions: [{ id: live.id }] });
    const users = (await as(t.app, admin).get('/api/users')).json().users as Array<{
      id: string;
      liveSessions: number;
    }>;
    expect(users.find((u) => u.id === org.user.id)?.liveSessions).toBe(1);
    const detail = (await as(t.app, admin).get(`/api/sessions/${ended.id}`)).json().session;
    expect(detail).toMatchObject({
      live: false,
      endReason: 'terminated',
      endedAt: new Date(at).toISOString(),
      endedBy: { userId: org.admin.id, username: org.admin.username },
    });
    // Ending both again ends only the other one.
    const again = await t.database.db
      .transaction()
      .execute((trx) =>
        endSessionRows(trx, [ended.id, live.id], { at, by: null, reason: 'terminated' }, { apply: false }),
      );
    expect(again).toEqual([live.id]);

    // Idle long past the window: the sweep leaves the waiting ending's reason to the writer.
    clock.advance(48 * 3_600_000);
    await t.app.services.sessions.sweepEndedSessions(1_000);
    expect(await stored(ended.id)).toMatchObject({ revokedAt: null });
    expect(await countPendingEndings(t.database.db)).toBe(2);
    await t.app.services.sessions.writePendingEndings();
    expect(await stored(ended.id)).toEqual({
      revokedAt: at,
      revokedBy: org.admin.id,
      revokedReason: 'terminated',
    });
    expect(await countPendingEndings(t.database.db)).toBe(0);
    admin = await signIn(t.app, org.admin.username);
    const after = (await as(t.app, admin).get(`/api/sessions/${ended.id}`)).json().session;
    expect(after).toMatchObject({ endReason: 'terminated', endedBy: { username: org.admin.username } });
  });

  it('are all written into their rows once a Logout by filter has answered', async () => {
    const made = await rows(600, 'IS');
    const answer = await as(t.app, admin).post('/api/sessions/logout', { filter: { country: 'is' } });
    expect(answer.json()).toEqual({ terminated: 600 });
    await t.app.services.sessions.writePendingEndings();
    expect(await countPendingEndings(t.database.db)).toBe(0);
    const written = await t.database.db
      .selectFrom('sessions')
      .select(['revokedReason', 'revokedBy'])
      .where(
        'id',
        'in',
        made.map((m) => m.id),
      )
      .execute();
    expect(written).toEqual(Array(600).fill({ revokedReason: 'terminated', revokedBy: org.admin.id }));
  });

  it('are left waiting by a Logout by filter, which answers and then kicks the writer', async () => {
    const made = await rows(300, 'SE');
    const writer = { kick: vi.fn(async () => {}) };
    const published: unknown[] = [];
    const ending = createSessionEnding({
      db: t.database.db,
      clock,
      bus: { publish: async (event) => void published.push(event), close: async () => {} },
      lastAccess: t.app.services.lastAccess,
      writer,
      candidates: async () => [],
    });
    const query = { orgId: org.orgId, country: 'SE', now: clock.now(), idleMs: 3_600_000, maxMs: 86_400_000 };
    const actor = {
      ...org.admin,
      orgId: org.orgId,
      userId: org.admin.id,
      role: 'admin' as const,
      sessionId: null,
      publicIp: null,
    };
    const ended = await ending.endMatching(
      actor,
      { country: 'SE' },
      async () => (limit, trx, lock) => matchingSessions(trx, query, limit, lock),
    );
    expect(ended).toBe(300);
    expect(writer.kick).toHaveBeenCalledTimes(1);
    expect(await countPendingEndings(t.database.db)).toBe(300);
    expect(await stored(made[0]?.id as string)).toMatchObject({ revokedAt: null });
    expect((await me(made[0]?.cookie as string)).statusCode).toBe(401);
    // One notice a batch; on PostgreSQL two batches run side by side and may share the 300.
    const told = (published as Array<{ sessions: unknown[] }>).flatMap((event) => event.sessions);
    expect(told).toHaveLength(300);
    await t.app.services.sessions.writePendingEndings();
    expect(await countPendingEndings(t.database.db)).toBe(0);
  });

  // SQLite has one writer at a time: the sweep cannot run while a Logout's transaction is open.
  it.runIf(engine === 'postgres')('keep a Logout’s reason when the sweep runs while it commits', async () => {
    const [session] = await rows(1, 'DK');
    if (!session) throw new Error('one row');
    const at = clock.now();
    clock.advance(48 * 3_600_000);
    await t.database.db.transaction().execute(async (trx) => {
      await endSessionRows(
        trx,
        [session.id],
        { at, by: org.admin.id, reason: 'terminated' },
        { apply: false },
      );
      // The Logout holds the row: the sweep passes it by instead of waiting and writing over it.
      expect(await t.app.services.sessions.sweepEndedSessions(1_000)).toBeGreaterThanOrEqual(0);
    });
    await t.app.services.sessions.sweepEndedSessions(1_000);
    await t.app.services.sessions.writePendingEndings();
    expect(await stored(session.id)).toEqual({
      revokedAt: at,
      revokedBy: org.admin.id,
      revokedReason: 'terminated',
    });
  });

  // PostgreSQL runs a Logout's batches side by side, each skipping rows someone else holds.
  it.runIf(engine === 'postgres')(
    'include a session another transaction holds in a Logout by filter',
    async () => {
      const made = await rows(3, 'IS');
      const held = made[1];
      if (!held) throw new Error('three rows');
      let release = () => {};
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      let holding = () => {};
      const isHeld = new Promise<void>((resolve) => {
        holding = resolve;
      });
      const holder = t.database.db.transaction().execute(async (trx) => {
        await trx.selectFrom('sessions').select('id').where('id', '=', held.id).forUpdate().execute();
        holding();
        await released;
      });
      await isHeld;
      // Signed in now: an earlier test moved the clock past the first admin session's lifetime.
      const current = await signIn(t.app, org.admin.username);
      const logout = as(t.app, current).post('/api/sessions/logout', { filter: { country: 'IS' } });
      // The batches that skip it have ended the other two; the Logout now waits for the held row.
      const othersRefused = async () =>
        (
          await Promise.all([made[0], made[2]].map(async (m) => (await me(m?.cookie ?? '')).statusCode))
        ).every((status) => status === 401);
      let answered = false;
      void logout.finally(() => {
        answered = true;
      });
      while (!answered && !(await othersRefused())) await new Promise((r) => setTimeout(r, 10));
      release();
      await holder;
      expect((await logout).json()).toEqual({ terminated: 3 });
      expect((await me(held.cookie)).statusCode).toBe(401);
    },
  );

  it('get one ending each when 50 writers end overlapping sessions while the writer runs', async () => {
    const made = await rows(200, 'FI');
    const ids = made.map((m) => m.id);
    const at = clock.now();
    const enders = Array.from({ length: 50 }, (_, i) =>
      t.database.db.transaction().execute((trx) =>
        endSessionRows(
          trx,
          ids.filter((_, n) => n % 5 === i % 5 || n % 7 === i % 7),
          { at, by: org.admin.id, reason: 'terminated' },
          { apply: i % 2 === 0 },
        ),
      ),
    );
    const writers = Array.from({ length: 5 }, () =>
      t.database.db.transaction().execute((trx) => applyPendingEndings(trx, 50)),
    );
    const ended = (await Promise.all(enders)).flat();
    await Promise.all(writers);
    expect(ended).toHaveLength(200);
    expect(new Set(ended).size).toBe(200);
    await t.app.services.sessions.writePendingEndings();
    const unwritten = await t.database.db
      .selectFrom('sessions')
      .select('id')
      .where('id', 'in', ids)
      .where('revokedAt', 'is', null)
      .execute();
    expect(unwritten).toEqual([]);
  });
});
