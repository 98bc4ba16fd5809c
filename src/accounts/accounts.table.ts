import type { Insertable, Selectable } from 'kysely';
import type { Role } from '../kernel/actor.js';

export interface OrgTable {
  id: string;
  name: string;
  createdAt: number;
}

export interface UserTable {
  id: string;
  orgId: string;
  /** Stored lower-case: usernames are unique across the whole vault, case-insensitively. */
  username: string;
  passwordHash: string;
  role: Role;
  disabledAt: number | null;
  createdAt: number;
  passwordChangedAt: number;
}

export type OrgRow = Selectable<OrgTable>;
export type UserRow = Selectable<UserTable>;
export type NewUserRow = Insertable<UserTable>;
