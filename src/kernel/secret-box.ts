import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Config } from './config.js';
import { signingKeyPath } from './signing-key.js';

/**
 * Encrypts the secrets the vault must read back (an SSO client secret, a TOTP seed) with
 * AES-256-GCM under a key kept in a file, never in the database: a copy of the database alone
 * reveals none of them. Each sealed value is bound to a `context` (say `sso:<orgId>`), so a value
 * copied into another row does not open there.
 */
export interface SecretBox {
  /** `v1.<keyId>.<iv>.<ciphertext>.<tag>`, base64url parts. */
  seal(plaintext: string, context: string): string;
  /** The plaintext; throws when the value was sealed under another key or context, or altered. */
  open(sealed: string, context: string): string;
  /** The first 8 hex digits of SHA-256 of the key: which key sealed a value. */
  keyId: string;
}

const KEY_BYTES = 32;
const IV_BYTES = 12;

/** SECRETS_KEY_FILE, or `secrets.key` in the signing key's folder (the same rules: signing-key.ts). */
export function secretsKeyPath(
  config: Pick<Config, 'secretsKeyFile' | 'signingKeyFile' | 'database'>,
): string {
  if (config.secretsKeyFile) return resolve(config.secretsKeyFile);
  return join(dirname(signingKeyPath(config)), 'secrets.key');
}

/**
 * Reads the key file (32 random bytes, base64); with `create`, writes one on first start (readable
 * by its owner only, never overwritten: a second instance starting at once reads the winner's).
 */
export function openSecretBox(path: string, options: { create: boolean }): SecretBox | undefined {
  if (!existsSync(path)) {
    if (!options.create) return undefined;
    mkdirSync(dirname(path), { recursive: true });
    try {
      writeFileSync(path, `${randomBytes(KEY_BYTES).toString('base64')}\n`, { flag: 'wx', mode: 0o600 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
  if (key.length !== KEY_BYTES) throw new Error(`${path} must hold ${KEY_BYTES} bytes in base64`);
  return createSecretBox(key);
}

export function createSecretBox(key: Buffer): SecretBox {
  const keyId = createHash('sha256').update(key).digest('hex').slice(0, 8);
  return {
    keyId,
    seal(plaintext, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const parts = [iv, ciphertext, cipher.getAuthTag()].map((part) => part.toString('base64url'));
      return ['v1', keyId, ...parts].join('.');
    },
    open(sealed, context) {
      const [version, sealedBy, iv, ciphertext, tag, ...rest] = sealed.split('.');
      if (
        version !== 'v1' ||
        iv === undefined ||
        ciphertext === undefined ||
        tag === undefined ||
        rest.length > 0
      ) {
        throw new Error('not a sealed secret');
      }
      if (sealedBy !== keyId) throw new Error(`sealed under another key (${sealedBy}; this one is ${keyId})`);
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([
        decipher.update(Buffer.from(ciphertext, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    },
  };
}
