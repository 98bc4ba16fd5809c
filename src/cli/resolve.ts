import { AppError } from '../kernel/errors.js';
import type { CliContext } from './context.js';

/** The org named on the command line, or a clear error. */
export async function resolveOrg(context: CliContext, name: string) {
  const org = await context.accounts.orgNamed(name);
  if (!org) throw new AppError('NOT_FOUND', `no org named "${name}"`);
  return org;
}

/** The user named on the command line (in `org`, when given), or a clear error. */
export async function resolveUser(context: CliContext, username: string, org?: { id: string; name: string }) {
  const user = await context.accounts.userNamed(username);
  if (org && user?.orgId !== org.id) {
    throw new AppError('NOT_FOUND', `no user named "${username}" in org "${org.name}"`);
  }
  if (!user) throw new AppError('NOT_FOUND', `no user named "${username}"`);
  return user;
}
