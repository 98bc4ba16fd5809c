import type { Command } from 'commander';
import { sql } from 'kysely';
import { isDemoUsername } from '../accounts/demo-people.js';
import { recordActivities } from '../activity/chain/record.js';
import { generateDemoActivities } from '../activity/demo-data.js';
import { operatorActor } from '../kernel/actor.js';
import { AppError } from '../kernel/errors.js';
import { DAY_MS } from '../kernel/time.js';
import type { CliContext } from './context.js';
import { withContext } from './context.js';
import { addDemoSessions } from './demo-sessions.js';
import { createProgressBar } from './progress.js';
import { formatCells } from './table.js';

const BATCH = 5_000;
/** A bound that keeps a typo from filling the disk. */
const MAX_SESSIONS = 10_000_000;

/** Real-world clients: where and on what the demo users are logged in. */
const CLIENTS = [
  {
    ip: '8.8.8.8',
    userAgent:
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    hints: { 'sec-ch-ua-platform': '"Windows"', 'sec-ch-ua-platform-version': '"15.0.0"' },
  },
  {
    ip: '81.2.69.142',
    userAgent:
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15',
    hints: {},
  },
  {
    ip: '2a02:908::1',
    userAgent:
      'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
    hints: {},
  },
  {
    ip: '94.142.241.111',
    userAgent:
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
    hints: {},
  },
  {
    ip: '1.1.1.1',
    userAgent:
      'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
    hints: {},
  },
  {
    ip: '185.60.216.35',
    userAgent: 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
    hints: {},
  },
  {
    ip: '203.208.60.1',
    userAgent:
      'Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1',
    hints: {},
  },
];
const USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace'];

interface DemoOptions {
  org: string;
  activities: string;
  months: string;
  sessions: string;
  password: string;
  force?: boolean;
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'create a demo org: users, sessions from real-world IPs and browsers, and N activities over 13 months',
    )
    .option('--org <name>', 'org name', 'Demo Org')
    .option('--activities <n>', 'how many activities', '10000')
    .option('--months <n>', 'spread the activities over this many months', '13')
    .option(
      '--sessions <n>',
      'also N live sessions (used within 10 minutes) of 1,000+ more users, from real addresses and browsers',
      '0',
    )
    .option('--password <password>', "every demo user's password", 'demo password 2026')
    .option('--force', 'add the demo users (known password) even to an org that has users of its own')
    .action((options: DemoOptions) => withContext((context) => runDemo(context, options), { geo: true }));
}

async function runDemo(context: CliContext, options: DemoOptions): Promise<void> {
  const count = Number(options.activities);
  const months = Number(options.months);
  if (!Number.isInteger(count) || count < 0)
    throw new AppError('INVALID_INPUT', '--activities must be a whole number');
  if (!Number.isInteger(months) || months < 1)
    throw new AppError('INVALID_INPUT', '--months must be at least 1');
  const sessionCount = Number(options.sessions);
  if (!Number.isInteger(sessionCount) || sessionCount < 0 || sessionCount > MAX_SESSIONS)
    throw new AppError('INVALID_INPUT', `--sessions must be a whole number up to ${MAX_SESSIONS}`);
  const slug =
    options.org
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'demo';
  const db = context.database.db;

  const created: { username: string; role: string }[] = [];
  let org = await context.accounts.orgNamed(options.org);
  if (org) {
    await refuseOrgWithRealUsers(context, org, slug, options);
  } else {
    await context.accounts.createOrgWithAdmin({
      orgName: options.org,
      username: `${slug}-admin`,
      password: options.password,
    });
    created.push({ username: `${slug}-admin`, role: 'admin' });
    org = await context.accounts.orgNamed(options.org);
  }
  if (!org) throw new Error('demo org was not created');
  const users = [];
  for (const name of USERS) {
    const username = `${name}@${slug}`;
    const existing = await context.accounts.userNamed(username);
    if (existing) {
      users.push(existing);
      continue;
    }
    const role = name === 'alice' ? 'admin' : 'user';
    users.push(
      await context.accounts.createUser(operatorActor(org.id), {
        username,
        password: options.password,
        role,
      }),
    );
    created.push({ username, role });
  }
  const admin = await context.accounts.userNamed(`${slug}-admin`);
  if (admin) users.push(admin);

  for (const [index, user] of users.entries()) {
    const client = CLIENTS[index % CLIENTS.length] as (typeof CLIENTS)[number];
    await context.sessions.login({
      username: user.username,
      password: options.password,
      ip: client.ip,
      headers: { 'user-agent': client.userAgent, ...client.hints },
    });
  }

  if (sessionCount > 0) {
    const crowd = await addDemoSessions(context, {
      orgId: org.id,
      slug,
      count: sessionCount,
      password: options.password,
    });
    process.stdout.write(
      `${crowd.sessions} live sessions of ${crowd.users} users in ${crowd.seconds.toFixed(1)} s ` +
        `(${Math.round(crowd.sessions / Math.max(crowd.seconds, 0.001))} sessions/s); ` +
        `the users' password is "${options.password}"\n`,
    );
  }

  const now = Date.now();
  const from = new Date(now).setUTCMonth(new Date(now).getUTCMonth() - months);
  const bar = createProgressBar('activities', count);
  const started = performance.now();
  let written = 0;
  for (const batch of generateDemoActivities({
    count,
    from,
    to: now - DAY_MS / 24,
    users,
    batchSize: BATCH,
  })) {
    // Recorded when they happened: retention then treats demo history like real history.
    const recordedAt = (batch[batch.length - 1] as (typeof batch)[number]).occurredAt;
    await db.transaction().execute((trx) => recordActivities(trx, org.id, batch, recordedAt));
    written += batch.length;
    bar.update(written);
  }
  bar.stop();
  await sql`analyze`.execute(db);
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(
    `demo org "${options.org}": ${users.length} users, ` +
      `${users.length} sessions, ${written} activities in ${seconds.toFixed(1)} s ` +
      `(${Math.round(written / Math.max(seconds, 0.001))} rows/s)\n`,
  );
  process.stdout.write(
    created.length === 0
      ? 'created no users (the demo users were there already, their passwords unchanged)\n'
      : `created these users, each with the password "${options.password}":\n` +
          formatCells(
            ['USERNAME', 'ROLE'],
            created.map((u) => [u.username, u.role]),
          ),
  );
}

/**
 * Demo users have a password anyone can read in the README: added to an org that has users of
 * its own, they would be a way in. Only with --force.
 */
async function refuseOrgWithRealUsers(
  context: CliContext,
  org: { id: string; name: string },
  slug: string,
  options: DemoOptions,
): Promise<void> {
  const demoNames = new Set([`${slug}-admin`, ...USERS.map((name) => `${name}@${slug}`)]);
  const own = (await context.accounts.listUserOverview(operatorActor(org.id))).filter(
    (user) => !demoNames.has(user.username) && !isDemoUsername(user.username, slug),
  );
  if (own.length === 0) return;
  if (!options.force) {
    throw new AppError(
      'CONFLICT',
      `org "${org.name}" has ${own.length} user(s) the demo did not create (such as "${own[0]?.username}"); ` +
        'demo users with a known password would be a way into it: pick another --org, or add --force',
    );
  }
  process.stderr.write(
    `warning: adding demo users with a known password to "${org.name}", which has users of its own\n`,
  );
}
