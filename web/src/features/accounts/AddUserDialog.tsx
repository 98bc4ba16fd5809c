import { type FormEvent, useState } from 'react';
import { ApiError, api } from '../../api/client.ts';
import type { Role } from '../../api/types.ts';
import { Alert } from '../../components/Alert.tsx';
import { Modal } from '../../components/Modal.tsx';

interface AddUserDialogProps {
  open: boolean;
  onClose: () => void;
  onAdded: (username: string) => void;
}

/** Add user: username, first password and role; a taken username is said at the field (409). */
export function AddUserDialog({ open, onClose, onAdded }: AddUserDialogProps) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('user');
  const [taken, setTaken] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const close = () => {
    setUsername('');
    setPassword('');
    setRole('user');
    setTaken(null);
    setError(null);
    onClose();
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setTaken(null);
    setError(null);
    try {
      const { user } = await api.addUser({ username: username.trim(), password, role });
      close();
      onAdded(user.username);
    } catch (caught) {
      if (caught instanceof ApiError && caught.status === 409) setTaken(caught.message);
      else setError(caught instanceof Error ? caught.message : 'The user could not be added.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      title="Add user"
      open={open}
      onClose={close}
      actions={
        <>
          <button type="button" className="button" onClick={close}>
            Cancel
          </button>
          <button type="submit" form="add-user" className="button button-primary" disabled={busy}>
            {busy ? 'Adding…' : 'Add user'}
          </button>
        </>
      }
    >
      <form id="add-user" className="form" onSubmit={submit}>
        {error && <Alert tone="error">{error}</Alert>}
        <div className="field">
          <label htmlFor="new-username">Username</label>
          <input
            id="new-username"
            autoComplete="off"
            required
            maxLength={64}
            aria-invalid={taken !== null}
            aria-describedby={taken ? 'new-username-error' : undefined}
            value={username}
            onChange={(event) => {
              setUsername(event.target.value);
              setTaken(null);
            }}
          />
          {taken && (
            <p id="new-username-error" className="field-error">
              {taken}
            </p>
          )}
        </div>
        <div className="field">
          <label htmlFor="new-user-password">Password</label>
          <input
            id="new-user-password"
            type="password"
            autoComplete="new-password"
            required
            aria-describedby="new-user-password-hint"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
          <p id="new-user-password-hint" className="hint">
            At least 12 characters, not containing the username. Give it to them safely; they can change it
            from their Profile menu.
          </p>
        </div>
        <div className="field">
          <label htmlFor="new-user-role">Role</label>
          <select id="new-user-role" value={role} onChange={(event) => setRole(event.target.value as Role)}>
            <option value="user">User: sees their own sessions and activity</option>
            <option value="admin">Admin: manages the whole organization</option>
          </select>
        </div>
      </form>
    </Modal>
  );
}
