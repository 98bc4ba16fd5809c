import type { Selectable } from 'kysely';

/** A user's TOTP factor (migration 024); one per user, pending until `confirmedAt`. */
export interface TotpFactorTable {
  userId: string;
  orgId: string;
  /** The base32 secret, sealed by the secret box under `totp:<userId>`. */
  secret: string;
  createdAt: number;
  /** Null: enrolled but not yet confirmed with a code (it guards no login yet). */
  confirmedAt: number | null;
  /** The newest 30 s time step accepted; a code of this step or an older one is refused. */
  lastStep: number | null;
}

export type TotpFactorRow = Selectable<TotpFactorTable>;

/** A recovery code: SHA-256 of it (hex); it signs in once. */
export interface RecoveryCodeTable {
  userId: string;
  codeHash: string;
  createdAt: number;
  usedAt: number | null;
}

/** What an `mfaToken` lets its holder do: finish with a code, or enrol (org policy `requireMfa`). */
export type MfaTokenPurpose = 'verify' | 'enrol';

/** The token a password login answers with while a second factor is outstanding (SHA-256 stored). */
export interface MfaTokenTable {
  tokenHash: string;
  userId: string;
  orgId: string;
  purpose: MfaTokenPurpose;
  createdAt: number;
  expiresAt: number;
  /** Set when a login is finishing with it (a wrong code clears it again), for good once it finished. */
  usedAt: number | null;
}

export type MfaTokenRow = Selectable<MfaTokenTable>;
