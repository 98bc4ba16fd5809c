import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { ApiError, api } from '../../api/client.ts';
import type { ActivitySort, Me, ActivityPage as Page } from '../../api/types.ts';
import { Alert } from '../../components/Alert.tsx';
import { Link, navigate, useLocation } from '../../components/router.tsx';
import { formatCount } from '../../lib/format.ts';
import { markReady } from '../../lib/perf.ts';
import { timeZoneLabel } from '../../lib/time.ts';
import { useOrgUsers } from '../accounts/org-users.ts';
import { ActivityFilters } from './ActivityFilters.tsx';
import { ActivityTable } from './ActivityTable.tsx';
import { type ActivityFilter, filterFromSearch, filterToQuery, filterToSearch } from './filter-url.ts';
import { useHistogram } from './use-histogram.ts';

// Its own chunk (uPlot): the table shows without waiting for it.
const ActivityHistogram = lazy(() => import('./ActivityHistogram.tsx'));

const PAGE_SIZE = 100;

type Load =
  | { state: 'loading'; last: Page | null }
  | { state: 'ready'; page: Page }
  | { state: 'error'; message: string };

/** The Activity Log: filter (kept in the URL), sortable results 100 a page, CSV download. */
export function ActivityPage({ me }: { me: Me }) {
  const isAdmin = me.user.role === 'admin';
  const location = useLocation();
  const searchKey = location.search.toString();
  const applied = useMemo(() => filterFromSearch(new URLSearchParams(searchKey)), [searchKey]);
  const [reload, setReload] = useState(0);
  // Keyset paging: cursors[i] fetches page i+1; "previous" walks back down the stack. A new filter,
  // sort or Get Details starts again at page 1.
  const pagingKey = `${searchKey}#${reload}`;
  const [paging, setPaging] = useState<{ key: string; cursors: Array<string | undefined> }>({
    key: pagingKey,
    cursors: [undefined],
  });
  const cursors = paging.key === pagingKey ? paging.cursors : [undefined];
  const setCursors = (next: Array<string | undefined>) => setPaging({ key: pagingKey, cursors: next });
  const [load, setLoad] = useState<Load>({ state: 'loading', last: null });
  const orgUsers = useOrgUsers(isAdmin);
  const users = useMemo(() => (isAdmin ? orgUsers : [me.user]), [isAdmin, orgUsers, me.user]);
  const [activityTypes, setActivityTypes] = useState<string[]>([]);
  const histogram = useHistogram(applied, reload);
  const pageIndex = cursors.length - 1;
  const cursor = cursors[pageIndex];

  useEffect(() => {
    document.title = 'Activity Log · Vault Sessions';
    const abort = new AbortController();
    api
      .activityTypes(abort.signal)
      .then(({ activityTypes }) => setActivityTypes(activityTypes))
      .catch(() => undefined);
    return () => abort.abort();
  }, []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: reload is the "Get Details again" trigger
  useEffect(() => {
    const abort = new AbortController();
    setLoad((old) => ({
      state: 'loading',
      last: old.state === 'ready' ? old.page : old.state === 'loading' ? old.last : null,
    }));
    api
      .activities({ ...filterToQuery(applied), limit: PAGE_SIZE, cursor }, abort.signal)
      .then((page) => setLoad({ state: 'ready', page }))
      .catch((error: unknown) => {
        if (abort.signal.aborted || (error instanceof ApiError && error.status === 401)) return;
        setLoad({ state: 'error', message: error instanceof Error ? error.message : 'Unknown error' });
      });
    return () => abort.abort();
  }, [applied, cursor, reload]);

  useEffect(() => {
    if (load.state !== 'loading') markReady();
  }, [load.state]);

  const apply = useCallback(
    (filter: ActivityFilter) => {
      const search = filterToSearch(filter);
      if (search === searchKey) setReload((n) => n + 1);
      else navigate(search ? `/activity?${search}` : '/activity');
    },
    [searchKey],
  );

  const sortBy = (column: ActivitySort) => {
    const order =
      applied.sort === column
        ? applied.order === 'desc'
          ? 'asc'
          : 'desc'
        : column === 'occurredAt'
          ? 'desc'
          : 'asc';
    apply({ ...applied, sort: column, order });
  };

  const page = load.state === 'ready' ? load.page : load.state === 'loading' ? load.last : null;
  const busy = load.state === 'loading';
  const total = page ? `${formatCount(page.total)}${page.totalCapped ? '+' : ''}` : '';

  return (
    <div className="page">
      <div className="page-head">
        <div>
          <p className="breadcrumb">
            Profile › <Link href="/sessions">Session Information</Link>
          </p>
          <h1>Activity Log</h1>
          <p className="muted">
            {isAdmin
              ? 'Who did what, and when, across your organization.'
              : 'What you did, and when: logins, logouts and your jobs.'}
          </p>
        </div>
      </div>

      <ActivityFilters
        applied={applied}
        users={users}
        isAdmin={isAdmin}
        activityTypes={activityTypes}
        onApply={apply}
      />

      <Suspense fallback={<div className="histogram histogram-waiting" />}>
        {histogram && (
          <ActivityHistogram
            histogram={histogram}
            onNarrow={(range) => apply({ ...applied, period: 'custom', ...range })}
          />
        )}
      </Suspense>

      <div className="results-head">
        <p className="results-summary" aria-live="polite">
          {page && (
            <>
              Page {formatCount(pageIndex + 1)} · {total} {page.total === 1 ? 'result' : 'results'}
            </>
          )}
        </p>
        <p className="muted small">Times in {timeZoneLabel()}</p>
        <a className="button" href={api.exportUrl(filterToQuery(applied))} download>
          <svg viewBox="0 0 16 16" aria-hidden="true" focusable="false" className="button-icon">
            <path d="M8 2v8M4.5 6.5 8 10l3.5-3.5M2.5 13.5h11" />
          </svg>
          Download CSV
        </a>
      </div>

      {load.state === 'error' && (
        <Alert tone="error" title="The activity log could not be loaded">
          {load.message}{' '}
          <button type="button" className="link-button" onClick={() => setReload((n) => n + 1)}>
            Try again
          </button>
        </Alert>
      )}
      {!page && load.state === 'loading' && <p className="placeholder">Loading activities…</p>}
      {page && page.items.length === 0 && (
        <div className="empty">
          <p className="empty-title">No activities match</p>
          <p className="muted">Try a longer time period, another user, or fewer activity names.</p>
        </div>
      )}
      {page && page.items.length > 0 && (
        <ActivityTable
          items={page.items}
          sort={applied.sort}
          order={applied.order}
          onSort={sortBy}
          busy={busy}
        />
      )}

      {page && (page.items.length > 0 || pageIndex > 0) && (
        <nav className="pager" aria-label="Pages">
          <button
            type="button"
            className="button"
            disabled={pageIndex === 0 || busy}
            onClick={() => setCursors(cursors.slice(0, -1))}
          >
            ‹ Previous
          </button>
          <span className="pager-label">
            Page {formatCount(pageIndex + 1)} · {total} results
          </span>
          <button
            type="button"
            className="button"
            disabled={!page.nextCursor || busy}
            onClick={() => {
              const next = page.nextCursor;
              if (next) setCursors([...cursors, next]);
            }}
          >
            Next ›
          </button>
        </nav>
      )}
    </div>
  );
}
