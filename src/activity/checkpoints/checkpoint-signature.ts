import { type SigningKey, signText, verifyText } from '../../kernel/signing-key.js';

/** What a checkpoint vouches for: the org's chain had this hash at this position at that time. */
export interface CheckpointFields {
  orgId: string;
  seq: number;
  headHash: string;
  /** Milliseconds since the epoch; signed as its ISO 8601 text. */
  signedAt: number;
}

/**
 * The exact text signed: compact JSON with the keys in this order, so anyone can rebuild it from
 * a listed checkpoint (`GET /api/activities/checkpoints`) and check it with any Ed25519 tool.
 */
export function checkpointText(fields: CheckpointFields): string {
  return JSON.stringify({
    orgId: fields.orgId,
    seq: fields.seq,
    headHash: fields.headHash,
    signedAt: new Date(fields.signedAt).toISOString(),
  });
}

export function signCheckpoint(key: SigningKey, fields: CheckpointFields): string {
  return signText(key, checkpointText(fields));
}

export function checkpointSignatureHolds(
  key: SigningKey,
  fields: CheckpointFields,
  signature: string,
): boolean {
  return verifyText(key, checkpointText(fields), signature);
}
