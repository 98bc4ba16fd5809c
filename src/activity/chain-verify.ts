import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { GENESIS_HASH, hashActivity } from './chain.js';

const VERIFY_BATCH = 5_000;

export type ChainProblem = 'altered' | 'missing' | 'reordered' | 'head-mismatch';

export interface ChainReport {
  orgId: string;
  ok: boolean;
  /** Rows checked (from the retention anchor to the head). */
  checked: number;
  /** The first broken link, when there is one. */
  firstBroken?: { seq: number; id: number | null; problem: ChainProblem; message: string };
}

/**
 * Walks an org's chain in sequence order, recomputing every hash from the row's own fields:
 * an edited field breaks that row's hash, a deleted row leaves a gap in `seq` and a wrong
 * `prevHash` after it, and swapped rows break the links around them.
 */
export async function verifyChain(db: Kysely<Schema>, orgId: string): Promise<ChainReport> {
  const head = await db
    .selectFrom('activityChainHeads')
    .selectAll()
    .where('orgId', '=', orgId)
    .executeTakeFirst();
  let expectedSeq = (head?.anchorSeq ?? 0) + 1;
  let expectedPrev = head?.anchorHash ?? GENESIS_HASH;
  let checked = 0;
  const broken = (seq: number, id: number | null, problem: ChainProblem, message: string): ChainReport => ({
    orgId,
    ok: false,
    checked,
    firstBroken: { seq, id, problem, message },
  });

  for (;;) {
    const rows = await db
      .selectFrom('activities')
      .selectAll()
      .where('orgId', '=', orgId)
      .where('seq', '>=', expectedSeq)
      .orderBy('seq')
      .limit(VERIFY_BATCH)
      .execute();
    for (const row of rows) {
      if (row.seq !== expectedSeq) {
        return broken(
          expectedSeq,
          null,
          'missing',
          `row ${expectedSeq} is missing (next present: ${row.seq}, id ${row.id})`,
        );
      }
      if (row.prevHash !== expectedPrev) {
        return broken(
          row.seq,
          row.id,
          'reordered',
          `row ${row.seq} (id ${row.id}) does not follow row ${row.seq - 1}`,
        );
      }
      const { id: _id, hash, ...fields } = row;
      if (hashActivity(fields) !== hash) {
        return broken(
          row.seq,
          row.id,
          'altered',
          `row ${row.seq} (id ${row.id}) was altered after it was written`,
        );
      }
      expectedPrev = hash;
      expectedSeq += 1;
      checked += 1;
    }
    if (rows.length < VERIFY_BATCH) break;
  }
  const headSeq = head?.seq ?? 0;
  if (headSeq !== expectedSeq - 1 || (head && head.seq > 0 && head.hash !== expectedPrev)) {
    return broken(
      expectedSeq,
      null,
      'head-mismatch',
      `the chain ends at row ${expectedSeq - 1} but its head says ${headSeq}`,
    );
  }
  return { orgId, ok: true, checked };
}
