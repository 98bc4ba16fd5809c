import { useState } from 'react';
import type { User } from '../../api/types.ts';
import { Modal } from '../../components/Modal.tsx';
import { plural } from '../../lib/format.ts';
import { countLabel, describeFilter, describeSessions, type LogoutTarget } from './logout-target.ts';

interface EndSessionsDialogProps {
  target: LogoutTarget | null;
  /** The org's users, to name a filter's user. */
  users: readonly User[];
  onCancel: () => void;
  onConfirm: () => Promise<void>;
}

/** The Logout confirmation: how many sessions of which users, and whether this device is among them. */
export function EndSessionsDialog({ target, users, onCancel, onConfirm }: EndSessionsDialogProps) {
  const [busy, setBusy] = useState(false);
  const confirm = async () => {
    setBusy(true);
    try {
      await onConfirm();
    } finally {
      setBusy(false);
    }
  };
  let what = '';
  let body = null;
  if (target?.kind === 'sessions') {
    what = plural(target.sessions.length, 'session');
    body = (
      <>
        <p>
          This ends <strong>{describeSessions(target.sessions)}</strong> at once. Open tabs on those devices
          return to the login page, and they must log in again.
        </p>
        {target.sessions.some((s) => s.current) && (
          <p className="warning-text">This device is included: you will be logged out too.</p>
        )}
      </>
    );
  } else if (target?.kind === 'filter') {
    const count = countLabel(target.count, target.capped);
    what = `${count} ${target.count === 1 && !target.capped ? 'session' : 'sessions'}`;
    body = (
      <>
        <p>
          This ends{' '}
          <strong>
            {what} of {target.whose}
          </strong>{' '}
          at once: every live session that matches {describeFilter(target.filter, users)}, on every page, not
          only those shown. Open tabs on those devices return to the login page.
        </p>
        <p className="muted small">
          Your own session stays logged in, even if it matches. Sessions that start from now on are not
          affected.
        </p>
      </>
    );
  }
  return (
    <Modal
      title={`Log out ${what}?`}
      open={target !== null}
      onClose={onCancel}
      tone="danger"
      actions={
        <>
          <button type="button" className="button" onClick={onCancel} disabled={busy}>
            Cancel
          </button>
          <button type="button" className="button button-danger" onClick={confirm} disabled={busy}>
            {busy ? 'Logging out…' : `Log out ${what}`}
          </button>
        </>
      }
    >
      {body}
    </Modal>
  );
}
