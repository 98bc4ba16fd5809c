import { Secret, TOTP } from 'otpauth';

/** RFC 6238 as every authenticator app reads it by default: SHA1, 6 digits, 30 s steps. */
export const TOTP_PERIOD_S = 30;
const TOTP_DIGITS = 6;
/** Steps either side of now a code may come from: a phone clock a little off, a code typed late. */
const TOTP_WINDOW = 1;
const ISSUER = 'Vault Sessions';

/** A new secret: 20 random bytes (160 bits, RFC 4226's recommendation), as base32. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

function totpOf(secret: string, label = ''): TOTP {
  return new TOTP({
    issuer: ISSUER,
    label,
    secret: Secret.fromBase32(secret),
    algorithm: 'SHA1',
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_S,
  });
}

/** The `otpauth://totp/...` URI the QR code carries. */
export function otpauthUrl(secret: string, username: string): string {
  return totpOf(secret, username).toString();
}

/** The time step a six-digit code belongs to, at `now` ± one step; undefined when it fits none. */
export function totpStep(secret: string, code: string, now: number): number | undefined {
  const delta = totpOf(secret).validate({ token: code, timestamp: now, window: TOTP_WINDOW });
  if (delta === null) return undefined;
  return Math.floor(now / 1000 / TOTP_PERIOD_S) + delta;
}

/**
 * The TOTP code in what was typed: six digits, spaces allowed ("123 456", as apps show them);
 * undefined for anything else, which is then taken for a recovery code.
 */
export function totpCodeOf(typed: string): string | undefined {
  const compact = typed.replace(/\s/g, '');
  return /^\d{6}$/.test(compact) ? compact : undefined;
}
