import type { Role, UserRow } from './accounts.table.js';

/** A user as the API shows it: never the password hash. */
export interface User {
  id: string;
  orgId: string;
  username: string;
  role: Role;
  disabled: boolean;
  createdAt: string;
}

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    orgId: row.orgId,
    username: row.username,
    role: row.role,
    disabled: row.disabledAt !== null,
    createdAt: new Date(row.createdAt).toISOString(),
  };
}

export const USERNAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$';

/** Usernames are case-insensitive; this is the form that is stored and compared. */
export const normalizeUsername = (username: string): string => username.trim().toLowerCase();
