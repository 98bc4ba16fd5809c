import { useState } from 'react';
import type { Session } from '../../api/types.ts';
import { Modal } from '../../components/Modal.tsx';
import { listPhrase, plural } from '../../lib/format.ts';

interface EndSessionsDialogProps {
  open: boolean;
  sessions: Session[];
  onCancel: () => void;
  onConfirm: () => Promise<void>;
}

/** "3 sessions of bob and 1 session of alice": most sessions first, then by name. */
export function describeSessions(sessions: Session[]): string {
  const counts = new Map<string, number>();
  for (const s of sessions) counts.set(s.username, (counts.get(s.username) ?? 0) + 1);
  const groups = [...counts].sort(([a, m], [b, n]) => n - m || a.localeCompare(b));
  return listPhrase(groups.map(([user, n]) => `${plural(n, 'session')} of ${user}`));
}

/** The Logout confirmation: how many sessions of which users, and whether this device is among them. */
export function EndSessionsDialog({ open, sessions, onCancel, onConfirm }: EndSessionsDialogProps) {
  const [busy, setBusy] = useState(false);
  const mine = sessions.some((s) => s.current);
  const confirm = async () => {
    setBusy(true);
    try {
      await onConfirm();
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      title={`Log out ${plural(sessions.length, 'session')}?`}
      open={open}
      onClose={onCancel}
      tone="danger"
      actions={
        <>
          <button type="button" className="button" onClick={onCancel} disabled={busy}>
            Cancel
          </button>
          <button type="button" className="button button-danger" onClick={confirm} disabled={busy}>
            {busy ? 'Logging out…' : `Log out ${plural(sessions.length, 'session')}`}
          </button>
        </>
      }
    >
      <p>
        This ends <strong>{describeSessions(sessions)}</strong> at once. Open tabs on those devices return to
        the login page, and they must log in again.
      </p>
      {mine && <p className="warning-text">This device is included: you will be logged out too.</p>}
    </Modal>
  );
}
