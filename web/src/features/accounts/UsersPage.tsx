import { useEffect, useMemo, useState } from 'react';
import { ApiError, api } from '../../api/client.ts';
import type { Me, UserListItem } from '../../api/types.ts';
import { Alert } from '../../components/Alert.tsx';
import { Link } from '../../components/router.tsx';
import { plural } from '../../lib/format.ts';
import { markReady } from '../../lib/perf.ts';
import { useNow } from '../../lib/time.ts';
import { AddUserDialog } from './AddUserDialog.tsx';
import { UserActionDialog } from './UserActionDialog.tsx';
import { UsersTable } from './UsersTable.tsx';
import { byUsername, type UserAction } from './user-actions.ts';

type Load =
  | { state: 'loading'; last: UserListItem[] | null }
  | { state: 'ready'; users: UserListItem[] }
  | { state: 'error'; message: string };

/** Users (admins only): who can log in, their live sessions and last activity, and managing them. */
export function UsersPage({ me }: { me: Me }) {
  useEffect(() => {
    document.title = 'Users · Vault Sessions';
  }, []);
  if (me.user.role !== 'admin') {
    return (
      <div className="page">
        <h1>Users</h1>
        <Alert tone="info" title="Admins only">
          Only an admin of your organization can see and manage its users. Your own sessions are on{' '}
          <Link href="/sessions">Session Information</Link>.
        </Alert>
      </div>
    );
  }
  return <UsersOfOrg me={me} />;
}

function UsersOfOrg({ me }: { me: Me }) {
  const now = useNow();
  const [load, setLoad] = useState<Load>({ state: 'loading', last: null });
  const [reload, setReload] = useState(0);
  const [adding, setAdding] = useState(false);
  const [action, setAction] = useState<UserAction | null>(null);
  const [added, setAdded] = useState<string | null>(null);
  const [query, setQuery] = useState('');

  // biome-ignore lint/correctness/useExhaustiveDependencies: reload is the "load again" trigger
  useEffect(() => {
    const abort = new AbortController();
    setLoad((old) => ({ state: 'loading', last: old.state === 'ready' ? old.users : null }));
    api
      .users(abort.signal)
      .then(({ users }) => setLoad({ state: 'ready', users: [...users].sort(byUsername) }))
      .catch((error: unknown) => {
        if (abort.signal.aborted || (error instanceof ApiError && error.status === 401)) return;
        setLoad({ state: 'error', message: error instanceof Error ? error.message : 'Unknown error' });
      });
    return () => abort.abort();
  }, [reload]);

  useEffect(() => {
    if (load.state !== 'loading') markReady();
  }, [load.state]);

  const users = load.state === 'ready' ? load.users : load.state === 'loading' ? load.last : null;
  const shown = useMemo(() => {
    const text = query.trim().toLowerCase();
    return text && users ? users.filter((u) => u.username.includes(text)) : users;
  }, [users, query]);
  const refresh = () => setReload((n) => n + 1);

  return (
    <div className="page">
      <div className="page-head">
        <div>
          <p className="breadcrumb">Profile › Users</p>
          <h1>Users</h1>
          <p className="muted">
            Who can log in to your organization, what they are doing now, and their access.
          </p>
        </div>
        <div className="page-actions">
          <button type="button" className="button button-primary" onClick={() => setAdding(true)}>
            Add user
          </button>
        </div>
      </div>

      {added && (
        <Alert tone="success" title="User added">
          {added} can log in now with the password you gave.
        </Alert>
      )}

      <div className="toolbar">
        <p className="toolbar-count" aria-live="polite">
          {users &&
            (shown && shown.length !== users.length
              ? `${plural(shown.length, 'user')} of ${users.length}`
              : plural(users.length, 'user'))}
        </p>
        <div className="field-inline">
          <label htmlFor="user-search">Find</label>
          <input
            id="user-search"
            type="search"
            placeholder="Username"
            value={query}
            onChange={(event) => setQuery(event.target.value)}
          />
        </div>
      </div>

      {load.state === 'error' && (
        <Alert tone="error" title="The users could not be loaded">
          {load.message}{' '}
          <button type="button" className="link-button" onClick={refresh}>
            Try again
          </button>
        </Alert>
      )}
      {!users && load.state === 'loading' && <p className="placeholder">Loading users…</p>}
      {shown && shown.length === 0 && (
        <div className="empty">
          <p className="empty-title">No user matches “{query.trim()}”</p>
        </div>
      )}
      {shown && shown.length > 0 && (
        <UsersTable
          users={shown}
          selfId={me.user.id}
          now={now}
          busy={load.state === 'loading'}
          onAction={setAction}
        />
      )}

      <AddUserDialog
        open={adding}
        onClose={() => setAdding(false)}
        onAdded={(username) => {
          setAdded(username);
          refresh();
        }}
      />
      <UserActionDialog
        action={action}
        selfId={me.user.id}
        onClose={() => setAction(null)}
        onDone={refresh}
      />
    </div>
  );
}
