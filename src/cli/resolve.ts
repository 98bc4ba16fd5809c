import { findOrgByName, findUserByUsername } from '../accounts/accounts.repository.js';
import { normalizeUsername } from '../accounts/user.js';
import { AppError } from '../http/errors.js';
import type { CliContext } from './context.js';

/** The org named on the command line, or a clear error. */
export async function resolveOrg(context: CliContext, name: string) {
  const org = await findOrgByName(context.database.db, name);
  if (!org) throw new AppError('NOT_FOUND', `no org named "${name}"`);
  return org;
}

/** The user named on the command line (in `org`, when given), or a clear error. */
export async function resolveUser(context: CliContext, username: string, org?: { id: string; name: string }) {
  const user = await findUserByUsername(context.database.db, normalizeUsername(username));
  if (org && user?.orgId !== org.id) {
    throw new AppError('NOT_FOUND', `no user named "${username}" in org "${org.name}"`);
  }
  if (!user) throw new AppError('NOT_FOUND', `no user named "${username}"`);
  return user;
}
