import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { checkManifest } from '../activity/export/export-manifest.js';
import { AppError } from '../kernel/errors.js';
import type { SigningKey } from '../kernel/signing-key.js';

/** A file's SHA-256 (hex) and size, read as a stream: exports can be larger than memory. */
export async function digestFile(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** `activity verify-export FILE MANIFEST`: offline, from the two files and the keys alone. */
export async function verifyExportFiles(
  file: string,
  manifestFile: string,
  keys: readonly SigningKey[],
): Promise<{ ok: true; summary: string } | { ok: false; problem: string }> {
  for (const path of [file, manifestFile]) {
    if (!statSync(path, { throwIfNoEntry: false })?.isFile())
      throw new AppError('INVALID_INPUT', `no file ${path}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(manifestFile, 'utf8'));
  } catch {
    return { ok: false, problem: `${manifestFile} is not JSON` };
  }
  const check = checkManifest(keys, parsed, await digestFile(file));
  if (!check.ok) return check;
  const { manifest } = check;
  return {
    ok: true,
    summary: `${manifest.rowCount} rows, SHA-256 ${manifest.sha256}, chain seq ${manifest.firstSeq}–${manifest.lastSeq} (head ${manifest.headHash ?? 'none'}), signed ${manifest.signedAt} by key ${manifest.keyId}`,
  };
}
