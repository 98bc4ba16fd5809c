import { createHash, randomInt } from 'node:crypto';

export const RECOVERY_CODE_COUNT = 10;
/** Crockford's base32 without the look-alikes (no i, l, o, u): 32 symbols, 5 bits each. */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const GROUPS = 4;
const GROUP_LENGTH = 4;

/**
 * Ten codes of 16 random symbols (80 bits each), written `xxxx-xxxx-xxxx-xxxx`. With that much
 * entropy a fast SHA-256 is enough to store them: no one guesses or brute-forces one from its
 * hash, and a login checking a code costs a lookup instead of ten argon2 runs.
 */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () =>
    Array.from({ length: GROUPS }, () =>
      Array.from({ length: GROUP_LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join(''),
    ).join('-'),
  );
}

/** How a code is typed does not matter: case, spaces and dashes are left out before hashing. */
export function hashRecoveryCode(code: string): string {
  const canonical = code.toLowerCase().replace(/[\s-]/g, '');
  return createHash('sha256').update(canonical).digest('hex');
}
