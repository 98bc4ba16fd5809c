import { hash, randomBytes } from 'node:crypto';

const TOKEN_BYTES = 32;

/** 256 bits from the CSPRNG, base64url: the cookie value, shown to nobody else, stored nowhere. */
export function generateSessionToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

/** What the database stores instead of the token. */
export function hashToken(token: string): string {
  // The one-shot crypto.hash (Node 20.12+) skips the Hash object: this runs on every request.
  return hash('sha256', token, 'hex');
}
