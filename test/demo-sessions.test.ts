import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { isDemoUsername } from '../src/accounts/demo-people.js';
import type { Session, SessionPage } from '../src/contracts/sessions.js';
import { nameWithoutVersion } from '../src/sessions/client-info.js';
import { runCli } from './helpers/cli.js';
import { describeEachEngine, POSTGRES_URL } from './helpers/engines.js';
import { as, type SignedIn, seedOrg, signIn } from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DEMO_PASSWORD = 'demo password 2026';
const MINUTE_MS = 60_000;
// Each run starts a process that loads the sources through tsx: seconds on a busy machine.
const SLOW = 180_000;

/**
 * `demo --sessions N`, run as the operator runs it (a child process on the test's own database),
 * seen through the list API as the console sees it.
 */
describeEachEngine('demo --sessions: a crowd of live sessions', (engine) => {
  let t: TestApp;

  beforeEach(async () => {
    t = await createTestApp(engine);
  });
  afterEach(() => t.close());

  const databaseUrl = () => {
    const { database } = t.config;
    if (database.engine === 'sqlite') return `sqlite:${database.path}`;
    const separator = (POSTGRES_URL as string).includes('?') ? '&' : '?';
    return `${POSTGRES_URL}${separator}schema=${t.database.postgresSchema}`;
  };
  const demo = async (args: string[]) => {
    const run = await runCli(['demo', '--activities', '0', ...args], {
      env: { DATABASE_URL: databaseUrl() },
    });
    expect(run.code, run.stderr).toBe(0);
    return run;
  };

  /** Every live session the admin sees, page by page (500 a page, through nextCursor). */
  async function listAll(admin: SignedIn, query = ''): Promise<{ sessions: Session[]; total: number }> {
    const sessions: Session[] = [];
    let cursor: string | null = null;
    let total = -1;
    do {
      const after: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const response = await as(t.app, admin).get(`/api/sessions?limit=500${query}${after}`);
      expect(response.statusCode, response.body).toBe(200);
      const page = response.json() as SessionPage;
      if (total === -1) total = page.total;
      sessions.push(...page.sessions);
      cursor = page.nextCursor;
    } while (cursor);
    return { sessions, total };
  }

  it(
    'creates N live sessions of 1,000+ users from many countries and browsers, each used in the last 10 minutes, a few flagged',
    async () => {
      const run = await demo(['--sessions', '2000']);
      expect(run.stdout).toMatch(/2000 live sessions of 1000 users in [\d.]+ s/);
      const admin = await signIn(t.app, 'demo-org-admin', { password: DEMO_PASSWORD });
      const startedAt = Date.now();

      const { sessions, total } = await listAll(admin);
      expect(total).toBe(sessions.length);
      const crowd = sessions.filter((s) => isDemoUsername(s.username, 'demo-org'));
      expect(crowd).toHaveLength(2000);
      expect(new Set(crowd.map((s) => s.userId)).size).toBeGreaterThanOrEqual(1000);
      expect(new Set(crowd.map((s) => s.countryCode)).size).toBeGreaterThanOrEqual(20);
      expect(new Set(crowd.map((s) => s.city)).size).toBeGreaterThanOrEqual(30);
      expect(new Set(crowd.map((s) => s.browser)).size).toBeGreaterThanOrEqual(5);
      expect(new Set(crowd.map((s) => s.os)).size).toBeGreaterThanOrEqual(5);
      expect(new Set(crowd.map((s) => s.deviceType))).toEqual(new Set(['Desktop', 'Mobile', 'Tablet']));
      // An org partway through its MFA roll-out: some sessions with a second factor, some without.
      const withMfa = crowd.filter((s) => s.mfa).length;
      expect(withMfa).toBeGreaterThan(crowd.length / 4);
      expect(withMfa).toBeLessThan((crowd.length * 3) / 4);
      for (const session of crowd) {
        const lastAccess = Date.parse(session.lastAccessAt);
        expect(startedAt - lastAccess).toBeLessThan(10 * MINUTE_MS + MINUTE_MS);
        expect(startedAt - Date.parse(session.createdAt)).toBeLessThan(12 * 60 * MINUTE_MS + MINUTE_MS);
        expect(Date.parse(session.createdAt)).toBeLessThanOrEqual(lastAccess);
        expect(session.countryCode).not.toBeNull();
      }

      const travelled = await listAll(admin, '&flag=impossible_travel');
      expect(travelled.total).toBeGreaterThanOrEqual(1);
      for (const session of travelled.sessions) {
        expect(session.travel?.speedKmh).toBeGreaterThan(1_000);
        expect(crowd.some((s) => s.id === session.travel?.fromSessionId && s.userId === session.userId)).toBe(
          true,
        );
      }
      expect((await listAll(admin, '&flag=new_country')).total).toBeGreaterThanOrEqual(1);

      // The derived columns the filters read are those a login writes.
      const sample = crowd[0] as Session;
      const stored = await t.database.db
        .selectFrom('sessions')
        .select(['osName', 'browserName', 'search', 'tokenHash'])
        .where('id', '=', sample.id)
        .executeTakeFirstOrThrow();
      expect(stored.osName).toBe(nameWithoutVersion(sample.os));
      expect(stored.browserName).toBe(nameWithoutVersion(sample.browser));
      expect(stored.search).toBe(`${sample.username}\n${(sample.city ?? '').toLowerCase()}`);
      expect(stored.tokenHash).toMatch(/^[0-9a-f]{64}$/);
      const byCity = await listAll(admin, `&q=${encodeURIComponent((sample.city ?? '').toLowerCase())}`);
      expect(byCity.sessions.map((s) => s.id)).toContain(sample.id);

      // The crowd shares the demo password, hashed once.
      await signIn(t.app, sample.username, { password: DEMO_PASSWORD });
    },
    SLOW,
  );

  it(
    '--org adds to an existing org: its crowd reused, and to an org of real users only with --force',
    async () => {
      await demo(['--org', 'Crowd Org', '--sessions', '300']);
      const again = await demo(['--org', 'Crowd Org', '--sessions', '200']);
      expect(again.stdout).toContain('created no users');
      const admin = await signIn(t.app, 'crowd-org-admin', { password: DEMO_PASSWORD });
      const { sessions } = await listAll(admin);
      const crowd = sessions.filter((s) => isDemoUsername(s.username, 'crowd-org'));
      expect(crowd).toHaveLength(500);
      // The second run's sessions went to the first run's users: none was added.
      const org = await t.database.db
        .selectFrom('orgs')
        .select('id')
        .where('name', '=', 'Crowd Org')
        .executeTakeFirstOrThrow();
      const users = await t.database.db
        .selectFrom('users')
        .select('username')
        .where('orgId', '=', org.id)
        .execute();
      expect(users.filter((u) => isDemoUsername(u.username, 'crowd-org'))).toHaveLength(300);
      expect(new Set(crowd.map((s) => s.userId)).size).toBeGreaterThan(280);

      const acme = await seedOrg(t.app, 'acme');
      const refused = await runCli(['demo', '--org', 'acme', '--sessions', '50', '--activities', '0'], {
        env: { DATABASE_URL: databaseUrl() },
        cwd: ROOT,
      });
      expect(refused.code).not.toBe(0);
      await demo(['--org', 'acme', '--sessions', '50', '--force']);
      const acmeAdmin = await signIn(t.app, acme.admin.username);
      const acmeSessions = await listAll(acmeAdmin);
      expect(acmeSessions.sessions.filter((s) => isDemoUsername(s.username, 'acme'))).toHaveLength(50);
    },
    SLOW,
  );
});
