import type { Kysely } from 'kysely';
import type { UserRow } from '../../accounts/accounts.table.js';
import type { Schema } from '../../db/schema.js';
import type { Clock } from '../../kernel/clock.js';
import type { SecretBox } from '../../kernel/secret-box.js';
import type { SessionService } from '../../sessions/sessions.service.js';

/** The users SSO finds and creates, through the accounts service (never its SQL). */
export interface SsoUsers {
  signInUserNamed(username: string): Promise<UserRow | undefined>;
  signInUserById(orgId: string, userId: string): Promise<UserRow | undefined>;
  createSsoUser(input: { orgId: string; username: string; issuer: string }): Promise<UserRow>;
}

export interface SsoDeps {
  db: Kysely<Schema>;
  clock: Clock;
  secretBox: SecretBox | undefined;
  users: SsoUsers;
  sessions: Pick<SessionService, 'openSession'>;
}
