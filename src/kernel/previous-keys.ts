import { ConfigError } from './config.js';
import { parsePublicKey, type SigningKey } from './signing-key.js';

/**
 * The retired public keys of SIGNING_PREVIOUS_KEYS (decision 024): they still verify the
 * checkpoints and manifests they signed, and never sign. Listing the current key is refused, with
 * every bad entry named: it would say the key was retired when it still signs.
 */
export function openPreviousKeys(given: readonly string[], current: SigningKey | undefined): SigningKey[] {
  const problems: string[] = [];
  const keys: SigningKey[] = [];
  for (const [index, text] of given.entries()) {
    const entry = `SIGNING_PREVIOUS_KEYS entry ${index + 1}`;
    const key = parsePublicKey(text);
    if (!key) problems.push(`${entry} is not an Ed25519 public key`);
    else if (key.keyId === current?.keyId) {
      problems.push(
        `${entry} is the current signing key ${key.keyId} (SIGNING_KEY_FILE): list only keys that no longer sign`,
      );
    } else if (!keys.some((known) => known.keyId === key.keyId)) keys.push(key);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return keys;
}

/**
 * The key among `keys` that a checkpoint or manifest names by its keyId. Only a choice: the
 * signature is still checked with it, so a keyId rewritten to another trusted key gains nothing.
 */
export function keyNamed(keys: readonly SigningKey[], keyId: string): SigningKey | undefined {
  return keys.find((key) => key.keyId === keyId);
}

/** The ids of the keys something is checked with, for a report: `a1…` or `a1… or b2…`. */
export function describeKeys(keys: readonly SigningKey[]): string {
  return keys.map((key) => key.keyId).join(' or ');
}

/** Keys in the order given, each once (an auditor may pass the same key twice). */
export function distinctKeys(keys: readonly (SigningKey | undefined)[]): SigningKey[] {
  const distinct: SigningKey[] = [];
  for (const key of keys) {
    if (key && !keyNamed(distinct, key.keyId)) distinct.push(key);
  }
  return distinct;
}
