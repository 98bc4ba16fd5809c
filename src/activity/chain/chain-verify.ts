import type { Kysely } from 'kysely';
import type { Schema } from '../../db/schema.js';
import { runAtOnce, type TurnShare } from '../../db/turn-share.js';
import type { ActivityRow } from '../activity.table.js';
import { GENESIS_HASH, hashActivity } from './chain.js';
import { firstUnlinkedActivity, readChainEnd } from './chain-completeness.js';

/**
 * Links checked per piece of work. Reading and hashing a batch is synchronous on SQLite and
 * takes its turn with other long reads (`DatabaseEngine.paced`), so one batch is the longest the
 * event loop waits for a verification.
 */
const VERIFY_BATCH = 500;

export type ChainProblem = 'altered' | 'missing' | 'reordered' | 'head-mismatch' | 'unlinked' | 'checkpoint';

export interface ChainReport {
  orgId: string;
  ok: boolean;
  /** Rows checked (from the retention anchor to the head). */
  checked: number;
  /** The first broken link, when there is one; `seq` is null for a row outside the chain. */
  firstBroken?: { seq: number | null; id: number | null; problem: ChainProblem; message: string };
}

/**
 * Walks an org's chain in sequence order, recomputing every hash from the activity's own fields
 * and its link: an edited field breaks that row's hash, a deleted row or link leaves a gap, swapped
 * links break the links around them, and an activity with no link at all is outside the chain.
 */
export async function verifyChain(
  db: Kysely<Schema>,
  orgId: string,
  options: { paced?: TurnShare; countPiece?: number } = {},
): Promise<ChainReport> {
  const paced = options.paced ?? runAtOnce;
  // Read first: every link up to the head committed no later than the head did, so the walk up to
  // it is complete even while appends go on.
  const head = await paced(() =>
    db.selectFrom('activityChainHeads').selectAll().where('orgId', '=', orgId).executeTakeFirst(),
  );
  const headSeq = head?.seq ?? 0;
  const anchorSeq = head?.anchorSeq ?? 0;
  let expectedSeq = anchorSeq + 1;
  let expectedPrev = head?.anchorHash ?? GENESIS_HASH;
  let checked = 0;
  const broken = (
    seq: number | null,
    id: number | null,
    problem: ChainProblem,
    message: string,
  ): ChainReport => ({ orgId, ok: false, checked, firstBroken: { seq, id, problem, message } });

  /** Checks the next batch of links: a broken link's report, or whether more links follow. */
  const checkBatch = async (): Promise<ChainReport | 'more' | 'done'> => {
    const links = await db
      .selectFrom('activityChainLinks')
      .select(['seq', 'activityId', 'prevHash', 'hash'])
      .where('orgId', '=', orgId)
      .where('seq', '>=', expectedSeq)
      .where('seq', '<=', headSeq)
      .orderBy('seq')
      .limit(VERIFY_BATCH)
      .execute();
    const activities = new Map<number, ActivityRow>();
    if (links.length > 0) {
      const rows = await db
        .selectFrom('activities')
        .selectAll()
        .where(
          'id',
          'in',
          links.map((link) => link.activityId),
        )
        .execute();
      for (const row of rows) activities.set(row.id, row);
    }
    for (const { seq, activityId, prevHash, hash } of links) {
      if (seq !== expectedSeq) {
        return broken(
          expectedSeq,
          null,
          'missing',
          `row ${expectedSeq} is missing (next present: ${seq}, id ${activityId})`,
        );
      }
      const row = activities.get(activityId);
      if (!row) return broken(seq, activityId, 'missing', `row ${seq} (id ${activityId}) is missing`);
      if (prevHash !== expectedPrev) {
        return broken(seq, row.id, 'reordered', `row ${seq} (id ${row.id}) does not follow row ${seq - 1}`);
      }
      const { id, ...fields } = row;
      if (hashActivity({ ...fields, seq, prevHash }) !== hash) {
        return broken(seq, id, 'altered', `row ${seq} (id ${id}) was altered after it was written`);
      }
      expectedPrev = hash;
      expectedSeq += 1;
      checked += 1;
    }
    return links.length < VERIFY_BATCH ? 'done' : 'more';
  };
  for (;;) {
    const outcome = await paced(checkBatch);
    if (outcome === 'done') break;
    if (outcome !== 'more') return outcome;
  }
  if (headSeq !== expectedSeq - 1 || (head && head.seq > 0 && head.hash !== expectedPrev)) {
    return broken(
      expectedSeq,
      null,
      'head-mismatch',
      `the chain ends at row ${expectedSeq - 1} but its head says ${headSeq}`,
    );
  }
  const end = await paced(() => readChainEnd(db, orgId));
  if (end.lastSeq > end.headSeq) {
    return broken(
      end.headSeq + 1,
      null,
      'head-mismatch',
      `the chain's head says ${end.headSeq} but links go on to row ${end.lastSeq}`,
    );
  }
  const unlinked = await firstUnlinkedActivity(db, orgId, {
    anchorSeq,
    walkedSeq: headSeq,
    end,
    paced,
    ...(options.countPiece === undefined ? {} : { piece: options.countPiece }),
  });
  if (unlinked !== undefined) {
    return broken(null, unlinked, 'unlinked', `activity id ${unlinked} is not in the chain`);
  }
  return { orgId, ok: true, checked };
}
