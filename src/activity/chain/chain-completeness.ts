import { type Kysely, sql } from 'kysely';
import type { Schema } from '../../db/schema.js';
import type { TurnShare } from '../../db/turn-share.js';

/**
 * Index entries one piece of the final counts reads. A whole-org count was one statement of
 * 0.5–0.8 s on a 1M-row SQLite log, blocking the event loop for all of it (decision 009).
 */
export const COUNT_PIECE = 10_000;

/** The chain's end as one statement saw it: the head, the last link, the last activity id. */
export interface ChainEnd {
  headSeq: number;
  lastSeq: number;
  lastActivityId: number;
}

/**
 * One statement, so the three agree: an append moves the head in the transaction that adds its
 * activities and links, so a link past the head was written behind the application's back, and
 * every activity up to `lastActivityId` that has a link has it at or before `lastSeq`.
 */
export async function readChainEnd(db: Kysely<Schema>, orgId: string): Promise<ChainEnd> {
  const row = await db
    .selectNoFrom((eb) => [
      eb.selectFrom('activityChainHeads').select('seq').where('orgId', '=', orgId).as('headSeq'),
      eb
        .selectFrom('activityChainLinks')
        .select((c) => c.fn.max('seq').as('n'))
        .where('orgId', '=', orgId)
        .as('lastSeq'),
      eb
        .selectFrom('activities')
        .select((c) => c.fn.max('id').as('n'))
        .as('lastActivityId'),
    ])
    .executeTakeFirstOrThrow();
  return {
    headSeq: Number(row.headSeq ?? 0),
    lastSeq: Number(row.lastSeq ?? 0),
    lastActivityId: Number(row.lastActivityId ?? 0),
  };
}

export interface UnlinkedSearch {
  anchorSeq: number;
  /** The walk checked every link from the anchor to here, one after another. */
  walkedSeq: number;
  end: ChainEnd;
  paced: TurnShare;
  /** Index entries a piece reads (COUNT_PIECE; smaller in tests). */
  piece?: number;
}

/**
 * An activity written behind the application's back, without a link after the retention anchor
 * (links up to the anchor are purged with their rows). The org's activities up to
 * `end.lastActivityId` are counted against its links up to `end.lastSeq`, both in bounded pieces
 * that take their turns; only a difference pays for the search of the row. Rows appended while
 * the pieces run have later ids and links, and are in neither count.
 */
export async function firstUnlinkedActivity(
  db: Kysely<Schema>,
  orgId: string,
  search: UnlinkedSearch,
): Promise<number | undefined> {
  const { anchorSeq, walkedSeq, end, paced } = search;
  const piece = search.piece ?? COUNT_PIECE;
  let links = walkedSeq - anchorSeq;
  for (let from = walkedSeq; from < end.lastSeq; from += piece) {
    const to = Math.min(from + piece, end.lastSeq);
    links += await paced(() => countLinks(db, orgId, from, to));
  }
  let activities = 0;
  let after: ActivityPosition | null = null;
  for (;;) {
    const start: ActivityPosition | null = after;
    const step: CountStep = await paced(() =>
      countActivitiesAfter(db, orgId, end.lastActivityId, start, piece),
    );
    activities += step.counted;
    // A partial count already above the links is enough: some activity has no link.
    if (activities > links || step.last === null) break;
    after = step.last;
  }
  if (activities <= links) return undefined;
  return paced(() => searchUnlinked(db, orgId, anchorSeq));
}

type ActivityPosition = [occurredAt: number, id: number];
interface CountStep {
  counted: number;
  last: ActivityPosition | null;
}

async function countLinks(db: Kysely<Schema>, orgId: string, fromSeq: number, toSeq: number) {
  const row = await db
    .selectFrom('activityChainLinks')
    .select((c) => c.fn.countAll<number>().as('n'))
    .where('orgId', '=', orgId)
    .where('seq', '>', fromSeq)
    .where('seq', '<=', toSeq)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * The org's activities (id up to `lastId`) after `after` in the time index's order, counted up to
 * `piece`: the piece-th one's position when there are that many (one index walk of `piece`
 * entries, `offset`), otherwise the count of the rest.
 */
async function countActivitiesAfter(
  db: Kysely<Schema>,
  orgId: string,
  lastId: number,
  after: ActivityPosition | null,
  piece: number,
): Promise<CountStep> {
  let query = db.selectFrom('activities').where('orgId', '=', orgId).where('id', '<=', lastId);
  if (after !== null) query = query.where(sql<boolean>`(occurred_at, id) > (${after[0]}, ${after[1]})`);
  const nth = await query
    .select(['occurredAt', 'id'])
    .orderBy('occurredAt')
    .orderBy('id')
    .limit(1)
    .offset(piece - 1)
    .executeTakeFirst();
  if (nth) return { counted: piece, last: [Number(nth.occurredAt), Number(nth.id)] };
  const rest = await db
    .selectFrom(query.select(sql<number>`1`.as('one')).limit(piece).as('rest'))
    .select((c) => c.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return { counted: Number(rest.n), last: null };
}

/** The first activity without a link after the anchor: one statement, run only on a mismatch. */
async function searchUnlinked(db: Kysely<Schema>, orgId: string, anchorSeq: number) {
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
