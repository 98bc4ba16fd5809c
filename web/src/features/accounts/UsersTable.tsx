import type { UserListItem } from '../../api/types.ts';
import { RelativeTime } from '../../components/RelativeTime.tsx';
import { Link } from '../../components/router.tsx';
import { formatCount, plural } from '../../lib/format.ts';
import { formatDate, formatDateTime } from '../../lib/time.ts';
import { viewToSearch } from '../sessions/filter-url.ts';
import { type UserAction, userStatus } from './user-actions.ts';

interface UsersTableProps {
  users: UserListItem[];
  selfId: string;
  now: number;
  busy: boolean;
  onAction: (action: UserAction) => void;
}

/** Session Information filtered to one user (the parameter the sessions page reads). */
const sessionsOf = (userId: string) =>
  `/sessions?${viewToSearch({ filter: { userId }, sort: 'lastAccessAt', order: 'desc' })}`;

/** Username, role, status, live sessions, last activity, created, and what an admin may do to each. */
export function UsersTable({ users, selfId, now, busy, onAction }: UsersTableProps) {
  return (
    <div className="table-wrap" aria-busy={busy}>
      <table className={`data-table users-table${busy ? ' is-busy' : ''}`}>
        <caption className="visually-hidden">Users of the organization</caption>
        <thead>
          <tr>
            <th scope="col">Username</th>
            <th scope="col">Role</th>
            <th scope="col">Status</th>
            <th scope="col" className="num">
              Live sessions
            </th>
            <th scope="col">Last activity</th>
            <th scope="col">Created</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {users.map((user) => {
            const self = user.id === selfId;
            const status = userStatus(user);
            return (
              <tr key={user.id} data-username={user.username}>
                <td data-label="Username" className="username-cell">
                  <span className="username">{user.username}</span>
                  {self && <span className="badge badge-current">You</span>}
                </td>
                <td data-label="Role">
                  <span className={`role role-${user.role}`}>{user.role === 'admin' ? 'Admin' : 'User'}</span>
                </td>
                <td data-label="Status">
                  <span className={`status status-${status.tone}`}>{status.label}</span>
                </td>
                <td data-label="Live sessions" className="num">
                  {user.liveSessions > 0 ? (
                    <Link
                      href={sessionsOf(user.id)}
                      aria-label={`${plural(user.liveSessions, 'live session')} of ${user.username}`}
                    >
                      {formatCount(user.liveSessions)}
                    </Link>
                  ) : (
                    <span className="muted">0</span>
                  )}
                </td>
                <td data-label="Last activity">
                  {user.lastActivityAt ? (
                    <RelativeTime iso={user.lastActivityAt} now={now} />
                  ) : (
                    <span className="muted">Never</span>
                  )}
                </td>
                <td data-label="Created" className="nowrap">
                  <time dateTime={user.createdAt} title={formatDateTime(user.createdAt)}>
                    {formatDate(user.createdAt)}
                  </time>
                </td>
                <td className="actions-cell">
                  <UserActions user={user} self={self} onAction={onAction} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/**
 * One's own row offers only logging out one's other sessions: the API refuses disabling oneself
 * and resetting one's own password (that takes the current one), and demoting oneself would
 * leave this page at once.
 */
function UserActions({
  user,
  self,
  onAction,
}: {
  user: UserListItem;
  self: boolean;
  onAction: (action: UserAction) => void;
}) {
  const ownHint = 'Not for your own account';
  const label = (what: string) => `${what} ${user.username}`;
  return (
    <div className="row-actions">
      {user.lockedOut && !user.disabled && (
        <button
          type="button"
          className="button button-small"
          aria-label={label('Unlock')}
          onClick={() => onAction({ kind: 'unlock', user })}
        >
          Unlock
        </button>
      )}
      <button
        type="button"
        className="button button-small"
        disabled={self}
        title={self ? ownHint : undefined}
        aria-label={label(user.role === 'admin' ? 'Make user:' : 'Make admin:')}
        onClick={() => onAction({ kind: 'role', user, role: user.role === 'admin' ? 'user' : 'admin' })}
      >
        {user.role === 'admin' ? 'Make user' : 'Make admin'}
      </button>
      {/* One "Reset" group of two short buttons: the eight columns still fit at 1366 px. */}
      <span className="reset-group">
        <span className="reset-group-label" aria-hidden="true">
          Reset
        </span>
        <button
          type="button"
          className="button button-small"
          disabled={self}
          title={self ? 'Change your own password from the Profile menu' : 'Reset the password'}
          aria-label={label('Reset password of')}
          onClick={() => onAction({ kind: 'reset', user })}
        >
          Password
        </button>
        <button
          type="button"
          className="button button-small"
          disabled={self}
          title={
            self
              ? 'Manage your own two-factor authentication from the Profile menu'
              : 'Turn two-factor authentication off (a lost phone)'
          }
          aria-label={label('Reset two-factor of')}
          onClick={() => onAction({ kind: 'reset_mfa', user })}
        >
          2FA
        </button>
      </span>
      <button
        type="button"
        className="button button-small"
        disabled={user.liveSessions <= (self ? 1 : 0)}
        aria-label={label(self ? 'Log out other sessions of' : 'Log out all sessions of')}
        onClick={() => onAction({ kind: 'logout', user })}
      >
        Log out
      </button>
      <button
        type="button"
        className={user.disabled ? 'button button-small' : 'button button-small button-danger-quiet'}
        disabled={self}
        title={self ? ownHint : undefined}
        aria-label={label(user.disabled ? 'Enable' : 'Disable')}
        onClick={() => onAction({ kind: user.disabled ? 'enable' : 'disable', user })}
      >
        {user.disabled ? 'Enable' : 'Disable'}
      </button>
    </div>
  );
}
