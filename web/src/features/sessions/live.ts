import { useEffect, useState } from 'react';
import { ApiError, api } from '../../api/client.ts';
import type { EndReason } from '../../api/types.ts';

/** Listeners for `sessions-changed`: the session list refreshes when any session of the org starts or ends. */
const changeListeners = new Set<() => void>();

/** Calls `listener` whenever the server says the visible sessions changed; returns the unsubscribe. */
export function onSessionsChanged(listener: () => void): () => void {
  changeListeners.add(listener);
  return () => changeListeners.delete(listener);
}

export type LiveState = 'connecting' | 'live' | 'offline';

const RECONNECT_MS = 3_000;

/**
 * Keeps `GET /api/sessions/stream` open while logged in. `session-ended` (or a stream the server
 * refuses with 401) calls `onEnded` with the reason, so the tab leaves for the login page at once.
 */
export function useLiveStream(enabled: boolean, onEnded: (reason: EndReason) => void): LiveState {
  const [state, setState] = useState<LiveState>('connecting');
  useEffect(() => {
    if (!enabled) return;
    let source: EventSource | null = null;
    let retry: number | undefined;
    let stopped = false;

    // The stream failed: ask /api/me whether the session still exists, and why not if it doesn't.
    const check = async () => {
      try {
        await api.me();
      } catch (error) {
        if (error instanceof ApiError && error.status === 401 && !stopped) {
          stopped = true;
          source?.close();
          onEnded(error.endReason ?? 'expired');
        }
      }
    };

    const open = () => {
      if (stopped) return;
      setState('connecting');
      source = new EventSource('/api/sessions/stream');
      source.addEventListener('ready', () => setState('live'));
      source.addEventListener('sessions-changed', () => {
        for (const listener of changeListeners) listener();
      });
      source.addEventListener('session-ended', (event) => {
        stopped = true;
        source?.close();
        let reason: EndReason = 'terminated';
        try {
          reason =
            (JSON.parse((event as MessageEvent<string>).data) as { reason?: EndReason }).reason ?? reason;
        } catch {
          // A malformed notice still means the session is over.
        }
        onEnded(reason);
      });
      source.addEventListener('error', () => {
        if (stopped) return;
        setState('offline');
        // EventSource retries by itself unless the server refused (CLOSED); either way, check now.
        const closed = source?.readyState === EventSource.CLOSED;
        void check().then(() => {
          if (closed && !stopped) retry = window.setTimeout(open, RECONNECT_MS);
        });
      });
    };

    // A tab that was asleep may have missed its notice: check when it becomes visible again.
    const onVisible = () => {
      if (document.visibilityState === 'visible') void check();
    };
    document.addEventListener('visibilitychange', onVisible);
    open();
    return () => {
      stopped = true;
      window.clearTimeout(retry);
      source?.close();
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [enabled, onEnded]);
  return state;
}
