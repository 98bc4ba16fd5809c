import { useCallback, useEffect, useState } from 'react';
import { ApiError, api } from '../../api/client.ts';
import type { SessionDetail } from '../../api/types.ts';
import { coalesce } from '../../lib/coalesce.ts';
import { onSessionsChanged } from './live.ts';

export type DetailLoad =
  | { state: 'loading' }
  | { state: 'ready'; detail: SessionDetail }
  | { state: 'missing' }
  | { state: 'error'; message: string };

/**
 * One session and its timeline; asked again when sessions change, so an ending shows at once, and
 * when `version` changes (this tab ended sessions: it need not wait for the server's event).
 */
export function useSessionDetail(id: string | null, version: number) {
  const [load, setLoad] = useState<DetailLoad>({ state: 'loading' });
  const [reload, setReload] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: reload ("Try again") and version are triggers
  useEffect(() => {
    if (id === null) return;
    setLoad({ state: 'loading' });
    let current: AbortController | null = null;
    const fetchDetail = async (background: boolean) => {
      current?.abort();
      const abort = new AbortController();
      current = abort;
      try {
        const detail = await api.session(id, abort.signal);
        if (!abort.signal.aborted) setLoad({ state: 'ready', detail });
      } catch (error) {
        if (abort.signal.aborted || (error instanceof ApiError && error.status === 401)) return;
        if (error instanceof ApiError && (error.status === 404 || error.status === 400)) {
          setLoad({ state: 'missing' });
        } else if (!background) {
          setLoad({ state: 'error', message: error instanceof Error ? error.message : 'Unknown error' });
        }
      }
    };
    void fetchDetail(false);
    const live = coalesce(() => fetchDetail(true), 1_000);
    const unsubscribe = onSessionsChanged(live.trigger);
    return () => {
      unsubscribe();
      live.cancel();
      current?.abort();
    };
  }, [id, reload, version]);

  const retry = useCallback(() => setReload((n) => n + 1), []);
  return { load, retry };
}
