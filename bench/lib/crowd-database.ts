import { sql } from 'kysely';
import { demoUsername } from '../../src/accounts/demo-people.js';
import { openCliContext } from '../../src/cli/context.js';
import { loadConfig } from '../../src/kernel/config.js';
import { generateSessionToken, hashToken } from '../../src/sessions/tokens.js';

export interface CrowdPlan {
  /** Live sessions of the measured org. */
  live: number;
  /** Sessions in the whole database: the rest are ended ones and other orgs'. */
  total: number;
  /** Live sessions of the measured org a Logout by filter will end (`browser=Bench`). */
  logoutTarget: number;
  /** Of those, how many get a token the bench knows (to see them refused). */
  knownTokens: number;
}

export interface CrowdDatabase {
  orgId: string;
  admin: { username: string; password: string };
  /** A user of the org with live sessions, for the user filters. */
  user: { id: string; username: string };
  tokens: string[];
  loadSeconds: number;
  rows: number;
}

const PASSWORD = 'bench crowd password 1';
const OTHER_ORGS = 4;
const OTHER_ORG_USERS = 2_000;

/**
 * The database of the sessions-list bench, through the demo's bulk writer: the measured org's
 * `live` sessions (1 user per 5), four other orgs with a quarter of that each, and enough ended
 * sessions (the measured org's twice its live ones, the rest the other orgs') to make `total`.
 * The ended ones first and the measured org's last, so its sessions are the freshest when
 * measuring starts. Then `logoutTarget` of its live sessions get the browser "Bench 1" and
 * `knownTokens` of those a token the bench holds; then ANALYZE (PostgreSQL: VACUUM ANALYZE, as
 * autovacuum would do after such a load).
 */
export async function loadCrowdDatabase(databaseUrl: string, plan: CrowdPlan): Promise<CrowdDatabase> {
  const started = performance.now();
  const context = await openCliContext(
    { access: 'create', geo: true },
    loadConfig({ DATABASE_URL: databaseUrl }),
  );
  try {
    const { accounts, sessions } = context;
    const db = context.database.db;
    const admin = { username: 'bench-admin', password: 'bench admin password 1' };
    const { org } = await accounts.createOrgWithAdmin({ orgName: 'Bench Org', ...admin });
    const users = await accounts.createDemoUsers({
      orgId: org.id,
      usernames: Array.from({ length: Math.ceil(plan.live / 5) }, (_, i) => demoUsername(i, 'bench-org')),
      password: PASSWORD,
    });
    const others = [];
    for (let i = 1; i <= OTHER_ORGS; i++) {
      const other = await accounts.createOrgWithAdmin({
        orgName: `Other Org ${i}`,
        username: `other-admin-${i}`,
        password: admin.password,
      });
      const slug = `other-org-${i}`;
      others.push({
        orgId: other.org.id,
        users: await accounts.createDemoUsers({
          orgId: other.org.id,
          usernames: Array.from({ length: OTHER_ORG_USERS }, (_, n) => demoUsername(n, slug)),
          password: PASSWORD,
        }),
      });
    }
    const otherLive = Math.floor(plan.live / 4);
    const ownEnded = 2 * plan.live;
    const otherEnded = Math.max(0, Math.floor((plan.total - plan.live - ownEnded) / OTHER_ORGS) - otherLive);
    let rows = 0;
    const step = async (label: string, orgId: string, list: typeof users, count: number, ended: boolean) => {
      const at = performance.now();
      rows += await sessions.createDemoSessions({ orgId, users: list, count, ended });
      console.log(`  ${label}: ${count} in ${((performance.now() - at) / 1000).toFixed(1)} s`);
    };
    await step('measured org, ended', org.id, users, ownEnded, true);
    for (const [i, other] of others.entries()) {
      await step(`other org ${i + 1}, ended`, other.orgId, other.users, otherEnded, true);
      await step(`other org ${i + 1}, live`, other.orgId, other.users, otherLive, false);
    }
    await step('measured org, live', org.id, users, plan.live, false);

    // The Logout target: a random sample of the org's live sessions, given a browser nobody has.
    const target = await db
      .selectFrom('sessions')
      .select('id')
      .where('orgId', '=', org.id)
      .where('revokedAt', 'is', null)
      .orderBy(sql`random()`)
      .limit(plan.logoutTarget)
      .execute();
    const ids = target.map((row) => row.id);
    for (let at = 0; at < ids.length; at += 1_000) {
      await db
        .updateTable('sessions')
        .set({ browser: 'Bench 1', browserName: 'bench' })
        .where('id', 'in', ids.slice(at, at + 1_000))
        .execute();
    }
    const tokens: string[] = [];
    for (const id of ids.slice(0, plan.knownTokens)) {
      const token = generateSessionToken();
      await db
        .updateTable('sessions')
        .set({ tokenHash: hashToken(token) })
        .where('id', '=', id)
        .execute();
      tokens.push(token);
    }
    const user = await db
      .selectFrom('sessions')
      .select(['userId as id', 'username'])
      .where('orgId', '=', org.id)
      .where('revokedAt', 'is', null)
      .where('browserName', '<>', 'bench')
      .offset(Math.floor(plan.live / 2))
      .limit(1)
      .executeTakeFirstOrThrow();
    await sql.raw(context.database.engine === 'postgres' ? 'vacuum analyze' : 'analyze').execute(db);
    return {
      orgId: org.id,
      admin,
      user,
      tokens,
      loadSeconds: (performance.now() - started) / 1000,
      rows,
    };
  } finally {
    await context.close();
  }
}
