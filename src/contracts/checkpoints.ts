import { type Static, Type } from '@sinclair/typebox';
import { Nullable } from './common.js';

const Hash = Type.String({ pattern: '^[0-9a-f]{64}$', description: 'lowercase hex SHA-256' });

export const CheckpointSchema = Type.Object({
  orgId: Type.String(),
  seq: Type.Integer({ description: "the chain's head position when it was signed" }),
  headHash: Hash,
  signedAt: Type.String({ format: 'date-time' }),
  keyId: Type.String({
    description: 'the first 16 hex digits of SHA-256 of the raw public key that signed it',
  }),
  signature: Type.String({
    description:
      'base64 Ed25519 signature of the compact JSON {"orgId","seq","headHash","signedAt"} (keys in that order, signedAt as shown)',
  }),
});
export type Checkpoint = Static<typeof CheckpointSchema>;

export const CheckpointQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
    beforeSeq: Type.Optional(
      Type.Integer({ minimum: 1, description: 'the next page: nextBeforeSeq of the last one' }),
    ),
  },
  { additionalProperties: false },
);

export const CheckpointPageSchema = Type.Object({
  checkpoints: Type.Array(CheckpointSchema),
  nextBeforeSeq: Nullable(Type.Integer()),
});
export type CheckpointPage = Static<typeof CheckpointPageSchema>;

const PublicKeyFields = {
  keyId: Type.String({ description: 'the first 16 hex digits of SHA-256 of the raw public key' }),
  publicKey: Type.String({ description: 'the raw 32-byte public key, base64 (what --public-key takes)' }),
  publicKeyPem: Type.String({ description: 'the same key as SPKI PEM (for openssl and other tools)' }),
};

export const SigningKeySchema = Type.Object({
  algorithm: Type.Literal('Ed25519'),
  ...PublicKeyFields,
  previousKeys: Type.Array(Type.Object(PublicKeyFields), {
    description:
      'retired keys (SIGNING_PREVIOUS_KEYS) that no longer sign; older checkpoints and manifests name them by keyId',
  }),
});
export type SigningKeyInfo = Static<typeof SigningKeySchema>;

export const ChainReportSchema = Type.Object({
  ok: Type.Boolean(),
  checked: Type.Integer({ description: 'rows checked, from the retention anchor to the head' }),
  checkpoints: Type.Integer({ description: 'signed checkpoints the chain was held against' }),
  firstBroken: Type.Optional(
    Type.Object({
      seq: Nullable(Type.Integer()),
      id: Nullable(Type.Integer()),
      problem: Type.String({
        description:
          'altered, missing, reordered, head-mismatch, unlinked, or checkpoint (names the checkpoint)',
      }),
      message: Type.String(),
    }),
  ),
});
export type ChainReportBody = Static<typeof ChainReportSchema>;

export const ExportManifestSchema = Type.Object({
  version: Type.Literal(1),
  orgId: Type.String(),
  format: Type.Union([Type.Literal('csv'), Type.Literal('jsonl')]),
  rowCount: Type.Integer({ minimum: 0 }),
  bytes: Type.Integer({ minimum: 0 }),
  sha256: Hash,
  firstSeq: Type.Integer({ description: "the first retained row of the org's chain when the export began" }),
  lastSeq: Type.Integer({
    description: "the chain's head when the export began (a checkpoint signs it too)",
  }),
  headHash: Nullable(Hash),
  // No `format`: the offline verifier checks with TypeBox's Value, which knows no formats.
  signedAt: Type.String({ description: 'ISO 8601, UTC' }),
  keyId: Type.String(),
  signature: Type.String({
    description: 'base64 Ed25519 signature of the compact JSON of every other field, in this order',
  }),
});
export type ExportManifest = Static<typeof ExportManifestSchema>;
