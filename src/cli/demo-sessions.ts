import { demoUsername } from '../accounts/demo-people.js';
import type { CliContext } from './context.js';
import { createProgressBar } from './progress.js';

/** At least this many users share the sessions (PRODUCT.md), or one a session when there are fewer. */
const MIN_USERS = 1_000;
/** Sessions a user has on average in a big crowd: a laptop, a phone, an older tab. */
const SESSIONS_PER_USER = 5;

/** The crowd's share of the demo: users named firstname.lastname@<slug>, and `count` live sessions of theirs. */
export async function addDemoSessions(
  context: CliContext,
  input: { orgId: string; slug: string; count: number; password: string },
): Promise<{ users: number; sessions: number; seconds: number }> {
  const started = performance.now();
  const wanted = Math.min(input.count, Math.max(MIN_USERS, Math.ceil(input.count / SESSIONS_PER_USER)));
  const usernames = Array.from({ length: wanted }, (_, i) => demoUsername(i, input.slug));
  const users = await context.accounts.createDemoUsers({
    orgId: input.orgId,
    usernames,
    password: input.password,
  });
  if (users.length < wanted) {
    process.stderr.write(`warning: ${wanted - users.length} demo username(s) are taken in another org\n`);
  }
  const bar = createProgressBar('sessions', input.count);
  const sessions = await context.sessions.createDemoSessions({
    orgId: input.orgId,
    users,
    count: input.count,
    onProgress: (written) => bar.update(written),
  });
  bar.stop();
  return { users: users.length, sessions, seconds: (performance.now() - started) / 1000 };
}
