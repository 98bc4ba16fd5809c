import type { User } from '../contracts/accounts.js';
import type { UserRow } from './accounts.table.js';

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
