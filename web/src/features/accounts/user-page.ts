import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, api } from '../../api/client.ts';
import type { UserListQuery, UserPage } from '../../api/types.ts';

export type UserPageLoad =
  | { state: 'loading'; last: UserPage | null }
  | { state: 'ready'; page: UserPage }
  | { state: 'error'; message: string };

/**
 * One page of the org's users for `query` (search and cursor); `refresh` loads the same page
 * again, after an action on one of its users. A newer load cancels an older one, so typing in
 * the search box shows the answer to the last text typed.
 */
export function useUserPage(query: UserListQuery) {
  const [load, setLoad] = useState<UserPageLoad>({ state: 'loading', last: null });
  const request = useRef<AbortController | null>(null);
  const key = JSON.stringify(query);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` is `query` by value
  const fetchPage = useCallback(async () => {
    request.current?.abort();
    const abort = new AbortController();
    request.current = abort;
    setLoad((old) => ({
      state: 'loading',
      last: old.state === 'ready' ? old.page : old.state === 'loading' ? old.last : null,
    }));
    try {
      const page = await api.users(query, abort.signal);
      if (!abort.signal.aborted) setLoad({ state: 'ready', page });
    } catch (error) {
      if (abort.signal.aborted || (error instanceof ApiError && error.status === 401)) return;
      setLoad({ state: 'error', message: error instanceof Error ? error.message : 'Unknown error' });
    }
  }, [key]);

  useEffect(() => {
    void fetchPage();
    return () => request.current?.abort();
  }, [fetchPage]);

  return { load, refresh: fetchPage };
}
