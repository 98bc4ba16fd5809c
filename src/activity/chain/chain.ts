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
 * before it existed keep their hash. An object's details (their canonical JSON, decision 018) follow
 * the source, null or not: only such rows have that many values, so a string's details can never
 * hash as an object's, and every row stored before keeps its hash.
 */
export function hashChainedValues(
  values: ChainedValues,
  source: string | null = null,
  detailsJson: string | null = null,
): string {
  const all =
    detailsJson !== null ? [...values, source, detailsJson] : source !== null ? [...values, source] : values;
  return hash('sha256', JSON.stringify(all), 'hex');
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
    row.detailsJson ?? null,
  );
}
