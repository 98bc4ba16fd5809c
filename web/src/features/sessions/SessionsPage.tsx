import { useEffect, useMemo } from 'react';
import type { Me } from '../../api/types.ts';
import { Alert } from '../../components/Alert.tsx';
import { Link, navigate, useLocation } from '../../components/router.tsx';
import { formatCount, plural } from '../../lib/format.ts';
import { markReady } from '../../lib/perf.ts';
import { useNow } from '../../lib/time.ts';
import { useOrgUsers } from '../accounts/org-users.ts';
import { EndSessionsDialog } from './EndSessionsDialog.tsx';
import type { LiveState } from './live.ts';
import { useLogoutAction } from './logout-action.ts';
import { SessionsTable } from './SessionsTable.tsx';
import { useSelection } from './selection.ts';
import { useSessionList } from './session-list.ts';

interface SessionsPageProps {
  me: Me;
  live: LiveState;
  /** The caller ended their own session from this list. */
  onSelfEnded: () => void;
}

/** Profile > Session Information: who is logged in, from where, on what; select and Logout. */
export function SessionsPage({ me, live, onSelfEnded }: SessionsPageProps) {
  const isAdmin = me.user.role === 'admin';
  const location = useLocation();
  const userFilter = isAdmin ? (location.search.get('user') ?? '') : '';
  const { list: load, refresh, forget } = useSessionList(userFilter || undefined);
  const users = useOrgUsers(isAdmin);
  const sessions = useMemo(() => (load.state === 'ready' ? load.sessions : []), [load]);
  const [selected, setSelected] = useSelection(sessions);
  const chosen = useMemo(() => sessions.filter((s) => selected.has(s.id)), [sessions, selected]);
  const logout = useLogoutAction({
    onSelfEnded,
    onEnded: (ids) => {
      forget(ids);
      setSelected(new Set());
    },
    onFailed: refresh,
  });
  const now = useNow(15_000);

  useEffect(() => {
    document.title = 'Session Information · Vault Sessions';
  }, []);
  useEffect(() => {
    if (load.state !== 'loading') markReady();
  }, [load.state]);

  const filterUser = users.find((u) => u.id === userFilter);

  return (
    <div className="page">
      <div className="page-head">
        <div>
          <p className="breadcrumb">Profile</p>
          <h1>Session Information</h1>
          <p className="muted">
            {isAdmin
              ? 'Every active session of your organization. Select sessions and choose Logout to end them at once.'
              : 'Your active sessions. If you do not recognise one, log it out and change your password.'}
          </p>
        </div>
        <div className="page-actions">
          <span className={`live live-${live}`} role="status">
            <span className="live-dot" aria-hidden="true" />
            {live === 'live' ? 'Live' : live === 'connecting' ? 'Connecting…' : 'Reconnecting…'}
          </span>
          <Link href="/activity" className="button">
            Activity Log
          </Link>
        </div>
      </div>

      <div className="toolbar">
        {isAdmin && (
          <div className="field field-inline">
            <label htmlFor="session-user">User</label>
            <select
              id="session-user"
              value={userFilter}
              onChange={(event) => {
                const value = event.target.value;
                navigate(value ? `/sessions?user=${encodeURIComponent(value)}` : '/sessions', {
                  replace: true,
                });
              }}
            >
              <option value="">All users</option>
              {users.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.username}
                </option>
              ))}
            </select>
          </div>
        )}
        <p className="toolbar-count" aria-live="polite">
          {load.state === 'ready' &&
            `${plural(sessions.length, 'active session')}${selected.size ? ` · ${formatCount(selected.size)} selected` : ''}`}
        </p>
        <button
          type="button"
          className="button button-danger"
          disabled={selected.size === 0}
          onClick={logout.ask}
        >
          Logout{selected.size > 0 ? ` (${formatCount(selected.size)})` : ''}
        </button>
      </div>

      <p className="note">
        <svg viewBox="0 0 16 16" aria-hidden="true" focusable="false">
          <circle cx="8" cy="8" r="7" />
          <path d="M8 7v4M8 4.5v.5" />
        </svg>
        City and Location are approximate: they come from the public IP address, and IP geolocation accuracy
        varies.
      </p>

      {logout.notice && <Alert tone="success">{logout.notice}</Alert>}
      {logout.error && <Alert tone="error">{logout.error}</Alert>}

      {load.state === 'error' && (
        <Alert tone="error" title="The sessions could not be loaded">
          {load.message}{' '}
          <button type="button" className="link-button" onClick={() => void refresh()}>
            Try again
          </button>
        </Alert>
      )}
      {load.state === 'loading' && <p className="placeholder">Loading sessions…</p>}
      {load.state === 'ready' && sessions.length === 0 && (
        <div className="empty">
          <p className="empty-title">No active sessions</p>
          <p className="muted">
            {filterUser
              ? `${filterUser.username} is not logged in anywhere.`
              : 'Nobody is logged in right now.'}
          </p>
        </div>
      )}
      {load.state === 'ready' && sessions.length > 0 && (
        <SessionsTable sessions={sessions} selected={selected} onSelect={setSelected} now={now} />
      )}

      <EndSessionsDialog
        open={logout.confirming}
        sessions={chosen}
        onCancel={logout.cancel}
        onConfirm={() => logout.confirm(chosen)}
      />
    </div>
  );
}
