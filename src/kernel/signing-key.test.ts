import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSigningKey, parsePublicKey, signingKeyPath, signText, verifyText } from './signing-key.js';

describe('the signing key', () => {
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'vault-key-'));
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it('lives beside the SQLite file, in ./data for PostgreSQL or memory, or where SIGNING_KEY_FILE says', () => {
    const sqlite = { engine: 'sqlite' as const, path: join(folder, 'db', 'vault.db') };
    expect(signingKeyPath({ database: sqlite, signingKeyFile: undefined })).toBe(
      join(folder, 'db', 'signing-key.pem'),
    );
    const postgres = { engine: 'postgres' as const, url: 'postgres://x' };
    expect(signingKeyPath({ database: postgres, signingKeyFile: undefined })).toBe(
      resolve('data', 'signing-key.pem'),
    );
    const memory = { engine: 'sqlite' as const, path: ':memory:' };
    expect(signingKeyPath({ database: memory, signingKeyFile: undefined })).toBe(
      resolve('data', 'signing-key.pem'),
    );
    expect(signingKeyPath({ database: postgres, signingKeyFile: '/etc/vault/k.pem' })).toBe(
      '/etc/vault/k.pem',
    );
  });

  it('is generated once, owner-readable only, and read back the same; without create a missing one is absent', () => {
    const path = join(folder, 'sub', 'signing-key.pem');
    expect(openSigningKey(path, { create: false })).toBeUndefined();
    const first = openSigningKey(path, { create: true });
    const again = openSigningKey(path, { create: true });
    expect(again?.keyId).toBe(first?.keyId);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    if (!first) throw new Error('no key');
    const signature = signText(first, 'head');
    const published = parsePublicKey(first.publicKeyBase64);
    if (!published) throw new Error('the base64 key does not parse');
    expect(verifyText(published, 'head', signature)).toBe(true);
    expect(verifyText(published, 'head!', signature)).toBe(false);
    expect(verifyText(published, 'head', 'not base64 at all')).toBe(false);
    expect(() => signText(published, 'head')).toThrow('no private half');
  });

  it('refuses a key of another kind, and parses no public key out of junk', () => {
    const path = join(folder, 'rsa.pem');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    expect(() => openSigningKey(path, { create: true })).toThrow('is not an Ed25519 private key');
    for (const junk of ['', 'abc', 'A'.repeat(43), `${'A'.repeat(43)}=x`, '-----BEGIN PUBLIC KEY-----\nxx']) {
      expect(parsePublicKey(junk)).toBeUndefined();
    }
  });
});
