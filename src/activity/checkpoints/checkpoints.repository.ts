import type { Kysely } from 'kysely';
import type { Schema } from '../../db/schema.js';

/** The heads with at least one link that no checkpoint covers yet (of one org, or of all). */
export function selectUnsignedHeads(db: Kysely<Schema>, orgId?: string) {
  let query = db
    .selectFrom('activityChainHeads as h')
    .select(['h.orgId', 'h.seq', 'h.hash'])
    .where('h.seq', '>', 0)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('activityChainCheckpoints as c')
            .select('c.seq')
            .whereRef('c.orgId', '=', 'h.orgId')
            .whereRef('c.seq', '=', 'h.seq'),
        ),
      ),
    );
  if (orgId !== undefined) query = query.where('h.orgId', '=', orgId);
  return query.execute();
}

export interface NewCheckpoint {
  orgId: string;
  seq: number;
  headHash: string;
  signedAt: number;
  keyId: string;
  signature: string;
}

/** Stores a checkpoint unless its (org, seq) is signed already, here or by another instance. */
export async function insertCheckpoint(db: Kysely<Schema>, row: NewCheckpoint): Promise<boolean> {
  const result = await db
    .insertInto('activityChainCheckpoints')
    .values(row)
    .onConflict((c) => c.columns(['orgId', 'seq']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** An org's checkpoints, newest first, before `beforeSeq` when given. */
export function listCheckpoints(
  db: Kysely<Schema>,
  orgId: string,
  options: { limit: number; beforeSeq?: number },
) {
  let query = db.selectFrom('activityChainCheckpoints').selectAll().where('orgId', '=', orgId);
  if (options.beforeSeq !== undefined) query = query.where('seq', '<', options.beforeSeq);
  return query.orderBy('seq', 'desc').limit(options.limit).execute();
}

/** An org's checkpoints after `afterSeq` in seq order, each with the link stored at its seq (if any). */
export function selectCheckpointsWithLinks(
  db: Kysely<Schema>,
  orgId: string,
  afterSeq: number,
  limit: number,
) {
  return db
    .selectFrom('activityChainCheckpoints as c')
    .leftJoin('activityChainLinks as l', (join) =>
      join.onRef('l.orgId', '=', 'c.orgId').onRef('l.seq', '=', 'c.seq'),
    )
    .select(['c.orgId', 'c.seq', 'c.headHash', 'c.signedAt', 'c.keyId', 'c.signature', 'l.hash as linkHash'])
    .where('c.orgId', '=', orgId)
    .where('c.seq', '>', afterSeq)
    .orderBy('c.seq')
    .limit(limit)
    .execute();
}

/** The org's head as it is now (seq 0, no hash and no anchor before the first append). */
export async function readHead(db: Kysely<Schema>, orgId: string) {
  const head = await db
    .selectFrom('activityChainHeads')
    .select(['seq', 'hash', 'anchorSeq', 'anchorHash'])
    .where('orgId', '=', orgId)
    .executeTakeFirst();
  return {
    seq: head?.seq ?? 0,
    hash: head?.hash ?? null,
    anchorSeq: head?.anchorSeq ?? 0,
    anchorHash: head?.anchorHash ?? null,
  };
}

export async function insertExportManifest(
  db: Kysely<Schema>,
  row: { id: string; orgId: string; userId: string | null; createdAt: number; manifest: string },
): Promise<void> {
  await db.insertInto('activityExportManifests').values(row).execute();
}

export function selectExportManifest(db: Kysely<Schema>, orgId: string, id: string) {
  return db
    .selectFrom('activityExportManifests')
    .select(['userId', 'manifest'])
    .where('orgId', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
}
