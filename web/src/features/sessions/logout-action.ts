import { useState } from 'react';
import { ApiError, api } from '../../api/client.ts';
import type { Session } from '../../api/types.ts';
import { plural } from '../../lib/format.ts';

interface LogoutHooks {
  /** The caller ended their own session: the page must leave. */
  onSelfEnded: () => void;
  /** These sessions are over: take them off the list. */
  onEnded: (ids: readonly string[]) => void;
  /** Nothing was ended: reload the list, which was out of date. */
  onFailed: () => Promise<void>;
}

/** Logout of the selected sessions: the confirmation, the call, and what the page says afterwards. */
export function useLogoutAction({ onSelfEnded, onEnded, onFailed }: LogoutHooks) {
  const [confirming, setConfirming] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const ask = () => {
    setNotice(null);
    setConfirming(true);
  };

  const confirm = async (chosen: readonly Session[]) => {
    const ids = chosen.map((s) => s.id);
    const includesMine = chosen.some((s) => s.current);
    setError(null);
    try {
      const { terminated } = await api.endSessions(ids);
      setConfirming(false);
      if (includesMine) {
        onSelfEnded();
        return;
      }
      onEnded(ids);
      setNotice(
        `Logged out ${plural(terminated, 'session')}. ${terminated === 1 ? 'It' : 'They'} must log in again.`,
      );
    } catch (failure) {
      setConfirming(false);
      if (failure instanceof ApiError && failure.status === 401) return;
      setError(
        failure instanceof ApiError && failure.status === 404
          ? 'Nothing was logged out: one of the selected sessions had already ended. The list is refreshed; select again.'
          : `Nothing was logged out: ${failure instanceof Error ? failure.message : 'unknown error'}`,
      );
      await onFailed();
    }
  };

  return { confirming, ask, cancel: () => setConfirming(false), confirm, notice, error };
}
