import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, api } from '../../api/client.ts';
import type { SessionListQuery, SessionPage } from '../../api/types.ts';
import { coalesce } from '../../lib/coalesce.ts';
import { onSessionsChanged } from './live.ts';

/** Last access moves without an event; refresh the page this often while it is visible. */
const POLL_MS = 30_000;
/**
 * Live changes refetch the visible page at most once a second: in an org of 100,000 sessions
 * logins never stop, and each one is an event.
 */
const LIVE_WINDOW_MS = 1_000;

export type PageLoad =
  | { state: 'loading'; last: SessionPage | null }
  | { state: 'ready'; page: SessionPage }
  | { state: 'error'; message: string };

/**
 * One page of the sessions the caller may see: loaded for `query` (filter, sort and cursor), and
 * refetched — this page only — when the server says sessions changed (coalesced) and every
 * `POLL_MS` while visible. A newer load cancels an older one; a failed background refetch keeps
 * the page on screen.
 */
export function useSessionPage(query: SessionListQuery) {
  const [load, setLoad] = useState<PageLoad>({ state: 'loading', last: null });
  const request = useRef<AbortController | null>(null);
  const key = JSON.stringify(query);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` is `query` by value
  const fetchPage = useCallback(
    async (background: boolean) => {
      request.current?.abort();
      const abort = new AbortController();
      request.current = abort;
      try {
        const page = await api.sessions(query, abort.signal);
        if (!abort.signal.aborted) setLoad({ state: 'ready', page });
      } catch (error) {
        if (abort.signal.aborted || (error instanceof ApiError && error.status === 401)) return;
        setLoad((old) =>
          background && old.state === 'ready'
            ? old
            : { state: 'error', message: error instanceof Error ? error.message : 'Unknown error' },
        );
      }
    },
    [key],
  );

  const refresh = useCallback(() => fetchPage(false), [fetchPage]);

  /**
   * Takes sessions the server has just ended off the page without asking again: the server's
   * `sessions-changed` for the same Logout brings the one refetch it needs.
   */
  const forget = useCallback((ids: readonly string[]) => {
    const ended = new Set(ids);
    setLoad((old) => {
      if (old.state !== 'ready') return old;
      const sessions = old.page.sessions.filter((s) => !ended.has(s.id));
      const gone = old.page.sessions.length - sessions.length;
      return { state: 'ready', page: { ...old.page, sessions, total: Math.max(0, old.page.total - gone) } };
    });
  }, []);

  useEffect(() => {
    setLoad((old) => ({
      state: 'loading',
      last: old.state === 'ready' ? old.page : old.state === 'loading' ? old.last : null,
    }));
    void fetchPage(false);
    const live = coalesce(() => fetchPage(true), LIVE_WINDOW_MS);
    const unsubscribe = onSessionsChanged(live.trigger);
    const timer = window.setInterval(() => {
      if (document.visibilityState === 'visible') void fetchPage(true);
    }, POLL_MS);
    return () => {
      unsubscribe();
      live.cancel();
      window.clearInterval(timer);
      request.current?.abort();
    };
  }, [fetchPage]);

  return { load, refresh, forget };
}
