import type { Generated, Insertable, Selectable } from 'kysely';

export interface ActivityTable {
  id: Generated<number>;
  orgId: string;
  occurredAt: number;
  recordedAt: number;
  userId: string | null;
  username: string;
  activity: string;
  status: string;
  target: string | null;
  /** A string's details; for an object, its string values joined by U+0001 (what `q` searches). */
  details: string | null;
  /** An object's details as canonical JSON (decision 018); null for a string or none. */
  detailsJson: string | null;
  publicIp: string | null;
  sessionId: string | null;
  idempotencyKey: string | null;
  /** Who wrote an ingested event (activity.ts `describeSource`); null for the product's own. */
  source: string | null;
}

/**
 * An activity's place in its org's hash chain. Kept apart from the wide activity row so an append
 * inserts that row before it locks the chain head, and only the link under the lock (decision 008).
 */
export interface ActivityChainLinkTable {
  orgId: string;
  /** Position in the org's chain, 1-based and gap-free until retention purges the oldest links. */
  seq: number;
  activityId: number;
  prevHash: string;
  /** SHA-256 over the activity's fields, seq and prevHash (chain.ts). */
  hash: string;
}

/** The newest link of each org's chain, locked while links are appended so writers cannot fork it. */
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

/** How many of an org's activities fall in an hour, by status: in all, per activity, user id, username (migration 029). */
export interface ActivityHourCountTable {
  orgId: string;
  dim: HourCountDim;
  /** '' for 'all'; the activity name; the user id; the username. */
  key: string;
  /** The hour's first millisecond (UTC epoch). */
  hour: number;
  status: string;
  n: number;
}

export type HourCountDim = 'all' | 'activity' | 'user' | 'username';

/** The chain head of an org, signed (decision 019): `activity verify` checks the chain against it. */
export interface ActivityChainCheckpointTable {
  orgId: string;
  seq: number;
  headHash: string;
  signedAt: number;
  /** Which key signed it (signing-key.ts `keyId`): a verifier with another key says so. */
  keyId: string;
  /** Base64 Ed25519 signature of `checkpointText` (checkpoint-signature.ts). */
  signature: string;
}

/** The signed manifest of an HTTP export (`?manifest=1`), kept to be fetched after the download. */
export interface ActivityExportManifestTable {
  id: string;
  orgId: string;
  /** Who exported (null for the operator); they and the org's admins may fetch it. */
  userId: string | null;
  createdAt: number;
  /** The manifest's JSON (contracts/checkpoints.ts `ExportManifest`). */
  manifest: string;
}
