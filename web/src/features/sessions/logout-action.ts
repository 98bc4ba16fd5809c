import { useState } from 'react';
import { ApiError, api } from '../../api/client.ts';
import { plural } from '../../lib/format.ts';
import type { LogoutTarget } from './logout-target.ts';

interface LogoutHooks {
  /** The caller ended their own session: the page must leave. */
  onSelfEnded: () => void;
  /** These sessions are over: take them off the list. */
  onEnded: (ids: readonly string[]) => void;
  /** Nothing was ended: reload the list, which was out of date. */
  onFailed: () => Promise<void>;
}

/** Logout of checked sessions or of a filter's: the confirmation, the call, and what the page says afterwards. */
export function useLogoutAction({ onSelfEnded, onEnded, onFailed }: LogoutHooks) {
  const [target, setTarget] = useState<LogoutTarget | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const ask = (next: LogoutTarget) => {
    setNotice(null);
    setError(null);
    setTarget(next);
  };

  const confirm = async () => {
    if (!target) return;
    setError(null);
    try {
      let terminated: number;
      if (target.kind === 'sessions') {
        ({ terminated } = await api.endSessions(target.sessions.map((s) => s.id)));
        setTarget(null);
        if (target.sessions.some((s) => s.current)) {
          onSelfEnded();
          return;
        }
        onEnded(target.sessions.map((s) => s.id));
      } else {
        // The server spares the caller's own session; so does the list.
        ({ terminated } = await api.endSessionsByFilter(target.filter));
        setTarget(null);
        onEnded(target.visible.filter((s) => !s.current).map((s) => s.id));
      }
      setNotice(
        terminated === 0
          ? 'No session was logged out: none of them was live any more.'
          : `Logged out ${plural(terminated, 'session')}. ${terminated === 1 ? 'It' : 'They'} must log in again.`,
      );
    } catch (failure) {
      setTarget(null);
      if (failure instanceof ApiError && failure.status === 401) return;
      setError(
        failure instanceof ApiError && failure.status === 404
          ? 'Nothing was logged out: one of the selected sessions had already ended. The list is refreshed; select again.'
          : `Nothing was logged out: ${failure instanceof Error ? failure.message : 'unknown error'}`,
      );
      await onFailed();
    }
  };

  return { target, ask, cancel: () => setTarget(null), confirm, notice, error };
}
