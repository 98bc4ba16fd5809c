import type { Kysely } from 'kysely';
import { ACTIVITY } from '../activity/activity-names.js';
import { actorEvent } from '../activity/actor-event.js';
import { recordActivities } from '../activity/chain/record.js';
import type { Schema } from '../db/schema.js';
import { operatorActor } from '../kernel/actor.js';
import { newId } from '../kernel/ids.js';
import { canonicalUsername } from '../kernel/username.js';
import { insertUsersSkippingTaken, usersNamedInOrg } from './accounts.repository.js';
import { assertPasswordPolicy, hashPassword } from './passwords.js';

/** A demo user as a session row needs them. */
export interface DemoUser {
  id: string;
  username: string;
  createdAt: number;
}

/**
 * Adds the demo's crowd of users (role `user`) to an org, each with `user.created`, and answers
 * those of the org among `usernames`: the ones added and the ones an earlier run added. A name
 * taken in another org is left out.
 *
 * They all get one argon2 hash of the demo password: hashing it thousands of times would take
 * minutes, and the password is the published demo one anyway.
 */
export async function createDemoUsers(
  db: Kysely<Schema>,
  input: { orgId: string; usernames: readonly string[]; password: string; now: number },
): Promise<DemoUser[]> {
  const usernames = input.usernames.map((name) => canonicalUsername(name));
  for (const username of usernames) assertPasswordPolicy(input.password, username);
  const existing = new Set((await usersNamedInOrg(db, input.orgId, usernames)).map((u) => u.username));
  const missing = usernames.filter((username) => !existing.has(username));
  if (missing.length > 0) {
    const passwordHash = await hashPassword(input.password);
    const rows = missing.map((username) => ({
      id: newId(),
      orgId: input.orgId,
      username,
      passwordHash,
      role: 'user' as const,
      disabledAt: null,
      createdAt: input.now,
      passwordChangedAt: input.now,
    }));
    const operator = operatorActor(input.orgId);
    await db.transaction().execute(async (trx) => {
      await insertUsersSkippingTaken(trx, rows);
      const added = await usersNamedInOrg(trx, input.orgId, missing);
      await recordActivities(
        trx,
        input.orgId,
        added.map((user) =>
          actorEvent(operator, input.now, ACTIVITY.USER_CREATED, `${user.username} (user)`),
        ),
        input.now,
      );
    });
  }
  return usersNamedInOrg(db, input.orgId, usernames);
}
