import type { Generated, Insertable, Selectable } from 'kysely';

export interface ActivityTable {
  id: Generated<number>;
  orgId: string;
  /** Position in the org's hash chain, 1-based and gap-free until retention purges the head. */
  seq: number;
  occurredAt: number;
  recordedAt: number;
  userId: string | null;
  username: string;
  activity: string;
  status: string;
  target: string | null;
  details: string | null;
  publicIp: string | null;
  sessionId: string | null;
  idempotencyKey: string | null;
  prevHash: string;
  hash: string;
}

/** The newest link of each org's chain, locked while a row is appended so writers cannot fork it. */
export interface ActivityChainHeadTable {
  orgId: string;
  seq: number;
  hash: string;
  /** The newest link removed by retention (0 / genesis until a purge): verification starts there. */
  anchorSeq: Generated<number>;
  anchorHash: Generated<string>;
}

export type ActivityRow = Selectable<ActivityTable>;
export type NewActivityRow = Insertable<ActivityTable>;

/** The distinct activity names of an org, kept as they are recorded (the filter dropdown). */
export interface ActivityNameTable {
  orgId: string;
  name: string;
}
