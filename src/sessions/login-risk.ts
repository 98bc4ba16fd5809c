import type { Kysely } from 'kysely';
import { ACTIVITY } from '../activity/activity-names.js';
import type { ActivityEvent } from '../activity/chain/record.js';
import type { Schema } from '../db/schema.js';
import { lockUserLogins, readLoginHistory } from './login-history.repository.js';
import { assessRisk } from './risk-flags.js';

/** What the flags are read from and recorded with: a new session's row as a login builds it. */
interface LoginRow {
  id: string;
  userId: string;
  username: string;
  createdAt: number;
  publicIp: string;
  deviceType: string;
  os: string;
  browser: string;
  osName: string;
  browserName: string;
  countryCode: string | null;
  latitude: number | null;
  longitude: number | null;
}

/**
 * A login's risk flags against the user's earlier sessions, inside the login's transaction and
 * under the user's login lock, so parallel logins are compared one after the other: the row's
 * `flags` and `travel` columns, and the `session.flagged` activity when any flag was raised.
 */
export async function assessLoginRisk(
  trx: Kysely<Schema>,
  row: LoginRow,
): Promise<{ columns: { flags: string; travel: string | null }; activities: ActivityEvent[] }> {
  await lockUserLogins(trx, row.userId);
  const { flags, travel } = assessRisk(row, await readLoginHistory(trx, row));
  const columns = { flags: flags.join(' '), travel: travel === null ? null : JSON.stringify(travel) };
  if (flags.length === 0) return { columns, activities: [] };
  const flagged: ActivityEvent = {
    occurredAt: row.createdAt,
    userId: row.userId,
    username: row.username,
    activity: ACTIVITY.SESSION_FLAGGED,
    status: 'success',
    target: `${row.username} (${row.browser} on ${row.os}, ${row.publicIp})`,
    details: JSON.stringify(travel === null ? { flags } : { flags, travel }),
    publicIp: row.publicIp,
    sessionId: row.id,
  };
  return { columns, activities: [flagged] };
}
