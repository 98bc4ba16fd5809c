import { type FormEvent, useState } from 'react';
import { ApiError, api } from '../api/client.ts';
import { Alert } from './Alert.tsx';
import { Modal } from './Modal.tsx';

const MIN_LENGTH = 12;

interface ChangePasswordDialogProps {
  open: boolean;
  username: string;
  onClose: () => void;
}

/** Checks the server's policy before sending, so the common mistakes are explained at once. */
function policyProblem(username: string, password: string, confirm: string): string | null {
  if (password.length < MIN_LENGTH) return `The new password needs at least ${MIN_LENGTH} characters.`;
  if (password.toLowerCase().includes(username.toLowerCase())) {
    return 'The new password must not contain your username.';
  }
  if (password !== confirm) return 'The two new passwords differ.';
  return null;
}

/** Profile > Change password. On success the user's other sessions end; this one stays. */
export function ChangePasswordDialog({ open, username, onClose }: ChangePasswordDialogProps) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  const reset = () => {
    setCurrent('');
    setNext('');
    setConfirm('');
    setError(null);
    setDone(false);
    setBusy(false);
  };
  const close = () => {
    reset();
    onClose();
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const problem = policyProblem(username, next, confirm);
    if (problem) {
      setError(problem);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api.changePassword(current, next);
      setDone(true);
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : 'The password could not be changed.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      title="Change password"
      open={open}
      onClose={close}
      actions={
        done ? (
          <button type="button" className="button button-primary" onClick={close}>
            Close
          </button>
        ) : (
          <>
            <button type="button" className="button" onClick={close}>
              Cancel
            </button>
            <button type="submit" form="change-password" className="button button-primary" disabled={busy}>
              {busy ? 'Changing…' : 'Change password'}
            </button>
          </>
        )
      }
    >
      {done ? (
        <Alert tone="success" title="Password changed">
          Your other sessions were logged out. This device stays logged in.
        </Alert>
      ) : (
        <form id="change-password" className="form" onSubmit={submit} noValidate>
          {/* For password managers: which account the new password belongs to. */}
          <input type="text" name="username" autoComplete="username" value={username} readOnly hidden />
          {error && <Alert tone="error">{error}</Alert>}
          <div className="field">
            <label htmlFor="current-password">Current password</label>
            <input
              id="current-password"
              type="password"
              autoComplete="current-password"
              required
              value={current}
              onChange={(event) => setCurrent(event.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="new-password">New password</label>
            <input
              id="new-password"
              type="password"
              autoComplete="new-password"
              required
              minLength={MIN_LENGTH}
              aria-describedby="new-password-hint"
              value={next}
              onChange={(event) => setNext(event.target.value)}
            />
            <p id="new-password-hint" className="hint">
              At least {MIN_LENGTH} characters, not containing your username. Your other sessions will be
              logged out.
            </p>
          </div>
          <div className="field">
            <label htmlFor="confirm-password">Repeat the new password</label>
            <input
              id="confirm-password"
              type="password"
              autoComplete="new-password"
              required
              value={confirm}
              onChange={(event) => setConfirm(event.target.value)}
            />
          </div>
        </form>
      )}
    </Modal>
  );
}
