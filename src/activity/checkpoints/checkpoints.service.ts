import type {
  Checkpoint,
  CheckpointPage,
  ExportManifest,
  SigningKeyInfo,
} from '../../contracts/checkpoints.js';
import type { DatabaseEngine } from '../../db/database.js';
import { type Actor, isAdmin } from '../../kernel/actor.js';
import type { Clock } from '../../kernel/clock.js';
import { AppError, forbidden } from '../../kernel/errors.js';
import { distinctKeys } from '../../kernel/previous-keys.js';
import type { SigningKey } from '../../kernel/signing-key.js';
import type { ChainReport } from '../chain/chain-verify.js';
import { type ManifestFields, signManifest } from '../export/export-manifest.js';
import { signCheckpoint } from './checkpoint-signature.js';
import { type CheckedChainReport, verifyCheckpoints } from './checkpoint-verify.js';
import {
  insertCheckpoint,
  insertExportManifest,
  listCheckpoints,
  readHead,
  selectExportManifest,
  selectUnsignedHeads,
} from './checkpoints.repository.js';

/** The retained part of an org's chain: from `firstSeq` to its head (`lastSeq`, `headHash`). */
export interface ChainPosition {
  firstSeq: number;
  lastSeq: number;
  headHash: string | null;
}

export type CheckpointService = ReturnType<typeof createCheckpointService>;

export interface CheckpointServiceDeps {
  database: DatabaseEngine;
  clock: Clock;
  /** Undefined where no key file exists (a CLI run before the server's first start): nothing is signed. */
  key: SigningKey | undefined;
  /** Retired keys (SIGNING_PREVIOUS_KEYS) that still verify what they signed, never sign (decision 024). */
  previousKeys: readonly SigningKey[];
}

const noKey = () =>
  new AppError(
    'NOT_FOUND',
    'no signing key is configured (SIGNING_KEY_FILE, or the server has not started yet)',
  );

export function createCheckpointService(deps: CheckpointServiceDeps) {
  const { database, clock, key, previousKeys } = deps;
  const { db } = database;
  /** What a checkpoint or manifest is checked with when no key is given: its keyId picks one. */
  const verifyingKeys = distinctKeys([key, ...previousKeys]);

  /**
   * Signs the head of every org (or of one) whose head no checkpoint covers yet; answers how
   * many were stored. Instances signing at once store one checkpoint per head: (org, seq) is the key.
   */
  async function signHeads(orgId?: string): Promise<number> {
    if (!key) return 0;
    let stored = 0;
    for (const head of await selectUnsignedHeads(db, orgId)) {
      if (await signOne(head)) stored += 1;
    }
    return stored;
  }

  /** Signs and stores one head; false when it was signed already. */
  async function signOne(head: { orgId: string; seq: number; hash: string }): Promise<boolean> {
    if (!key) return false;
    const fields = { orgId: head.orgId, seq: head.seq, headHash: head.hash, signedAt: clock.now() };
    return insertCheckpoint(db, { ...fields, keyId: key.keyId, signature: signCheckpoint(key, fields) });
  }

  return {
    key,

    previousKeys,

    verifyingKeys,

    signHeads,

    /**
     * Signs the org's head before an export (when unsigned) and answers it: the export is read
     * from the chain up to there, which its manifest names.
     */
    async checkpointHead(orgId: string): Promise<ChainPosition> {
      const head = await readHead(db, orgId);
      // This very head: the one read after signing could have moved on, unsigned.
      if (key && head.hash !== null) await signOne({ orgId, seq: head.seq, hash: head.hash });
      return { firstSeq: head.anchorSeq + 1, lastSeq: head.seq, headHash: head.hash };
    },

    /** Admins list their org's checkpoints, newest first. */
    async listCheckpoints(
      actor: Actor,
      query: { limit?: number; beforeSeq?: number },
    ): Promise<CheckpointPage> {
      if (!isAdmin(actor)) throw forbidden('Only admins can list the checkpoints of the activity log');
      const limit = query.limit ?? 100;
      const rows = await listCheckpoints(db, actor.orgId, {
        limit: limit + 1,
        ...(query.beforeSeq === undefined ? {} : { beforeSeq: query.beforeSeq }),
      });
      const items: Checkpoint[] = rows.slice(0, limit).map((row) => ({
        orgId: row.orgId,
        seq: row.seq,
        headHash: row.headHash,
        signedAt: new Date(row.signedAt).toISOString(),
        keyId: row.keyId,
        signature: row.signature,
      }));
      const last = items[items.length - 1];
      return { checkpoints: items, nextBeforeSeq: rows.length > limit && last ? last.seq : null };
    },

    /** The public halves, current and retired, for anyone signed in to check checkpoints and manifests with. */
    signingKey(): SigningKeyInfo {
      if (!key) throw noKey();
      const shown = (one: SigningKey) => ({
        keyId: one.keyId,
        publicKey: one.publicKeyBase64,
        publicKeyPem: one.publicKeyPem,
      });
      return { algorithm: 'Ed25519', ...shown(key), previousKeys: previousKeys.map(shown) };
    },

    /** Signs an export's manifest (export-manifest.ts) with the configured key. */
    signExportManifest(fields: Omit<ManifestFields, 'keyId'>): ExportManifest {
      if (!key) throw noKey();
      return signManifest(key, fields);
    },

    /** Signs and keeps an HTTP export's manifest until it is fetched (manifested-export.ts). */
    async storeExportManifest(
      actor: Actor,
      id: string,
      format: 'csv' | 'jsonl',
      facts: Pick<ManifestFields, 'rowCount' | 'bytes' | 'sha256'> & ChainPosition,
    ): Promise<void> {
      if (!key) throw noKey();
      const signedAt = clock.now();
      const manifest = signManifest(key, {
        version: 1,
        orgId: actor.orgId,
        format,
        ...facts,
        signedAt: new Date(signedAt).toISOString(),
      });
      await insertExportManifest(db, {
        id,
        orgId: actor.orgId,
        userId: actor.userId,
        createdAt: signedAt,
        manifest: JSON.stringify(manifest),
      });
    },

    /** An export's manifest, for whoever exported and the org's admins; NOT_FOUND until it is stored. */
    async getExportManifest(actor: Actor, id: string): Promise<ExportManifest> {
      const row = await selectExportManifest(db, actor.orgId, id);
      if (!row || (!isAdmin(actor) && row.userId !== actor.userId)) {
        throw new AppError(
          'NOT_FOUND',
          'No manifest with this id (yet: it is stored when the download has ended)',
        );
      }
      return JSON.parse(row.manifest) as ExportManifest;
    },

    /**
     * Holds a chain report against the org's checkpoints, with `givenKeys` (an auditor's
     * `--public-key`s, in place of the configured ones) or the configured current and previous keys.
     * Without any, only an org that has none passes: checkpoints nobody can check are refused.
     */
    async holdAgainstCheckpoints(
      report: ChainReport,
      givenKeys?: readonly SigningKey[],
    ): Promise<CheckedChainReport> {
      const using = givenKeys && givenKeys.length > 0 ? givenKeys : verifyingKeys;
      if (using.length > 0) return verifyCheckpoints(db, report, using, { paced: database.paced });
      if ((await listCheckpoints(db, report.orgId, { limit: 1 })).length > 0) {
        throw new AppError(
          'INVALID_INPUT',
          'the log has signed checkpoints but no signing key is configured: pass --public-key',
        );
      }
      return { ...report, checkpoints: 0 };
    },
  };
}
