import { hash, verify } from '@node-rs/argon2';
import { AppError } from '../kernel/errors.js';

const MIN_PASSWORD_LENGTH = 12;
const MAX_PASSWORD_LENGTH = 256;

// OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane (argon2id is the library's default algorithm).
const ARGON2_OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

/** Hashes a password with argon2id (salted, PHC string). */
export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

/** True when the password matches; a malformed stored hash counts as a mismatch. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/** Spends the same time as a real check so a response never reveals whether a username exists. */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummyHash ??= hashPassword('dummy password that matches nobody');
  await verifyPassword(await dummyHash, password);
  return false;
}

/** Throws INVALID_INPUT when a new password breaks the policy. */
export function assertPasswordPolicy(password: string, username: string, field = 'password'): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new AppError('INVALID_INPUT', `${field} must be at least ${MIN_PASSWORD_LENGTH} characters long`);
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw new AppError('INVALID_INPUT', `${field} must be at most ${MAX_PASSWORD_LENGTH} characters long`);
  }
  if (password.toLowerCase().includes(username.toLowerCase())) {
    throw new AppError('INVALID_INPUT', `${field} must not contain the username`);
  }
}
