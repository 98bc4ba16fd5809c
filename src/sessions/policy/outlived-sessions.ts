import type { Kysely } from 'kysely';
import type { Schema } from '../../db/schema.js';
import type { FreshestAccess } from '../freshest-access.js';
import { endSessionRowsEach, noPendingEnding, type OwnEnding } from '../session-endings.repository.js';
import { lifetimeEndsAt, type SessionLimits } from './session-limits.js';

type Db = Kysely<Schema>;

/**
 * Ends, as the sweeper would (`idle` / `expired`, at the moment each ran out), every session of
 * the org that is over by `limits` (the ones in force until now) as the per-request check here
 * judges it. Called in the transaction of a policy change, before the new limits apply: the check
 * reads the limits in force with every request, so a higher limit would otherwise bring back a
 * session that ran out and that no sweep has marked ended yet. Answers how many it ended.
 */
export async function endOutlivedSessions(
  trx: Db,
  org: { orgId: string; limits: SessionLimits; now: number },
  access: Pick<FreshestAccess, 'latestAccessAt'>,
): Promise<number> {
  const { orgId, limits, now } = org;
  // By the stored access, a superset: an access not written yet can only keep a session live.
  const rows = await trx
    .selectFrom('sessions as s')
    .select(['s.id', 's.createdAt', 's.expiresAt', 's.lastAccessAt', 's.lastUsedOn'])
    .where('s.orgId', '=', orgId)
    .where('s.revokedAt', 'is', null)
    .where((eb) =>
      eb.or([
        eb('s.expiresAt', '<=', now),
        eb('s.createdAt', '<=', now - limits.maxMs),
        eb('s.lastAccessAt', '<=', now - limits.idleMs),
      ]),
    )
    .where(noPendingEnding(trx, 's.id'))
    .execute();
  const endings: OwnEnding[] = [];
  for (const row of rows) {
    const session = {
      ...row,
      createdAt: Number(row.createdAt),
      expiresAt: Number(row.expiresAt),
      lastAccessAt: Number(row.lastAccessAt),
    };
    const lifeEndsAt = lifetimeEndsAt(session, limits.maxMs);
    const idleEndsAt = access.latestAccessAt(session) + limits.idleMs;
    if (now < lifeEndsAt && now < idleEndsAt) continue;
    endings.push(
      lifeEndsAt <= idleEndsAt
        ? { sessionId: row.id, at: lifeEndsAt, reason: 'expired' }
        : { sessionId: row.id, at: idleEndsAt, reason: 'idle' },
    );
  }
  return (await endSessionRowsEach(trx, endings)).length;
}
