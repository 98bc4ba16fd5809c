import type { Kysely } from 'kysely';
import { type ActivityEvent, recordActivities } from '../activity/chain/record.js';
import type { Schema } from '../db/schema.js';
import type { Role } from '../kernel/actor.js';
import { newId } from '../kernel/ids.js';
import { insertUser } from './accounts.repository.js';
import type { UserRow } from './accounts.table.js';

/** A new user's row: enabled, its password set now. */
export function newUserRow(input: {
  orgId: string;
  username: string;
  passwordHash: string;
  role: Role;
  now: number;
}): UserRow {
  return {
    id: newId(),
    orgId: input.orgId,
    username: input.username,
    passwordHash: input.passwordHash,
    role: input.role,
    disabledAt: null,
    createdAt: input.now,
    passwordChangedAt: input.now,
  };
}

/**
 * Inserts the user and records its creation in one commit. A name taken meanwhile fails on the
 * unique index; the caller decides what that means (a 409, or the user a concurrent login made).
 */
export async function insertUserRecorded(
  db: Kysely<Schema>,
  user: UserRow,
  event: ActivityEvent,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await insertUser(trx, user);
    await recordActivities(trx, user.orgId, [event], user.createdAt);
  });
}
