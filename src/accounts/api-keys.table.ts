import type { Selectable } from 'kysely';

/** An org's credential for the vault's services (ingest); only the key's SHA-256 is stored. */
export interface ApiKeyTable {
  id: string;
  orgId: string;
  name: string;
  keyHash: string;
  /** The first characters of the key, so an admin can tell keys apart without seeing them. */
  prefix: string;
  createdAt: number;
  createdBy: string | null;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

export type ApiKeyRow = Selectable<ApiKeyTable>;

export interface SettingTable {
  key: string;
  value: string;
}
