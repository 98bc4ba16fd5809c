import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, api } from '../../api/client.ts';
import type { Session } from '../../api/types.ts';
import { onSessionsChanged } from './live.ts';

/** Last access moves without an event; refresh the list this often while the page is visible. */
const POLL_MS = 30_000;

export type SessionList =
  | { state: 'loading' }
  | { state: 'ready'; sessions: Session[] }
  | { state: 'error'; message: string };

/**
 * The sessions the caller may see (one user's when `userId` is set): loaded, refreshed when the
 * server says they changed and every `POLL_MS` while visible. A newer load cancels an older one.
 */
export function useSessionList(userId: string | undefined) {
  const [list, setList] = useState<SessionList>({ state: 'loading' });
  const request = useRef<AbortController | null>(null);

  const refresh = useCallback(async () => {
    request.current?.abort();
    const abort = new AbortController();
    request.current = abort;
    try {
      const { sessions } = await api.sessions(userId, abort.signal);
      if (!abort.signal.aborted) setList({ state: 'ready', sessions });
    } catch (error) {
      if (abort.signal.aborted || (error instanceof ApiError && error.status === 401)) return;
      setList({ state: 'error', message: error instanceof Error ? error.message : 'Unknown error' });
    }
  }, [userId]);

  /**
   * Takes sessions the server has just ended off the list without asking again: the server's
   * `sessions-changed` for the same Logout brings the one reload it needs.
   */
  const forget = useCallback((ids: readonly string[]) => {
    const ended = new Set(ids);
    setList((old) =>
      old.state === 'ready'
        ? { state: 'ready', sessions: old.sessions.filter((s) => !ended.has(s.id)) }
        : old,
    );
  }, []);

  useEffect(() => {
    setList({ state: 'loading' });
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

  return { list, refresh, forget };
}
