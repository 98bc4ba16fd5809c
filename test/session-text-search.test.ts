import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { toSessionQuery } from '../src/sessions/session-filter.js';
import { countSessions, listSessionPage, type SessionQuery } from '../src/sessions/session-query.js';
import { filterColumns } from '../src/sessions/session-row.js';
import { fewTextCandidates } from '../src/sessions/session-text-match.js';
import { describeEachEngine } from './helpers/engines.js';
import { type SeededOrg, seedOrg } from './helpers/factories.js';
import { insertSessionRows } from './helpers/session-rows.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const MINUTE = 60_000;

/** Names, cities and addresses full of what LIKE would read as wildcards or escapes. */
const USERNAMES = ['al_ice', 'bob%jones', 'c\\dee', 'anna.smith@acme', 'zoë', 'ivan_ov%'] as const;
const CITIES = ['Berlin', 'München', 'A%b_c', 'Back\\slash', 'İzmir', 'São Paulo', '', null] as const;
const IPS = ['203.0.113.7', '2001:db8::5', '198.51.100.20', '10.0.0.1', '10.0.0.10'] as const;

/** What `q` should find, said without SQL: an address prefix, or a substring of the search text. */
function expected(q: string, row: { publicIp: string; search: string }): boolean {
  return row.publicIp.startsWith(q) || row.search.includes(q);
}

/** Pieces of the stored values, and the characters LIKE treats specially, to build `q`s from. */
const PIECES: string[] = [
  ...USERNAMES,
  ...(CITIES.filter((c) => c !== null && c !== '') as string[]),
  ...IPS,
  '%',
  '_',
  '\\',
  '%%',
  '\\%',
  '\\_',
  'a',
  'ü',
  'i̇',
  '.',
  ':',
  '\n',
];
const qArb = fc.oneof(
  fc
    .tuple(fc.constantFrom(...PIECES), fc.nat(), fc.nat())
    .map(([piece, from, length]) =>
      piece.slice(from % piece.length, (from % piece.length) + 1 + (length % 6)),
    ),
  fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 3 }).map((parts) => parts.join('')),
  fc.string({ minLength: 1, maxLength: 6, unit: fc.constantFrom('a', 'b', '%', '_', '\\', 'É', '1', '.') }),
);

/**
 * The text filter `q` finds the same sessions on each engine, whatever the engine-specific SQL
 * (LIKE and trigrams on PostgreSQL, instr on SQLite): a q's wildcards and backslashes are text.
 */
describeEachEngine('the session list’s text filter', (engine) => {
  let t: TestApp;
  let org: SeededOrg;
  const now = Date.now();
  const rows: Array<{ id: string; publicIp: string; search: string; lastAccessAt: number; live: boolean }> =
    [];

  beforeAll(async () => {
    t = await createTestApp(engine);
    org = await seedOrg(t.app);
    const specs = Array.from({ length: 120 }, (_, i) => {
      const username = USERNAMES[i % USERNAMES.length] as string;
      const city = CITIES[Math.floor(i / USERNAMES.length) % CITIES.length] ?? null;
      return {
        orgId: org.orgId,
        userId: org.user.id,
        username,
        city,
        publicIp: IPS[i % IPS.length] as string,
        lastAccessAt: now - (i % 7) * MINUTE,
        revokedAt: i % 11 === 0 ? now - MINUTE : null,
      };
    });
    const inserted = await insertSessionRows(t.database, specs);
    for (const [i, spec] of specs.entries()) {
      rows.push({
        id: inserted[i]?.id as string,
        publicIp: spec.publicIp,
        search: filterColumns(spec.username, { os: 'Windows 11', browser: 'Chrome 131' }, spec.city).search,
        lastAccessAt: spec.lastAccessAt,
        live: spec.revokedAt === null,
      });
    }
  });
  afterAll(() => t.close());
  const base = { orgId: '', now, idleMs: 30 * MINUTE, maxMs: 12 * 60 * MINUTE };
  beforeAll(() => {
    base.orgId = org.orgId;
  });

  it('finds exactly the sessions whose address starts with q or whose name or city contains it', async () => {
    await fc.assert(
      fc.asyncProperty(qArb, async (typed) => {
        const { q } = toSessionQuery({ q: typed });
        if (q === undefined) return;
        const want = rows
          .filter((row) => row.live && expected(q, row))
          .map((row) => row.id)
          .sort();
        // Both ways SQLite may read it: walking the org's index, or the text index's candidates first.
        const few = await fewTextCandidates(t.database.db, org.orgId, q);
        for (const candidatesFirst of new Set([false, few])) {
          const query: SessionQuery = { ...base, q, candidatesFirst };
          const page = await listSessionPage(t.database.db, query, {
            sort: 'lastAccessAt',
            order: 'desc',
            limit: 200,
          });
          // As a set: the order of ids that tie on last access is each engine's collation's.
          expect(page.map((row) => row.id).sort()).toEqual(want);
          expect(await countSessions(t.database.db, query, 10_000)).toBe(want.length);
        }
      }),
      { numRuns: 150 },
    );
  });

  it.runIf(engine === 'sqlite')(
    'the text index follows a session from login until its row is deleted',
    async () => {
      const username = 'qxj-unique@acme';
      const [session] = await insertSessionRows(t.database, [
        { orgId: org.orgId, userId: org.user.id, username, city: 'Nowhere', lastAccessAt: now },
      ]);
      const found = async () => {
        const query: SessionQuery = { ...base, q: 'qxj-uni', candidatesFirst: true };
        return (
          await listSessionPage(t.database.db, query, { sort: 'lastAccessAt', order: 'desc', limit: 10 })
        ).map((row) => row.id);
      };
      expect(await fewTextCandidates(t.database.db, org.orgId, 'qxj-uni')).toBe(true);
      expect(await found()).toEqual([session?.id]);
      await t.database.db
        .updateTable('sessions')
        .set({ revokedAt: now, revokedReason: 'logout' })
        .where('id', '=', session?.id as string)
        .execute();
      // Ended, it stays in the text index (revocations leave it alone) but not in the list.
      expect(await found()).toEqual([]);
      const indexed = () =>
        sql<{
          n: number;
        }>`select count(*) as n from session_search where session_search match ${'"qxj-uni"'}`.execute(
          t.database.db,
        );
      expect(Number((await indexed()).rows[0]?.n)).toBe(1);
      await t.database.db
        .deleteFrom('sessions')
        .where('id', '=', session?.id as string)
        .execute();
      expect(Number((await indexed()).rows[0]?.n)).toBe(0);
    },
  );
});
