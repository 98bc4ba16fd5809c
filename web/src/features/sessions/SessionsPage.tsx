import { useCallback, useEffect, useMemo, useState } from 'react';
import { ApiError, api } from '../../api/client.ts';
import type { Me, Session, SessionFilter, SessionSort } from '../../api/types.ts';
import { Alert } from '../../components/Alert.tsx';
import { Link, navigate, useLocation } from '../../components/router.tsx';
import { formatCount } from '../../lib/format.ts';
import { markReady } from '../../lib/perf.ts';
import { useNow } from '../../lib/time.ts';
import { useOrgUsers } from '../accounts/org-users.ts';
import { EndSessionsDialog } from './EndSessionsDialog.tsx';
import { defaultOrder, hasFilter, viewFromSearch, viewToSearch } from './filter-url.ts';
import type { LiveState } from './live.ts';
import { useLogoutAction } from './logout-action.ts';
import { countLabel, whoseSessions } from './logout-target.ts';
import { Pager } from './Pager.tsx';
import { PAGE_SIZE, usePaging } from './paging.ts';
import { SelectionBanner } from './SelectionBanner.tsx';
import { SessionDetailPanel } from './SessionDetailPanel.tsx';
import { SessionFilters } from './SessionFilters.tsx';
import { SessionsTable } from './SessionsTable.tsx';
import { useSelection } from './selection.ts';
import { useSessionPage } from './session-page.ts';

interface SessionsPageProps {
  me: Me;
  live: LiveState;
  /** The session whose details are open over the list (/sessions/<id>), or null. */
  detailId: string | null;
  /** The caller ended their own session from this list. */
  onSelfEnded: () => void;
}

/**
 * Profile > Session Information: who is logged in, from where, on what — 100 a page, filtered and
 * sorted on the server, the view kept in the URL; select and Logout, a page or every match.
 */
export function SessionsPage({ me, live, detailId, onSelfEnded }: SessionsPageProps) {
  const isAdmin = me.user.role === 'admin';
  const location = useLocation();
  const searchKey = location.search.toString();
  const view = useMemo(() => viewFromSearch(new URLSearchParams(searchKey)), [searchKey]);
  const paging = usePaging(searchKey);
  const query = useMemo(
    () => ({ ...view.filter, sort: view.sort, order: view.order, limit: PAGE_SIZE, cursor: paging.cursor }),
    [view, paging.cursor],
  );
  const { load, refresh, forget } = useSessionPage(query);
  const users = useOrgUsers(isAdmin);
  const page = load.state === 'ready' ? load.page : load.state === 'loading' ? load.last : null;
  const sessions = useMemo(() => page?.sessions ?? [], [page]);
  const [selected, setSelected] = useSelection(sessions);
  // "Select all N that match" (every page): undone by any change of the selection, page or view.
  const [allMatching, setAllMatching] = useState(false);
  const selectionKey = `${searchKey}#${paging.pageIndex}`;
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new page or view starts a new selection
  useEffect(() => {
    setSelected(new Set());
    setAllMatching(false);
  }, [selectionKey, setSelected]);
  const select = (next: Set<string>) => {
    setAllMatching(false);
    setSelected(next);
  };
  const chosen = useMemo(() => sessions.filter((s) => selected.has(s.id)), [sessions, selected]);

  // Bumped when this tab ended sessions, so an open panel shows the ending at once.
  const [endings, setEndings] = useState(0);
  const logout = useLogoutAction({
    onSelfEnded,
    onEnded: (ids) => {
      forget(ids);
      setEndings((n) => n + 1);
      setSelected(new Set());
      setAllMatching(false);
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
  // Sessions ended while this later page was shown, and none is left on it: step back.
  const { pageIndex, back } = paging;
  useEffect(() => {
    if (load.state === 'ready' && load.page.sessions.length === 0 && pageIndex > 0) back();
  }, [load, pageIndex, back]);

  const search = searchKey ? `?${searchKey}` : '';
  const showView = (filter: SessionFilter, sort = view.sort, order = view.order) => {
    const next = viewToSearch({ filter, sort, order });
    navigate(`${location.pathname}${next ? `?${next}` : ''}`, { keepScroll: true });
  };
  const sortBy = (column: SessionSort) => {
    const order = view.sort === column ? (view.order === 'asc' ? 'desc' : 'asc') : defaultOrder(column);
    showView(view.filter, column, order);
  };
  const openDetail = useCallback(
    (id: string) => navigate(`/sessions/${id}${search}`, { keepScroll: true }),
    [search],
  );
  const closeDetail = () => navigate(`/sessions${search}`, { keepScroll: true });

  const askAllMatching = () => {
    if (!page) return;
    logout.ask({
      kind: 'filter',
      filter: view.filter,
      count: page.total,
      capped: page.totalCapped,
      whose: whoseSessions(view.filter, page, users),
      visible: sessions,
    });
  };
  const askUser = async (session: Session) => {
    try {
      const { total, totalCapped } = await api.sessions({ userId: session.userId, limit: 1 });
      logout.ask({
        kind: 'filter',
        filter: { userId: session.userId },
        count: total,
        capped: totalCapped,
        whose: session.username,
        visible: sessions.filter((s) => s.userId === session.userId),
      });
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 401)) void refresh();
    }
  };

  const filtered = hasFilter(view.filter);
  const total = page ? countLabel(page.total, page.totalCapped) : '';
  const pageSelected = sessions.length > 0 && chosen.length === sessions.length;
  const logoutCount = allMatching && page ? total : formatCount(selected.size);

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

      <SessionFilters applied={view.filter} users={users} isAdmin={isAdmin} onApply={(f) => showView(f)} />

      <div className="toolbar">
        <p className="toolbar-count" aria-live="polite">
          {page &&
            `${total} ${filtered ? 'matching' : 'active'} ${page.total === 1 && !page.totalCapped ? 'session' : 'sessions'}`}
          {selected.size > 0 && ` · ${allMatching ? `all ${total}` : formatCount(selected.size)} selected`}
        </p>
        <p className="note toolbar-note">
          <svg viewBox="0 0 16 16" aria-hidden="true" focusable="false">
            <circle cx="8" cy="8" r="7" />
            <path d="M8 7v4M8 4.5v.5" />
          </svg>
          City and Location are approximate: they come from the public IP address.
        </p>
        <button
          type="button"
          className="button button-danger"
          disabled={selected.size === 0}
          onClick={() =>
            allMatching ? askAllMatching() : logout.ask({ kind: 'sessions', sessions: chosen })
          }
        >
          Logout{selected.size > 0 ? ` (${logoutCount})` : ''}
        </button>
      </div>

      {logout.notice && <Alert tone="success">{logout.notice}</Alert>}
      {logout.error && <Alert tone="error">{logout.error}</Alert>}

      {page && pageSelected && (page.total > sessions.length || page.totalCapped) && (
        <SelectionBanner
          onPage={sessions.length}
          total={total}
          allMatching={allMatching}
          canSelectAll={isAdmin && filtered}
          isAdmin={isAdmin}
          onSelectAll={() => setAllMatching(true)}
          onClear={() => select(new Set())}
        />
      )}

      {load.state === 'error' && (
        <Alert tone="error" title="The sessions could not be loaded">
          {load.message}{' '}
          <button type="button" className="link-button" onClick={() => void refresh()}>
            Try again
          </button>
        </Alert>
      )}
      {!page && load.state === 'loading' && <p className="placeholder">Loading sessions…</p>}
      {page && sessions.length === 0 && (
        <div className="empty">
          <p className="empty-title">{filtered ? 'No sessions match' : 'No active sessions'}</p>
          <p className="muted">
            {filtered ? 'Nobody is logged in that way right now.' : 'Nobody is logged in right now.'}
          </p>
        </div>
      )}
      {page && sessions.length > 0 && (
        <SessionsTable
          sessions={sessions}
          selected={allMatching ? new Set(sessions.map((s) => s.id)) : selected}
          onSelect={select}
          sort={view.sort}
          order={view.order}
          onSort={sortBy}
          detailHref={(id) => `/sessions/${id}${search}`}
          onOpen={openDetail}
          openId={detailId}
          busy={load.state === 'loading'}
          now={now}
        />
      )}
      {page && (sessions.length > 0 || pageIndex > 0) && (
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

      <SessionDetailPanel
        id={detailId}
        version={endings}
        isAdmin={isAdmin}
        now={now}
        onClose={closeDetail}
        onLogout={(session) => logout.ask({ kind: 'sessions', sessions: [session] })}
        onLogoutUser={(session) => void askUser(session)}
      />
      <EndSessionsDialog
        target={logout.target}
        users={users}
        onCancel={logout.cancel}
        onConfirm={logout.confirm}
      />
    </div>
  );
}
