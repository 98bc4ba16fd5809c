import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import type { Config } from '../kernel/config.js';
import { countUsers } from './accounts.repository.js';
import type { AccountService } from './accounts.service.js';

const FIRST_ORG_NAME = 'My organization';
const GENERATED_ADMIN = 'admin';

export interface BootstrapResult {
  username: string;
  /** Only when the password was generated: shown once, stored nowhere in clear. */
  generatedPassword?: string;
}

/** On a first start with no users: creates the first org and its admin. */
export async function bootstrapFirstAdmin(
  db: Kysely<Schema>,
  accounts: AccountService,
  config: Pick<Config, 'adminUsername' | 'adminPassword'>,
): Promise<BootstrapResult | undefined> {
  if ((await countUsers(db)) > 0) return undefined;
  const username = config.adminUsername ?? GENERATED_ADMIN;
  const generatedPassword = config.adminPassword ? undefined : randomBytes(15).toString('base64url');
  const password = config.adminPassword ?? (generatedPassword as string);
  try {
    await accounts.createOrgWithAdmin({ orgName: FIRST_ORG_NAME, username, password });
  } catch (error) {
    // Another instance starting at the same moment won the race; its admin stands.
    if ((await countUsers(db)) > 0) return undefined;
    throw error;
  }
  return generatedPassword ? { username, generatedPassword } : { username };
}
