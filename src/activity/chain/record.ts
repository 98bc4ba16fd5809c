import type { Transaction } from 'kysely';
import type { ActivityDetails } from '../../contracts/activity.js';
import type { Schema } from '../../db/schema.js';
import type { ActivityChainLinkTable, ActivityRow } from '../activity.table.js';
import { addHourCounts } from '../counts/hour-counts.repository.js';
import { toStoredDetails } from '../details.js';
import { lockChainHead, writeLinks } from './append-links.js';
import { insertActivities, reserveActivityIds } from './append-rows.js';
import { hashLinkedActivity } from './chain.js';

/** One activity to append, as services describe it. */
export interface ActivityEvent {
  occurredAt: number;
  userId: string | null;
  username: string;
  activity: string;
  status: 'success' | 'failure' | string;
  target?: string | null;
  /** Free text, or a JSON object (stored canonically, decision 018). */
  details?: ActivityDetails | null;
  publicIp?: string | null;
  sessionId?: string | null;
  idempotencyKey?: string | null;
  /** Who wrote an ingested event; unset for the product's own. */
  source?: string | null;
}

export interface AppendCounts {
  accepted: number;
  duplicates: number;
}

/**
 * Appends events to an org's hash chain. Must run inside the transaction of the change it
 * describes, so the trail can never miss (or invent) a change.
 */
export async function recordActivities(
  trx: Transaction<Schema>,
  orgId: string,
  events: ActivityEvent[],
  recordedAt: number,
): Promise<AppendCounts> {
  const [counts] = await recordActivityGroups(trx, orgId, [events], recordedAt);
  return counts as AppendCounts;
}

/**
 * Appends several callers' events, in order, as one piece of the chain, and counts each caller's
 * accepted events and duplicates (a key repeated in a later group is that group's duplicate).
 *
 * The activity rows go in before the org's chain head is locked, so appends of one org insert
 * them in parallel; under the lock only the narrow links are written (decision 008). A writer in
 * flight with the same idempotency key holds the key in the unique index: the insert waits for it
 * and then skips the row if it committed.
 */
export async function recordActivityGroups(
  trx: Transaction<Schema>,
  orgId: string,
  groups: ActivityEvent[][],
  recordedAt: number,
): Promise<AppendCounts[]> {
  const events = groups.flat();
  if (events.length === 0) return groups.map(() => ({ accepted: 0, duplicates: 0 }));
  const candidates = firstOfEachKey(events);
  const ids = await reserveActivityIds(trx, candidates.filter(Boolean).length);
  const rows: ActivityRow[] = [];
  const rowOf = events.map((event, i): ActivityRow | undefined => {
    if (!candidates[i]) return undefined;
    const row: ActivityRow = {
      id: ids[rows.length] as number,
      orgId,
      occurredAt: event.occurredAt,
      recordedAt,
      userId: event.userId,
      username: stored(event.username),
      activity: stored(event.activity),
      status: stored(event.status),
      target: storedOrNull(event.target),
      ...toStoredDetails(event.details),
      publicIp: event.publicIp ?? null,
      sessionId: event.sessionId ?? null,
      idempotencyKey: storedOrNull(event.idempotencyKey),
      source: storedOrNull(event.source),
    };
    rows.push(row);
    return row;
  });
  const inserted = rows.length > 0 ? await insertActivities(trx, orgId, rows) : new Set<number>();
  if (inserted.size > 0) {
    let { seq, hash } = await lockChainHead(trx, orgId);
    const links: ActivityChainLinkTable[] = [];
    const appended: ActivityRow[] = [];
    for (const row of rows) {
      if (!inserted.has(row.id)) continue;
      appended.push(row);
      seq += 1;
      const prevHash = hash;
      hash = hashLinkedActivity(row, seq, prevHash);
      links.push({ orgId, seq, activityId: row.id, prevHash, hash });
    }
    await writeLinks(trx, orgId, links, { seq, hash });
    // Under the head's lock: the counts' hot rows (this hour's) take one writer at a time anyway.
    await addHourCounts(trx, orgId, appended);
  }
  let i = 0;
  return groups.map((group) => {
    let accepted = 0;
    for (const _ of group) {
      const row = rowOf[i++];
      if (row && inserted.has(row.id)) accepted += 1;
    }
    return { accepted, duplicates: group.length - accepted };
  });
}

/**
 * Text as both engines store it: UTF-8 has no lone surrogates, so each becomes U+FFFD. The hash
 * must cover exactly that, or the row reads "altered" forever (the HTTP edge refuses such text;
 * this covers everything recorded from code).
 */
const stored = (text: string) => text.toWellFormed();
const storedOrNull = (text: string | null | undefined) => (text == null ? null : text.toWellFormed());

/** For each event, false when its idempotency key was already used earlier in the list. */
function firstOfEachKey(events: ActivityEvent[]): boolean[] {
  const seen = new Set<string>();
  return events.map(({ idempotencyKey: key }) => {
    if (!key) return true;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
