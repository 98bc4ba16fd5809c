import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { runAtOnce, type TurnShare } from '../db/turn-share.js';
import type { ActivityRow } from './activity.table.js';
import { GENESIS_HASH, hashActivity } from './chain.js';

/**
 * Links checked per piece of work. Reading and hashing a batch is synchronous on SQLite and
 * takes its turn with other long reads (`Database.paced`), so one batch is the longest the
 * event loop waits for a verification.
 */
const VERIFY_BATCH = 500;

export type ChainProblem = 'altered' | 'missing' | 'reordered' | 'head-mismatch' | 'unlinked';

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
  options: { paced?: TurnShare } = {},
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
  const beyond = await paced(() => linksBeyondHead(db, orgId));
  if (beyond) {
    return broken(
      beyond.headSeq + 1,
      null,
      'head-mismatch',
      `the chain's head says ${beyond.headSeq} but links go on to row ${beyond.lastSeq}`,
    );
  }
  const unlinked = await paced(() => firstUnlinkedActivity(db, orgId, anchorSeq));
  if (unlinked !== undefined) {
    return broken(null, unlinked, 'unlinked', `activity id ${unlinked} is not in the chain`);
  }
  return { orgId, ok: true, checked };
}

/**
 * Links appended behind the application's back, past the head. One statement: an append moves the
 * head in the transaction that adds its links, so both are seen or neither.
 */
async function linksBeyondHead(
  db: Kysely<Schema>,
  orgId: string,
): Promise<{ headSeq: number; lastSeq: number } | undefined> {
  const row = await db
    .selectNoFrom((eb) => [
      eb.selectFrom('activityChainHeads').select('seq').where('orgId', '=', orgId).as('headSeq'),
      eb
        .selectFrom('activityChainLinks')
        .select((c) => c.fn.max('seq').as('n'))
        .where('orgId', '=', orgId)
        .as('lastSeq'),
    ])
    .executeTakeFirstOrThrow();
  const headSeq = Number(row.headSeq ?? 0);
  const lastSeq = Number(row.lastSeq ?? 0);
  return lastSeq > headSeq ? { headSeq, lastSeq } : undefined;
}

/**
 * An activity written behind the application's back, without a link after the retention anchor
 * (links up to the anchor are purged with their rows). Counted first, in one statement, so appends
 * in flight are in both counts or neither; only a difference pays for the search of the row.
 */
async function firstUnlinkedActivity(
  db: Kysely<Schema>,
  orgId: string,
  anchorSeq: number,
): Promise<number | undefined> {
  const counts = await db
    .selectNoFrom((eb) => [
      eb
        .selectFrom('activities')
        .select((c) => c.fn.countAll<number>().as('n'))
        .where('orgId', '=', orgId)
        .as('activities'),
      eb
        .selectFrom('activityChainLinks')
        .select((c) => c.fn.countAll<number>().as('n'))
        .where('orgId', '=', orgId)
        .where('seq', '>', anchorSeq)
        .as('links'),
    ])
    .executeTakeFirstOrThrow();
  if (Number(counts.activities) <= Number(counts.links)) return undefined;
  const row = await db
    .selectFrom('activities as a')
    .select('a.id')
    .where('a.orgId', '=', orgId)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('activityChainLinks as l')
            .select('l.seq')
            .whereRef('l.orgId', '=', 'a.orgId')
            .whereRef('l.activityId', '=', 'a.id')
            .where('l.seq', '>', anchorSeq),
        ),
      ),
    )
    .orderBy('a.id')
    .limit(1)
    .executeTakeFirst();
  return row?.id;
}
