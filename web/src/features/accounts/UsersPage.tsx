import { useEffect, useState } from 'react';
import type { Me } from '../../api/types.ts';
import { Alert } from '../../components/Alert.tsx';
import { Link } from '../../components/router.tsx';
import { formatCount } from '../../lib/format.ts';
import { markReady } from '../../lib/perf.ts';
import { useNow } from '../../lib/time.ts';
import { Pager } from '../sessions/Pager.tsx';
import { PAGE_SIZE, usePaging } from '../sessions/paging.ts';
import { AddUserDialog } from './AddUserDialog.tsx';
import { UserActionDialog } from './UserActionDialog.tsx';
import { UsersTable } from './UsersTable.tsx';
import type { UserAction } from './user-actions.ts';
import { useUserPage } from './user-page.ts';

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
  const [adding, setAdding] = useState(false);
  const [action, setAction] = useState<UserAction | null>(null);
  const [added, setAdded] = useState<string | null>(null);
  const [query, setQuery] = useState('');
  const search = query.trim();
  // A new search starts again at page 1; an action reloads the page shown.
  const paging = usePaging(search);
  const { load, refresh } = useUserPage({ limit: PAGE_SIZE, q: search || undefined, cursor: paging.cursor });

  useEffect(() => {
    if (load.state !== 'loading') markReady();
  }, [load.state]);
  // Its users no longer match (another admin's change, between pages): step back.
  const { pageIndex, back } = paging;
  useEffect(() => {
    if (load.state === 'ready' && load.page.users.length === 0 && pageIndex > 0) back();
  }, [load, pageIndex, back]);

  const page = load.state === 'ready' ? load.page : load.state === 'loading' ? load.last : null;
  const shown = page?.users ?? null;
  const count = page && `${formatCount(page.total)}${page.totalCapped ? '+' : ''}`;

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
          {page &&
            `${count} ${search ? 'matching ' : ''}${page.total === 1 && !page.totalCapped ? 'user' : 'users'}`}
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
      {!page && load.state === 'loading' && <p className="placeholder">Loading users…</p>}
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
      {page && (page.nextCursor !== null || pageIndex > 0) && (
        <Pager
          pageIndex={pageIndex}
          total={page.total}
          capped={page.totalCapped}
          pageSize={PAGE_SIZE}
          busy={load.state === 'loading'}
          hasNext={page.nextCursor !== null}
          onPrevious={back}
          onNext={() => page.nextCursor && paging.next(page.nextCursor)}
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
