import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashActivity } from '../src/activity/chain/chain.js';
import { recordActivities } from '../src/activity/chain/record.js';
import { purgeExpiredActivities } from '../src/activity/retention/retention.js';
import { TestClock } from './helpers/clock.js';
import { describeEachEngine } from './helpers/engines.js';
import { as, type SeededOrg, type SignedIn, seedOrg, signIn } from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const DAY = 24 * 3_600_000;

interface ChainReport {
  ok: boolean;
  checked: number;
  firstBroken?: { seq: number; id: number | null; problem: string; message: string };
}

describeEachEngine('activity hash chain', (engine) => {
  let t: TestApp;
  let clock: TestClock;
  let acme: SeededOrg;
  let other: SeededOrg;
  let admin: SignedIn;
  let outsider: SignedIn;
  let acmeKey: string;

  beforeEach(async () => {
    clock = new TestClock();
    t = await createTestApp(engine, { clock });
    acme = await seedOrg(t.app);
    other = await seedOrg(t.app);
    admin = await signIn(t.app, acme.admin.username);
    outsider = await signIn(t.app, other.admin.username);
    acmeKey = (await as(t.app, admin).post('/api/api-keys', { name: 'jobs' })).json().key;
  });
  afterEach(() => t.close());

  const db = () => t.database.db;
  const put = async (events: Array<Record<string, unknown>>, key = acmeKey) => {
    for (let i = 0; i < events.length; i += 1_000) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/activities',
        headers: { authorization: `Bearer ${key}` },
        payload: {
          events: events
            .slice(i, i + 1_000)
            .map((e) => ({ activity: 'backup', username: acme.user.username, ...e })),
        },
      });
      expect(response.statusCode, response.body).toBe(201);
    }
  };
  const putMany = (count: number, extra: Record<string, unknown> = {}) =>
    put(Array.from({ length: count }, (_, i) => ({ target: `item ${i}`, ...extra })));
  const verify = async (who: SignedIn = admin): Promise<ChainReport> => {
    const response = await as(t.app, who).get('/api/activities/verify');
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  };
  /** The org's activities in chain order, each with its link. */
  const chain = (orgId = acme.orgId) =>
    db()
      .selectFrom('activityChainLinks as l')
      .innerJoin('activities as a', 'a.id', 'l.activityId')
      .selectAll('a')
      .select(['l.seq', 'l.prevHash', 'l.hash'])
      .where('l.orgId', '=', orgId)
      .orderBy('l.seq')
      .execute();
  const count = async (table: 'activities' | 'activityChainLinks') =>
    Number(
      (
        await db()
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  /** A row in the middle of the org's chain, with a neighbour on each side. */
  const middleRow = async () => {
    const rows = await chain();
    const row = rows[Math.floor(rows.length / 2)];
    if (!row) throw new Error('no rows');
    return row;
  };
  /** An attacker with database access switches off the append-only trigger first. */
  const disableAppendOnly = async () => {
    for (const table of ['activities', 'activity_chain_links']) {
      if (engine === 'sqlite') {
        await sql.raw(`drop trigger ${table}_no_update`).execute(db());
        await sql.raw(`drop trigger ${table}_no_delete`).execute(db());
      } else await sql.raw(`alter table ${table} disable trigger ${table}_append_only`).execute(db());
    }
  };
  const link = (seq: number) =>
    db().updateTable('activityChainLinks').where('orgId', '=', acme.orgId).where('seq', '=', seq);

  describe('verify', () => {
    it('reports a fresh chain intact, every row checked', async () => {
      await putMany(20);
      const report = await verify();
      expect(report).toEqual({ ok: true, checked: (await chain()).length, checkpoints: 0 });
      expect(report.checked).toBeGreaterThan(20);
      expect((await verify(outsider)).ok).toBe(true);
    });

    it('checks seq is gap-free from 1 and each row links to the one before', async () => {
      await putMany(5);
      const rows = await chain();
      expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
      expect(rows[0]?.prevHash).toBe('0'.repeat(64));
      for (let i = 1; i < rows.length; i++) expect(rows[i]?.prevHash).toBe(rows[i - 1]?.hash);
      const head = await db()
        .selectFrom('activityChainHeads')
        .selectAll()
        .where('orgId', '=', acme.orgId)
        .executeTakeFirstOrThrow();
      expect(head).toMatchObject({ seq: rows.length, hash: rows[rows.length - 1]?.hash });
    });

    it('hashes what the database stores: a lone surrogate a service records itself still verifies', async () => {
      // The HTTP edge refuses such text (input-guard.ts); code recording directly must not break the chain.
      const now = clock.now();
      const lone = 'half an emoji \ud83d here';
      await db()
        .transaction()
        .execute((trx) =>
          recordActivities(
            trx,
            acme.orgId,
            [
              {
                occurredAt: now,
                userId: null,
                username: 'system',
                activity: 'backup',
                status: 'success',
                target: lone,
                details: lone,
              },
            ],
            now,
          ),
        );
      const [row] = (await chain()).filter((r) => r.target?.startsWith('half'));
      expect(row?.target).toBe('half an emoji \ufffd here');
      expect(await verify()).toMatchObject({ ok: true });
    });

    it('is for admins only', async () => {
      const user = await signIn(t.app, acme.user.username);
      const response = await as(t.app, user).get('/api/activities/verify');
      expect(response.statusCode).toBe(403);
      expect((await t.app.inject({ method: 'GET', url: '/api/activities/verify' })).statusCode).toBe(401);
    });
  });

  describe('tampering', () => {
    beforeEach(async () => {
      await putMany(10, { details: 'original', publicIp: '203.0.113.7', status: 'success' });
    });

    it.each([
      ['target', 'tampered'],
      ['details', 'tampered'],
      ['status', 'failure'],
      ['username', 'someone-else'],
      ['occurredAt', 1_000],
      ['recordedAt', 1_000],
      ['publicIp', '198.51.100.1'],
      ['userId', null],
      ['activity', 'restore'],
      ['source', 'api_key vsk_forged someone else'],
    ] as const)('names a row whose %s was changed in the database as altered', async (column, value) => {
      const row = await middleRow();
      await disableAppendOnly();
      await db()
        .updateTable('activities')
        .set({ [column]: value })
        .where('id', '=', row.id)
        .execute();
      const report = await verify();
      expect(report.ok).toBe(false);
      expect(report.firstBroken).toMatchObject({ seq: row.seq, id: row.id, problem: 'altered' });
      expect(report.firstBroken?.message).toContain(String(row.seq));
      expect(report.checked).toBe(row.seq - 1);
    });

    it('notices an altered row whose own hash was recomputed, at the link to the next row', async () => {
      const row = await middleRow();
      const { id: _id, hash: _hash, ...fields } = row;
      const forged = { ...fields, target: 'forged' };
      await disableAppendOnly();
      await db().updateTable('activities').set({ target: 'forged' }).where('id', '=', row.id).execute();
      await link(row.seq)
        .set({ hash: hashActivity(forged) })
        .execute();
      const report = await verify();
      expect(report.ok).toBe(false);
      expect(report.firstBroken?.seq).toBe(row.seq + 1);
    });

    it('names a deleted middle row as missing', async () => {
      const row = await middleRow();
      await disableAppendOnly();
      await db().deleteFrom('activities').where('id', '=', row.id).execute();
      const report = await verify();
      expect(report.ok).toBe(false);
      expect(report.firstBroken).toMatchObject({ seq: row.seq, id: row.id, problem: 'missing' });
    });

    it('names a removed middle link as missing', async () => {
      const row = await middleRow();
      await disableAppendOnly();
      await db()
        .deleteFrom('activityChainLinks')
        .where('orgId', '=', acme.orgId)
        .where('seq', '=', row.seq)
        .execute();
      expect((await verify()).firstBroken).toMatchObject({ seq: row.seq, id: null, problem: 'missing' });
    });

    it('notices the newest row deleted with its link', async () => {
      const rows = await chain();
      const last = rows[rows.length - 1];
      await disableAppendOnly();
      await db()
        .deleteFrom('activities')
        .where('id', '=', last?.id as number)
        .execute();
      await db()
        .deleteFrom('activityChainLinks')
        .where('orgId', '=', acme.orgId)
        .where('seq', '=', last?.seq as number)
        .execute();
      const report = await verify();
      expect(report.ok).toBe(false);
      expect(report.firstBroken).toMatchObject({ seq: rows.length, problem: 'head-mismatch' });
    });

    it('notices the first row deleted', async () => {
      const [first] = await chain();
      await disableAppendOnly();
      await db()
        .deleteFrom('activities')
        .where('id', '=', first?.id as number)
        .execute();
      expect((await verify()).firstBroken).toMatchObject({ seq: 1, problem: 'missing' });
    });

    it('notices two rows that swapped places (seq)', async () => {
      const row = await middleRow();
      const rows = await chain();
      const next = rows.find((r) => r.seq === row.seq + 1);
      if (!next) throw new Error('no next row');
      await disableAppendOnly();
      await link(row.seq).set({ seq: -1 }).execute();
      await link(next.seq).set({ seq: row.seq }).execute();
      await link(-1).set({ seq: next.seq }).execute();
      const report = await verify();
      expect(report.ok).toBe(false);
      expect(report.firstBroken).toMatchObject({ seq: row.seq, id: next.id, problem: 'reordered' });
    });

    it('notices two rows that swapped their content', async () => {
      const row = await middleRow();
      const rows = await chain();
      const next = rows.find((r) => r.seq === row.seq + 1);
      if (!next) throw new Error('no next row');
      const content = (r: typeof row) => ({
        occurredAt: r.occurredAt,
        target: r.target,
        username: r.username,
      });
      await disableAppendOnly();
      await db().updateTable('activities').set(content(next)).where('id', '=', row.id).execute();
      await db().updateTable('activities').set(content(row)).where('id', '=', next.id).execute();
      const report = await verify();
      expect(report.ok).toBe(false);
      expect(report.firstBroken).toMatchObject({ seq: row.seq, id: row.id, problem: 'altered' });
    });

    it('notices a row appended behind the application’s back, even with a correct hash', async () => {
      const rows = await chain();
      const last = rows[rows.length - 1];
      if (!last) throw new Error('no rows');
      const { id: _id, seq: _seq, prevHash: _prev, hash: _hash, ...fields } = last;
      const inserted = await db()
        .insertInto('activities')
        .values({ ...fields, target: 'inserted' })
        .returning('id')
        .executeTakeFirstOrThrow();
      const forged = { ...fields, target: 'inserted', seq: last.seq + 1, prevHash: last.hash };
      await db()
        .insertInto('activityChainLinks')
        .values({
          orgId: acme.orgId,
          seq: forged.seq,
          activityId: inserted.id,
          prevHash: last.hash,
          hash: hashActivity(forged),
        })
        .execute();
      const report = await verify();
      expect(report.ok).toBe(false);
      expect(report.firstBroken?.problem).toBe('head-mismatch');
    });

    it('names an activity inserted behind the application’s back without a link as unlinked', async () => {
      const { id: _id, seq: _seq, prevHash: _prev, hash: _hash, ...fields } = await middleRow();
      const inserted = await db()
        .insertInto('activities')
        .values({ ...fields, target: 'slipped in' })
        .returning('id')
        .executeTakeFirstOrThrow();
      const report = await verify();
      expect(report).toMatchObject({
        ok: false,
        checked: (await chain()).length,
        firstBroken: { seq: null, id: inserted.id, problem: 'unlinked' },
      });
      expect(report.firstBroken?.message).toContain(String(inserted.id));
    });

    it('reports only the org whose chain was broken', async () => {
      const row = await middleRow();
      await disableAppendOnly();
      await db().updateTable('activities').set({ target: 'x' }).where('id', '=', row.id).execute();
      expect((await verify()).ok).toBe(false);
      expect((await verify(outsider)).ok).toBe(true);
    });
  });

  describe('append-only in the database', () => {
    it('refuses an UPDATE of an activity, and the row stays as it was', async () => {
      await putMany(3);
      const row = await middleRow();
      await expect(
        db().updateTable('activities').set({ target: 'tampered' }).where('id', '=', row.id).execute(),
      ).rejects.toThrow(/append-only/);
      const after = await db()
        .selectFrom('activities')
        .selectAll()
        .where('id', '=', row.id)
        .executeTakeFirst();
      const { seq: _seq, prevHash: _prev, hash: _hash, ...stored } = row;
      expect(after).toEqual(stored);
      expect((await verify()).ok).toBe(true);
    });

    it('refuses a DELETE outside retention', async () => {
      await putMany(3);
      const row = await middleRow();
      await expect(db().deleteFrom('activities').where('id', '=', row.id).execute()).rejects.toThrow(
        /append-only/,
      );
      expect((await verify()).ok).toBe(true);
    });

    it('refuses an UPDATE or DELETE of a chain link', async () => {
      await putMany(3);
      const row = await middleRow();
      await expect(
        link(row.seq)
          .set({ hash: 'f'.repeat(64) })
          .execute(),
      ).rejects.toThrow(/append-only/);
      await expect(
        db().deleteFrom('activityChainLinks').where('orgId', '=', acme.orgId).execute(),
      ).rejects.toThrow(/append-only/);
      expect(await verify()).toMatchObject({ ok: true, checked: (await chain()).length });
    });

    it.runIf(engine === 'postgres')(
      'refuses an UPDATE even while retention may delete (PostgreSQL)',
      async () => {
        await putMany(3);
        const row = await middleRow();
        await expect(
          db()
            .transaction()
            .execute(async (trx) => {
              await sql`set local vault.allow_purge = 'on'`.execute(trx);
              await trx
                .updateTable('activities')
                .set({ target: 'tampered' })
                .where('id', '=', row.id)
                .execute();
            }),
        ).rejects.toThrow(/append-only/);
      },
    );
  });

  describe('concurrent writers', () => {
    it('never fork the chain: 20 parallel ingests and logins leave one gap-free, verifiable chain', async () => {
      const before = (await chain()).length;
      const ingests = Array.from({ length: 20 }, (_, i) =>
        put(Array.from({ length: 25 }, (_, j) => ({ target: `call ${i} item ${j}` }))),
      );
      const logins = Array.from({ length: 4 }, (_, i) =>
        signIn(t.app, i % 2 ? acme.user.username : acme.admin.username),
      );
      const otherOrg = signIn(t.app, other.admin.username);
      await Promise.all([...ingests, ...logins, otherOrg]);
      const rows = await chain();
      expect(rows).toHaveLength(before + 20 * 25 + 4);
      expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
      expect(new Set(rows.map((r) => r.prevHash)).size).toBe(rows.length);
      const report = await verify();
      expect(report).toMatchObject({ ok: true, checked: rows.length });
      expect((await verify(outsider)).ok).toBe(true);
    });
  });

  it('verifies intact while appends go on', async () => {
    await putMany(20);
    const appends = Array.from({ length: 10 }, (_, i) =>
      put(Array.from({ length: 25 }, (_, j) => ({ target: `during ${i} ${j}` }))),
    );
    const reports = Array.from({ length: 5 }, () => verify());
    await Promise.all(appends);
    for (const report of await Promise.all(reports)) expect(report).toMatchObject({ ok: true });
    expect(await verify()).toEqual({ ok: true, checked: (await chain()).length, checkpoints: 0 });
  });

  describe('retention', () => {
    const retentionDays = () => t.config.activityRetentionDays;
    const purge = () => purgeExpiredActivities(db(), { now: clock.now(), retentionDays: retentionDays() });
    const setClock = (at: number) => clock.advance(at - clock.now());
    const searchAll = async (who: SignedIn, query: string) => {
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const suffix: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
        const response = await as(t.app, who).get(`/api/activities?${query}${suffix}`);
        expect(response.statusCode, response.body).toBe(200);
        const page = response.json() as { items: Array<{ id: string }>; nextCursor: string | null };
        ids.push(...page.items.map((i) => i.id));
        cursor = page.nextCursor;
      } while (cursor);
      return ids;
    };

    it('defaults to 400 days', () => {
      expect(retentionDays()).toBe(400);
    });

    it('purges rows recorded before the window, keeps the rest verifiable, and records activity.purged', async () => {
      const t0 = clock.now();
      const cutoffAt = t0 + DAY; // the window's start once the clock reads t0 + 401 days
      const at = (ms: number, target: string) => {
        setClock(ms);
        return put([{ target, occurredAt: new Date(ms).toISOString() }]);
      };
      await putMany(5);
      await at(cutoffAt - 1, 'just too old');
      await at(cutoffAt, 'oldest kept');
      await at(t0 + 37 * DAY, 'a year ago');
      await at(t0 + 200 * DAY, 'half a year ago');
      await at(t0 + 400 * DAY, 'yesterday');
      setClock(t0 + 401 * DAY);
      await put([
        { target: 'late report of an old event', occurredAt: new Date(t0 - 100 * DAY).toISOString() },
      ]);
      const fresh = await signIn(t.app, acme.admin.username);
      const yearBefore = await searchAll(fresh, 'period=1y&activity=backup');
      expect(yearBefore).toHaveLength(3);

      const rowsBefore = await chain();
      const expired = rowsBefore.filter((r) => r.recordedAt < cutoffAt);
      const kept = rowsBefore.filter((r) => r.recordedAt >= cutoffAt);
      expect(expired.map((r) => r.target)).toContain('just too old');
      expect(kept.map((r) => r.target)).toContain('oldest kept');
      const otherExpired = (await chain(other.orgId)).filter((r) => r.recordedAt < cutoffAt).length;

      const results = await purge();
      expect(results).toEqual(
        expect.arrayContaining([
          { orgId: acme.orgId, purged: expired.length },
          { orgId: other.orgId, purged: otherExpired },
        ]),
      );

      const rowsAfter = await chain();
      expect(rowsAfter.map((r) => r.id).slice(0, kept.length)).toEqual(kept.map((r) => r.id));
      expect(rowsAfter.filter((r) => r.recordedAt < cutoffAt)).toEqual([]);
      const purgedRow = rowsAfter.find((r) => r.activity === 'activity.purged');
      expect(purgedRow).toMatchObject({ username: 'system', userId: null, details: 'retention 400 days' });
      expect(purgedRow?.target).toContain(`${expired.length} activities`);
      expect(rowsAfter.map((r) => r.target)).toContain('late report of an old event');

      const report = await verify(fresh);
      expect(report).toMatchObject({ ok: true, checked: rowsAfter.length });
      // Links go with their rows.
      expect(await count('activityChainLinks')).toBe(await count('activities'));
      expect((await verify(await signIn(t.app, other.admin.username))).ok).toBe(true);
      expect(await searchAll(fresh, 'period=1y&activity=backup')).toEqual(yearBefore);
    });

    it('keeps a 1y search complete: nothing from the last year is ever purged', async () => {
      const t0 = clock.now();
      for (let day = 0; day <= 400; day += 20) {
        setClock(t0 + day * DAY);
        await put([{ target: `day ${day}`, occurredAt: new Date(clock.now()).toISOString() }]);
      }
      setClock(t0 + 420 * DAY);
      const fresh = await signIn(t.app, acme.admin.username);
      const before = await searchAll(fresh, 'period=1y&activity=backup');
      expect(before.length).toBeGreaterThan(15);
      const [result] = (await purge()).filter((r) => r.orgId === acme.orgId);
      expect(result?.purged).toBeGreaterThan(0);
      expect(await searchAll(fresh, 'period=1y&activity=backup')).toEqual(before);
      expect((await verify(fresh)).ok).toBe(true);
    });

    it('does nothing, and records nothing, when nothing is old enough', async () => {
      await putMany(3);
      const before = await chain();
      const results = await purge();
      expect(results.every((r) => r.purged === 0)).toBe(true);
      expect(await chain()).toEqual(before);
    });

    it('purges again later without breaking the chain, and appends go on verifying', async () => {
      await putMany(3);
      setClock(clock.now() + 401 * DAY);
      await putMany(2);
      await purge();
      setClock(clock.now() + 401 * DAY);
      await putMany(4);
      // The two rows of the first year and the first purge's own record go now.
      expect((await purge()).find((r) => r.orgId === acme.orgId)?.purged).toBe(3);
      await putMany(1);
      const rows = await chain();
      expect(rows.map((r) => r.activity)).toEqual([
        'backup',
        'backup',
        'backup',
        'backup',
        'activity.purged',
        'backup',
      ]);
      const fresh = await signIn(t.app, acme.admin.username);
      expect(await verify(fresh)).toMatchObject({ ok: true, checked: (await chain()).length });
    });

    it('still detects tampering after a purge', async () => {
      await putMany(3);
      setClock(clock.now() + 401 * DAY);
      await putMany(6);
      await purge();
      const row = await middleRow();
      await disableAppendOnly();
      await db().updateTable('activities').set({ details: 'x' }).where('id', '=', row.id).execute();
      const fresh = await signIn(t.app, acme.admin.username);
      expect((await verify(fresh)).firstBroken).toMatchObject({ seq: row.seq, problem: 'altered' });
    });

    it('only ever takes the oldest links: a row recorded before the cutoff but after a newer one stays', async () => {
      const now = clock.now();
      const event = (target: string) => ({
        occurredAt: now,
        userId: null,
        username: 'system',
        activity: 'backup',
        status: 'success',
        target,
      });
      const append = (target: string, recordedAt: number) =>
        db()
          .transaction()
          .execute((trx) => recordActivities(trx, acme.orgId, [event(target)], recordedAt));
      // The org's first links were recorded now, inside the window; this one claims a time long past.
      await append('behind', now - 500 * DAY);
      const [result] = (await purge()).filter((r) => r.orgId === acme.orgId);
      const targets = (await chain()).map((r) => r.target);
      expect(targets).toContain('behind');
      expect(result?.purged).toBe(0);
      expect((await verify(await signIn(t.app, acme.admin.username))).ok).toBe(true);
    });

    it('purges more than one batch (10,000 rows) and the rest still verifies', async () => {
      await putMany(10_500);
      setClock(clock.now() + 401 * DAY);
      await putMany(3);
      const expired = (await chain()).filter((r) => r.recordedAt < clock.now() - 400 * DAY).length;
      expect(expired).toBeGreaterThan(10_500);
      const [result] = (await purge()).filter((r) => r.orgId === acme.orgId);
      expect(result?.purged).toBe(expired);
      const rows = await chain();
      expect(rows).toHaveLength(4);
      const fresh = await signIn(t.app, acme.admin.username);
      expect(await verify(fresh)).toMatchObject({ ok: true, checked: 5 });
    });
  });
});
