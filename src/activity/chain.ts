import { hash } from 'node:crypto';
import type { NewActivityRow } from './activity.table.js';

/** The hash a chain starts from, per org. */
export const GENESIS_HASH = '0'.repeat(64);

type ChainedFields = Omit<NewActivityRow, 'id' | 'hash'>;

/**
 * SHA-256 over a canonical encoding of every stored field, including the previous hash:
 * a JSON array in fixed order, so no field can move, vanish or change without notice.
 */
export function hashActivity(row: ChainedFields): string {
  const canonical = JSON.stringify([
    row.orgId,
    row.seq,
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
    row.prevHash,
  ]);
  return hash('sha256', canonical, 'hex');
}
