import type { Role } from '../kernel/actor.js';
import type { UserRow } from './accounts.table.js';

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

// Where every lookup by name (login, ingest, search, the CLI) has long imported it from.
export { normalizeUsername } from '../kernel/username.js';
