import { CompiledQuery, type Kysely } from 'kysely';
import { isPostgres } from '../../db/dialect.js';
import type { Schema } from '../../db/schema.js';
import { insertSqliteRows } from '../../db/sqlite-rows.js';
import type { ActivityChainLinkTable } from '../activity.table.js';
import { GENESIS_HASH } from './chain.js';

export type ChainHead = { seq: number; hash: string };

const LINK_FIELDS = ['orgId', 'seq', 'activityId', 'prevHash', 'hash'] as const;

/** Reads the chain head under a row lock (PostgreSQL); SQLite serialises writers anyway. */
export async function lockChainHead(db: Kysely<Schema>, orgId: string): Promise<ChainHead> {
  await db
    .insertInto('activityChainHeads')
    .values({ orgId, seq: 0, hash: GENESIS_HASH })
    .onConflict((oc) => oc.column('orgId').doNothing())
    .execute();
  const query = db.selectFrom('activityChainHeads').select(['seq', 'hash']).where('orgId', '=', orgId);
  return (isPostgres(db) ? query.forUpdate() : query).executeTakeFirstOrThrow();
}

/** Appends the links and moves the head, under the head's lock: one statement on PostgreSQL. */
export async function writeLinks(
  db: Kysely<Schema>,
  orgId: string,
  links: ActivityChainLinkTable[],
  head: ChainHead,
): Promise<void> {
  if (isPostgres(db)) {
    await db.executeQuery(
      CompiledQuery.raw(
        `with linked as (
           insert into activity_chain_links (org_id, seq, activity_id, prev_hash, hash)
           select $1, * from unnest($2::bigint[], $3::bigint[], $4::text[], $5::text[])
         )
         update activity_chain_heads set seq = $6, hash = $7 where org_id = $1`,
        [
          orgId,
          links.map((link) => link.seq),
          links.map((link) => link.activityId),
          links.map((link) => link.prevHash),
          links.map((link) => link.hash),
          head.seq,
          head.hash,
        ],
      ),
    );
    return;
  }
  await insertSqliteRows(db, 'activity_chain_links', LINK_FIELDS, links);
  await db.updateTable('activityChainHeads').set(head).where('orgId', '=', orgId).execute();
}
