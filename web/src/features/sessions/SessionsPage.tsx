import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ApiError, api } from '../../api/client.ts';
import type { Me, Session, User } from '../../api/types.ts';
import { Alert } from '../../components/Alert.tsx';
import { Link, navigate, useLocation } from '../../components/router.tsx';
import { formatCount, plural } from '../../lib/format.ts';
import { markReady } from '../../lib/perf.ts';
import { useNow } from '../../lib/time.ts';
import { EndSessionsDialog } from './EndSessionsDialog.tsx';
import { type LiveState, onSessionsChanged } from './live.ts';
import { SessionsTable } from './SessionsTable.tsx';

/** Last access moves without an event; refresh the list this often while the page is visible. */
const POLL_MS = 30_000;

interface SessionsPageProps {
  me: Me;
  live: LiveState;
  /** The caller ended their own session from this list. */
  onSelfEnded: () => void;
}

type Load =
  | { state: 'loading' }
  | { state: 'ready'; sessions: Session[] }
  | { state: 'error'; message: string };

/** Profile > Session Information: who is logged in, from where, on what; select and Logout. */
export function SessionsPage({ me, live, onSelfEnded }: SessionsPageProps) {
  const isAdmin = me.user.role === 'admin';
  const location = useLocation();
  const userFilter = isAdmin ? (location.search.get('user') ?? '') : '';
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [users, setUsers] = useState<User[]>([]);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [confirming, setConfirming] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const now = useNow(15_000);
  const request = useRef<AbortController | null>(null);

  useEffect(() => {
    document.title = 'Session Information · Vault Sessions';
  }, []);
  useEffect(() => {
    if (load.state !== 'loading') markReady();
  }, [load.state]);

  const refresh = useCallback(async () => {
    request.current?.abort();
    const abort = new AbortController();
    request.current = abort;
    try {
      const { sessions } = await api.sessions(userFilter || undefined, abort.signal);
      if (abort.signal.aborted) return;
      setLoad({ state: 'ready', sessions });
      // Sessions that ended meanwhile can no longer be selected.
      setSelected((old) => {
        const ids = new Set(sessions.map((s) => s.id));
        const kept = new Set([...old].filter((id) => ids.has(id)));
        return kept.size === old.size ? old : kept;
      });
    } catch (error) {
      if (abort.signal.aborted || (error instanceof ApiError && error.status === 401)) return;
      setLoad({ state: 'error', message: error instanceof Error ? error.message : 'Unknown error' });
    }
  }, [userFilter]);

  useEffect(() => {
    setLoad({ state: 'loading' });
    void refresh();
    const unsubscribe = onSessionsChanged(() => void refresh());
    const timer = window.setInterval(() => {
      if (document.visibilityState === 'visible') void refresh();
    }, POLL_MS);
    return () => {
      unsubscribe();
      window.clearInterval(timer);
      request.current?.abort();
    };
  }, [refresh]);

  useEffect(() => {
    if (!isAdmin) return;
    const abort = new AbortController();
    api
      .users(abort.signal)
      .then(({ users }) => setUsers(users))
      .catch(() => undefined);
    return () => abort.abort();
  }, [isAdmin]);

  const sessions = load.state === 'ready' ? load.sessions : [];
  const chosen = useMemo(() => sessions.filter((s) => selected.has(s.id)), [sessions, selected]);

  const endChosen = async () => {
    const ids = chosen.map((s) => s.id);
    const includesMine = chosen.some((s) => s.current);
    setActionError(null);
    try {
      const { terminated } = await api.endSessions(ids);
      setConfirming(false);
      if (includesMine) {
        onSelfEnded();
        return;
      }
      setSelected(new Set());
      setNotice(
        `Logged out ${plural(terminated, 'session')}. ${terminated === 1 ? 'It' : 'They'} must log in again.`,
      );
      await refresh();
    } catch (error) {
      setConfirming(false);
      if (error instanceof ApiError && error.status === 401) return;
      setActionError(
        error instanceof ApiError && error.status === 404
          ? 'Nothing was logged out: one of the selected sessions had already ended. The list is refreshed; select again.'
          : `Nothing was logged out: ${error instanceof Error ? error.message : 'unknown error'}`,
      );
      await refresh();
    }
  };

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
          onClick={() => {
            setNotice(null);
            setConfirming(true);
          }}
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

      {notice && <Alert tone="success">{notice}</Alert>}
      {actionError && <Alert tone="error">{actionError}</Alert>}

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
        open={confirming}
        sessions={chosen}
        onCancel={() => setConfirming(false)}
        onConfirm={endChosen}
      />
    </div>
  );
}
