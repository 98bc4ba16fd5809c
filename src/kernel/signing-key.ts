import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Config } from './config.js';

/**
 * The Ed25519 key that signs the activity chain's checkpoints and export manifests (decision 019).
 * It lives in a file and never in the database: whoever can rewrite the database must not be able
 * to sign what they wrote.
 */
export interface SigningKey {
  /** Absent when only the public half is known (a verifier given `--public-key`). */
  privateKey: KeyObject | undefined;
  publicKey: KeyObject;
  /** The raw 32-byte public key, base64: what `--public-key` takes and the API shows. */
  publicKeyBase64: string;
  publicKeyPem: string;
  /** The first 16 hex digits of SHA-256 of the raw public key: which key signed a checkpoint. */
  keyId: string;
}

/** The prefix of an Ed25519 public key's SPKI DER encoding; the raw 32 bytes follow it. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/**
 * SIGNING_KEY_FILE, or beside the SQLite file; for PostgreSQL or an in-memory SQLite database,
 * `./data/signing-key.pem` (where the default SQLite file would live). Instances sharing one
 * PostgreSQL database must share one key file: set SIGNING_KEY_FILE on all of them.
 */
export function signingKeyPath(config: Pick<Config, 'signingKeyFile' | 'database'>): string {
  if (config.signingKeyFile) return resolve(config.signingKeyFile);
  const { database } = config;
  if (database.engine === 'sqlite' && database.path !== ':memory:') {
    return join(dirname(resolve(database.path)), 'signing-key.pem');
  }
  return resolve('data', 'signing-key.pem');
}

/**
 * Reads the private key; with `create`, generates one on first start (the file written once,
 * readable by its owner only, never overwritten: a second instance starting at the same moment
 * reads the one that won). Without `create` a missing file is answered undefined.
 */
export function openSigningKey(path: string, options: { create: boolean }): SigningKey | undefined {
  if (!existsSync(path)) {
    if (!options.create) return undefined;
    const { privateKey } = generateKeyPairSync('ed25519');
    mkdirSync(dirname(path), { recursive: true });
    try {
      writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), { flag: 'wx', mode: 0o600 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  const privateKey = createPrivateKey(readFileSync(path));
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new Error(`${path} is not an Ed25519 private key (it is ${privateKey.asymmetricKeyType})`);
  }
  return describeKey(createPublicKey(privateKey), privateKey);
}

/**
 * A public key as an operator passes it: the raw key in base64 (as `GET /api/activities/signing-key`
 * shows it), a PEM text, or the path of a PEM file (public or private). Undefined when it is none.
 */
export function parsePublicKey(given: string): SigningKey | undefined {
  const text = given.trim();
  try {
    if (text.includes('-----BEGIN')) return describeKey(createPublicKey(text), undefined);
    const raw = Buffer.from(text, 'base64');
    if (/^[A-Za-z0-9+/]{43}=$/.test(text) && raw.length === 32) {
      const der = Buffer.concat([ED25519_SPKI_PREFIX, raw]);
      return describeKey(createPublicKey({ key: der, format: 'der', type: 'spki' }), undefined);
    }
    if (existsSync(text)) return describeKey(createPublicKey(readFileSync(text, 'utf8')), undefined);
  } catch {
    return undefined;
  }
  return undefined;
}

function describeKey(publicKey: KeyObject, privateKey: KeyObject | undefined): SigningKey | undefined {
  if (publicKey.asymmetricKeyType !== 'ed25519') return undefined;
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const raw = der.subarray(ED25519_SPKI_PREFIX.length);
  return {
    privateKey,
    publicKey,
    publicKeyBase64: raw.toString('base64'),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    keyId: createHash('sha256').update(raw).digest('hex').slice(0, 16),
  };
}

/** The base64 Ed25519 signature of a text's UTF-8 bytes. */
export function signText(key: SigningKey, text: string): string {
  if (!key.privateKey) throw new Error('this key has no private half: it can verify, not sign');
  return sign(null, Buffer.from(text, 'utf8'), key.privateKey).toString('base64');
}

/** Whether `signature` (base64) is the key's signature of the text; false for a malformed one. */
export function verifyText(key: SigningKey, text: string, signature: string): boolean {
  try {
    return verify(null, Buffer.from(text, 'utf8'), key.publicKey, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}
