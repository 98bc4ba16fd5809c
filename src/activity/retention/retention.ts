import { type Kysely, sql } from 'kysely';
import { isPostgres } from '../../db/dialect.js';
import type { Schema } from '../../db/schema.js';
import { DAY_MS } from '../../kernel/time.js';
import { ACTIVITY } from '../activity-names.js';
import { recordActivities } from '../chain/record.js';
import { subtractPurgedHourCounts } from '../counts/hour-counts.repository.js';

const PURGE_BATCH = 10_000;

export interface PurgeResult {
  orgId: string;
  purged: number;
}

/**
 * Deletes each org's activities recorded before the retention window, oldest first and in
 * batches, moving the chain's anchor to the last deleted link so what remains still verifies.
 * Rows go by the time they were recorded, not by the time the event claims, and only as a prefix
 * of the chain: the first link recorded at or after the cutoff ends it. Appends running side by
 * side take their time before the lock, so around the cutoff the order may differ by milliseconds.
 */
export async function purgeExpiredActivities(
  db: Kysely<Schema>,
  options: { now: number; retentionDays: number; onProgress?: (purged: number) => void },
): Promise<PurgeResult[]> {
  const cutoff = options.now - options.retentionDays * DAY_MS;
  const orgs = await db.selectFrom('activityChainHeads').select('orgId').execute();
  const results: PurgeResult[] = [];
  let total = 0;
  for (const { orgId } of orgs) {
    let purged = 0;
    for (;;) {
      const deleted = await db.transaction().execute(async (trx) => {
        // Serialises purges (several instances run one daily) with each other and with appends.
        const lockHead = trx.selectFrom('activityChainHeads').select('orgId').where('orgId', '=', orgId);
        await (isPostgres(trx) ? lockHead.forUpdate() : lockHead).execute();
        const through = await lastPurgedLink(trx, orgId, cutoff);
        if (!through) return 0;
        // The append-only trigger lets only this transaction delete, and only while it says so.
        if (isPostgres(trx)) await sql`set local vault.allow_purge = 'on'`.execute(trx);
        else await sql`insert into activity_purge_permits (id) values (1)`.execute(trx);
        await subtractPurgedHourCounts(trx, orgId, through.seq);
        const result = await trx
          .deleteFrom('activities')
          .where('id', 'in', (eb) =>
            eb
              .selectFrom('activityChainLinks')
              .select('activityId')
              .where('orgId', '=', orgId)
              .where('seq', '<=', through.seq),
          )
          .executeTakeFirst();
        await trx
          .deleteFrom('activityChainLinks')
          .where('orgId', '=', orgId)
          .where('seq', '<=', through.seq)
          .execute();
        if (!isPostgres(trx)) await sql`delete from activity_purge_permits`.execute(trx);
        await trx
          .updateTable('activityChainHeads')
          .set({ anchorSeq: through.seq, anchorHash: through.hash })
          .where('orgId', '=', orgId)
          .execute();
        return Number(result.numDeletedRows);
      });
      if (deleted === 0) break;
      purged += deleted;
      total += deleted;
      options.onProgress?.(total);
    }
    if (purged > 0) {
      await db.transaction().execute((trx) =>
        recordActivities(
          trx,
          orgId,
          [
            {
              occurredAt: options.now,
              userId: null,
              username: 'system',
              activity: ACTIVITY.ACTIVITY_PURGED,
              status: 'success',
              target: `${purged} activities recorded before ${new Date(cutoff).toISOString()}`,
              details: `retention ${options.retentionDays} days`,
            },
          ],
          options.now,
        ),
      );
    }
    results.push({ orgId, purged });
  }
  return results;
}

/**
 * The link a purge deletes through: the last of the chain's oldest links recorded before the
 * cutoff, at most PURGE_BATCH of them. It reads from the oldest link on and stops there, so it costs
 * the same whatever the table holds: searching all links for old rows walked the whole chain
 * (~9 s for 10M rows, bench:activity) while appends waited for the head.
 */
async function lastPurgedLink(
  trx: Kysely<Schema>,
  orgId: string,
  cutoff: number,
): Promise<{ seq: number; hash: string } | undefined> {
  const oldest = await trx
    .selectFrom('activityChainLinks as l')
    .innerJoin('activities as a', 'a.id', 'l.activityId')
    .select(['l.seq', 'l.hash', 'a.recordedAt'])
    .where('l.orgId', '=', orgId)
    .orderBy('l.seq')
    .limit(PURGE_BATCH)
    .execute();
  let through: { seq: number; hash: string } | undefined;
  for (const link of oldest) {
    if (link.recordedAt >= cutoff) break;
    through = { seq: link.seq, hash: link.hash };
  }
  return through;
}
