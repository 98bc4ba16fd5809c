import { sql } from 'kysely';
import { hashActivity } from '../../src/activity/chain/chain.js';
import type { TestEngine } from './engines.js';
import type { TestApp } from './test-app.js';

/** What an attacker with write access to the database does: switch the append-only triggers off. */
export async function disableAppendOnly(t: TestApp, engine: TestEngine): Promise<void> {
  for (const table of ['activities', 'activity_chain_links', 'activity_chain_checkpoints']) {
    if (engine === 'sqlite') {
      await sql.raw(`drop trigger ${table}_no_update`).execute(t.database.db);
      await sql.raw(`drop trigger ${table}_no_delete`).execute(t.database.db);
    } else await sql.raw(`alter table ${table} disable trigger ${table}_append_only`).execute(t.database.db);
  }
}

/**
 * Rewrites one row's target behind the application's back and recomputes every hash from there to
 * the head, as someone who knows the hashing would: the chain itself then walks clean.
 */
export async function rewriteRowAndChain(t: TestApp, engine: TestEngine, orgId: string, seq: number) {
  const db = t.database.db;
  await disableAppendOnly(t, engine);
  const rows = await db
    .selectFrom('activityChainLinks as l')
    .innerJoin('activities as a', 'a.id', 'l.activityId')
    .selectAll('a')
    .select(['l.seq', 'l.prevHash', 'l.hash'])
    .where('l.orgId', '=', orgId)
    .where('l.seq', '>=', seq)
    .orderBy('l.seq')
    .execute();
  let prevHash = rows[0]?.prevHash as string;
  for (const { id, hash: _old, prevHash: _prev, ...row } of rows) {
    const fields = row.seq === seq ? { ...row, target: 'nothing to see here' } : row;
    if (row.seq === seq)
      await db.updateTable('activities').set({ target: fields.target }).where('id', '=', id).execute();
    const hash = hashActivity({ ...fields, prevHash });
    await db
      .updateTable('activityChainLinks')
      .set({ prevHash, hash })
      .where('orgId', '=', orgId)
      .where('seq', '=', row.seq)
      .execute();
    prevHash = hash;
  }
  await db.updateTable('activityChainHeads').set({ hash: prevHash }).where('orgId', '=', orgId).execute();
}
