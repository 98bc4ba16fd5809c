import type { Kysely } from 'kysely';
import type { Schema } from '../../db/schema.js';
import { runAtOnce, type TurnShare } from '../../db/turn-share.js';
import { describeKeys, keyNamed } from '../../kernel/previous-keys.js';
import type { SigningKey } from '../../kernel/signing-key.js';
import type { ChainReport } from '../chain/chain-verify.js';
import { checkpointSignatureHolds } from './checkpoint-signature.js';
import { readHead, selectCheckpointsWithLinks } from './checkpoints.repository.js';

/** Checkpoints checked per piece of work (a signature check is ~50 µs). */
const CHECKPOINT_BATCH = 500;

/** A chain report that also says how many signed checkpoints it was held against. */
export type CheckedChainReport = ChainReport & { checkpoints: number };

/**
 * Holds an intact chain against its signed checkpoints (decision 019). The walk (chain-verify.ts)
 * found every stored hash equal to the one recomputed from the rows, so a checkpoint is compared
 * with the link stored at its seq: a row rewritten with every later hash recomputed leaves a
 * chain that walks clean, but not one that matches a head signed before the rewrite. A checkpoint
 * past the chain's end says rows were cut off; one without a valid signature was forged. Each is
 * checked with the key of `keys` its keyId names (the current key and retired ones, decision
 * 024); one naming none of them is refused as it was before keys could be rotated.
 */
export async function verifyCheckpoints(
  db: Kysely<Schema>,
  report: ChainReport,
  keys: readonly SigningKey[],
  options: { paced?: TurnShare } = {},
): Promise<CheckedChainReport> {
  if (!report.ok) return { ...report, checkpoints: 0 };
  const paced = options.paced ?? runAtOnce;
  const { orgId } = report;
  const head = await paced(() => readHead(db, orgId));
  // The walk covered the links from the anchor to the head it read; later ones wait for the next run.
  const walkedSeq = head.anchorSeq + report.checked;
  let checkpoints = 0;
  let after = 0;
  for (;;) {
    const batch = await paced(() => selectCheckpointsWithLinks(db, orgId, after, CHECKPOINT_BATCH));
    for (const cp of batch) {
      const named = `checkpoint at seq ${cp.seq} (signed ${new Date(cp.signedAt).toISOString()})`;
      const broken = (message: string): CheckedChainReport => ({
        ...report,
        ok: false,
        checkpoints,
        firstBroken: { seq: cp.seq, id: null, problem: 'checkpoint', message },
      });
      const signer = keyNamed(keys, cp.keyId);
      if (!signer) {
        return broken(
          `${named} is not signed by key ${describeKeys(keys)} (it names key ${cp.keyId}, which is not trusted: a previous key goes in SIGNING_PREVIOUS_KEYS or another --public-key)`,
        );
      }
      if (!checkpointSignatureHolds(signer, cp, cp.signature)) {
        return broken(`${named} is not signed by key ${signer.keyId}`);
      }
      if (cp.seq > head.seq) {
        return broken(`${named} is past the chain's end at seq ${head.seq}: rows were removed`);
      }
      const expected =
        cp.seq === head.anchorSeq ? head.anchorHash : cp.seq < head.anchorSeq ? cp.headHash : cp.linkHash;
      if (cp.seq <= walkedSeq && expected !== cp.headHash) {
        return broken(
          `${named} signed head hash ${cp.headHash.slice(0, 12)}…, the chain now hashes to ${String(expected).slice(0, 12)}…: rows up to seq ${cp.seq} were rewritten`,
        );
      }
      checkpoints += 1;
      after = cp.seq;
    }
    if (batch.length < CHECKPOINT_BATCH) break;
  }
  return { ...report, checkpoints };
}
