import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, api } from '../../api/client.ts';
import type { Stream } from '../../api/types.ts';

/** Lag and state move while the page is open; a stream's loop polls the log every 250 ms. */
export const STREAMS_POLL_MS = 5_000;

export interface StreamsLoad {
  /** null until the first answer; afterwards the last good list, kept while a refresh runs or fails. */
  streams: Stream[] | null;
  error: string | null;
  reload: () => void;
}

/**
 * The org's streams, asked again every 5 s while the tab is visible and at once when it becomes
 * visible again. The list is replaced only by a newer answer, never emptied in between: the
 * rows (and their test results) stay put instead of flickering through "Loading".
 */
export function useStreams(enabled: boolean): StreamsLoad {
  const [streams, setStreams] = useState<Stream[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const inFlight = useRef<AbortController | null>(null);

  const reload = useCallback(() => {
    // A newer request wins: an older answer arriving late would put back what was just deleted.
    inFlight.current?.abort();
    const abort = new AbortController();
    inFlight.current = abort;
    api
      .streams(abort.signal)
      .then((answer) => {
        if (abort.signal.aborted) return;
        setStreams(answer.streams);
        setError(null);
      })
      .catch((caught: unknown) => {
        if (abort.signal.aborted) return;
        setError(caught instanceof ApiError ? caught.message : 'Could not load the streams.');
      });
  }, []);

  useEffect(() => {
    if (!enabled) return;
    reload();
    const timer = window.setInterval(() => {
      if (document.visibilityState === 'visible') reload();
    }, STREAMS_POLL_MS);
    const onVisible = () => {
      if (document.visibilityState === 'visible') reload();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      window.clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
      inFlight.current?.abort();
    };
  }, [enabled, reload]);

  return { streams, error, reload };
}
