import type { Selectable } from 'kysely';

/** An org's credential for the vault's services (ingest, introspection); only the key's SHA-256 is stored. */
export interface ApiKeyTable {
  id: string;
  orgId: string;
  name: string;
  keyHash: string;
  /** The first characters of the key, so an admin can tell keys apart without seeing them. */
  prefix: string;
  /** Space-separated scopes (contracts/api-keys.ts); `activities:write` for keys made before scopes. */
  scopes: string;
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
