import type { Role, UserListItem } from '../../api/types.ts';

/** What an admin asked to do to one user, waiting for their confirmation. */
export type UserAction =
  | { kind: 'disable' | 'enable' | 'reset' | 'logout' | 'unlock' | 'reset_mfa'; user: UserListItem }
  | { kind: 'role'; user: UserListItem; role: Role };

/** How a user's state shows: a disabled user cannot log in at all, a locked-out one not by password for a while. */
export function userStatus(user: UserListItem): { label: string; tone: 'ok' | 'bad' | 'warn' } {
  if (user.disabled) return { label: 'Disabled', tone: 'bad' };
  if (user.lockedOut) return { label: 'Locked out', tone: 'warn' };
  return { label: 'Active', tone: 'ok' };
}
