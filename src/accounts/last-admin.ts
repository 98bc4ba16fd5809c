import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { AppError } from '../kernel/errors.js';
import { countActiveAdmins, lockOrgAdmins } from './org-admins.repository.js';

/**
 * Runs `change` (a disable or a demotion) inside `trx` and refuses it, rolling it back, when it
 * took away the org's last active admin: nobody could then manage its users or sessions. `change`
 * answers whether it took an active admin away.
 *
 * The change is written first and the admins counted after it, under the org's lock: two admins
 * disabling each other at once are counted one after the other, so the second is refused.
 */
export async function keepingAnActiveAdmin(
  trx: Kysely<Schema>,
  target: { orgId: string; username: string },
  change: () => Promise<{ removedActiveAdmin: boolean }>,
): Promise<void> {
  await lockOrgAdmins(trx, target.orgId);
  const { removedActiveAdmin } = await change();
  if (removedActiveAdmin && (await countActiveAdmins(trx, target.orgId)) === 0) {
    throw new AppError(
      'LAST_ADMIN',
      `"${target.username}" is the org's last active admin: make another user an admin first`,
    );
  }
}
