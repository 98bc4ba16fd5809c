import { hash } from 'node:crypto';
import type { NewActivityRow } from '../activity.table.js';

/** The hash a chain starts from, per org. */
export const GENESIS_HASH = '0'.repeat(64);

/** An activity's stored fields and its link's place in the chain: everything the hash covers. */
export type ChainedFields = Omit<NewActivityRow, 'id'> & { seq: number; prevHash: string };

/** Every stored field but the hash itself, in the canonical order. */
export type ChainedValues = [
  orgId: string,
  seq: number,
  occurredAt: number,
  recordedAt: number,
  userId: string | null,
  username: string,
  activity: string,
  status: string,
  target: string | null,
  details: string | null,
  publicIp: string | null,
  sessionId: string | null,
  idempotencyKey: string | null,
  prevHash: string,
];

/**
 * SHA-256 over a canonical encoding of every stored field, including the previous hash:
 * a JSON array in fixed order, so no field can move, vanish or change without notice. A source
 * (an ingested event's writer, added later) follows at the end when there is one, so rows stored
 * before it existed keep their hash.
 */
export function hashChainedValues(values: ChainedValues, source: string | null = null): string {
  return hash('sha256', JSON.stringify(source === null ? values : [...values, source]), 'hex');
}

export function hashActivity(row: ChainedFields): string {
  return hashLinkedActivity(row, row.seq, row.prevHash);
}

/** The same hash, for an activity and its place in the chain given apart (no object per row). */
export function hashLinkedActivity(row: Omit<NewActivityRow, 'id'>, seq: number, prevHash: string): string {
  return hashChainedValues(
    [
      row.orgId,
      seq,
      row.occurredAt,
      row.recordedAt,
      row.userId ?? null,
      row.username,
      row.activity,
      row.status,
      row.target ?? null,
      row.details ?? null,
      row.publicIp ?? null,
      row.sessionId ?? null,
      row.idempotencyKey ?? null,
      prevHash,
    ],
    row.source ?? null,
  );
}
