import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';
import { describeKeys, distinctKeys, keyNamed, openPreviousKeys } from './previous-keys.js';
import { openSigningKey, type SigningKey } from './signing-key.js';

const rawPublicKey = () =>
  generateKeyPairSync('ed25519')
    .publicKey.export({ type: 'spki', format: 'der' })
    .subarray(12)
    .toString('base64');

const problemsOf = (run: () => unknown): string[] => {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('SIGNING_PREVIOUS_KEYS', () => {
  const folder = mkdtempSync(join(tmpdir(), 'vault-previous-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));
  const current = openSigningKey(join(folder, 'current.pem'), { create: true }) as SigningKey;

  it('reads a comma list of raw base64 keys, each once, that verify and never sign', () => {
    const [a, b] = [rawPublicKey(), rawPublicKey()];
    const config = loadConfig({ SIGNING_PREVIOUS_KEYS: ` ${a} ,${b},${a}` });
    expect(config.signingPreviousKeys).toEqual([a, b, a]);
    const keys = openPreviousKeys(config.signingPreviousKeys, current);
    expect(keys.map((key) => key.publicKeyBase64)).toEqual([a, b]);
    expect(keys.every((key) => key.privateKey === undefined)).toBe(true);
    expect(keyNamed(keys, keys[1]?.keyId ?? '')).toBe(keys[1]);
    expect(keyNamed(keys, current.keyId)).toBeUndefined();
    expect(describeKeys(distinctKeys([current, ...keys, current]))).toBe(
      `${current.keyId} or ${keys[0]?.keyId} or ${keys[1]?.keyId}`,
    );
  });

  it('refuses the current key listed as a previous one, naming the entry and the key', () => {
    const other = rawPublicKey();
    const problems = problemsOf(() => openPreviousKeys([other, current.publicKeyBase64], current));
    expect(problems).toEqual([
      `SIGNING_PREVIOUS_KEYS entry 2 is the current signing key ${current.keyId} (SIGNING_KEY_FILE): list only keys that no longer sign`,
    ]);
    // The CLI without a key file has no current key to compare with.
    expect(openPreviousKeys([current.publicKeyBase64], undefined)).toHaveLength(1);
  });

  it('refuses anything but a raw base64 key at load, naming the entry and echoing only its start', () => {
    const pem = current.publicKeyPem;
    const problems = problemsOf(() => loadConfig({ SIGNING_PREVIOUS_KEYS: `${rawPublicKey()},${pem},` }));
    expect(problems).toEqual([
      expect.stringMatching(
        /^SIGNING_PREVIOUS_KEYS entry 2 \("-----BEGIN P…"\) is not an Ed25519 public key/,
      ),
      expect.stringMatching(/^SIGNING_PREVIOUS_KEYS entry 3 \(""\) is not an Ed25519 public key/),
    ]);
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (junk) => {
        const entry = junk.replaceAll(',', '').trim();
        fc.pre(entry !== '' && !/^[A-Za-z0-9+/]{43}=$/.test(entry));
        const found = problemsOf(() => loadConfig({ SIGNING_PREVIOUS_KEYS: entry }));
        expect(found).toHaveLength(1);
        expect(found[0]).toContain('SIGNING_PREVIOUS_KEYS entry 1');
        expect(found[0]?.length).toBeLessThan(220);
      }),
    );
  });
});
