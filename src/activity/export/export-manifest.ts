import { Value } from '@sinclair/typebox/value';
import { type ExportManifest, ExportManifestSchema } from '../../contracts/checkpoints.js';
import { describeKeys, keyNamed } from '../../kernel/previous-keys.js';
import { type SigningKey, signText, verifyText } from '../../kernel/signing-key.js';

export type ManifestFields = Omit<ExportManifest, 'signature'>;

/** The exact text signed: compact JSON of every field but the signature, in the schema's order. */
export function manifestText(fields: ManifestFields): string {
  return JSON.stringify({
    version: fields.version,
    orgId: fields.orgId,
    format: fields.format,
    rowCount: fields.rowCount,
    bytes: fields.bytes,
    sha256: fields.sha256,
    firstSeq: fields.firstSeq,
    lastSeq: fields.lastSeq,
    headHash: fields.headHash,
    signedAt: fields.signedAt,
    keyId: fields.keyId,
  });
}

export function signManifest(key: SigningKey, fields: Omit<ManifestFields, 'keyId'>): ExportManifest {
  const all = { ...fields, keyId: key.keyId };
  return { ...all, signature: signText(key, manifestText(all)) };
}

export type ManifestCheck = { ok: true; manifest: ExportManifest } | { ok: false; problem: string };

/**
 * Checks a manifest (as parsed from its file) against the file's SHA-256 and size, with a key
 * given by the verifier: the signature first, so nothing an unsigned manifest says is believed.
 * The signature is checked with the key of `keys` the manifest's keyId names (decision 024).
 */
export function checkManifest(
  keys: readonly SigningKey[],
  parsed: unknown,
  file: { sha256: string; bytes: number },
): ManifestCheck {
  if (!Value.Check(ExportManifestSchema, parsed)) {
    const first = [...Value.Errors(ExportManifestSchema, parsed)][0];
    return {
      ok: false,
      problem: `the manifest is not one: ${first?.path || '/'} ${first?.message ?? ''}`.trim(),
    };
  }
  const manifest = parsed;
  const signer = keyNamed(keys, manifest.keyId);
  if (!signer || !verifyText(signer, manifestText(manifest), manifest.signature)) {
    const other = signer ? '' : ` (it names key ${manifest.keyId}, which was not given)`;
    const tried = signer ? signer.keyId : describeKeys(keys);
    return { ok: false, problem: `the manifest's signature does not hold for key ${tried}${other}` };
  }
  if (file.sha256 !== manifest.sha256 || file.bytes !== manifest.bytes) {
    return {
      ok: false,
      problem: `the file's SHA-256 is ${file.sha256} (${file.bytes} bytes), the manifest signed ${manifest.sha256} (${manifest.bytes} bytes): the file was changed`,
    };
  }
  return { ok: true, manifest };
}
