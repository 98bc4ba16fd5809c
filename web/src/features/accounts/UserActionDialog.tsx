import { useState } from 'react';
import { ApiError, api } from '../../api/client.ts';
import { Alert } from '../../components/Alert.tsx';
import { Modal } from '../../components/Modal.tsx';
import { plural } from '../../lib/format.ts';
import type { UserAction } from './user-actions.ts';

interface UserActionDialogProps {
  action: UserAction | null;
  /** The caller's own user id: logging out "all" of one's own sessions spares this one. */
  selfId: string;
  onClose: () => void;
  /** The change was made: reload the list. */
  onDone: () => void;
}

interface Wording {
  title: string;
  confirm: string;
  busy: string;
  danger: boolean;
  body: string;
}

function wordingOf(action: UserAction, selfId: string): Wording {
  const { user } = action;
  const sessions = plural(user.liveSessions, 'live session');
  switch (action.kind) {
    case 'disable':
      return {
        title: `Disable ${user.username}?`,
        confirm: 'Disable',
        busy: 'Disabling…',
        danger: true,
        body: `${user.username} can no longer log in, and ${user.liveSessions === 0 ? 'has no live session to end' : `their ${sessions} end at once`}. You can enable them again later.`,
      };
    case 'enable':
      return {
        title: `Enable ${user.username}?`,
        confirm: 'Enable',
        busy: 'Enabling…',
        danger: false,
        body: `${user.username} can log in again with their password.`,
      };
    case 'role':
      return action.role === 'admin'
        ? {
            title: `Make ${user.username} an admin?`,
            confirm: 'Make admin',
            busy: 'Changing…',
            danger: false,
            body: `${user.username} will see and end every session of the organization, read its whole activity log and manage its users.`,
          }
        : {
            title: `Make ${user.username} a user?`,
            confirm: 'Make user',
            busy: 'Changing…',
            danger: true,
            body: `${user.username} will see only their own sessions and activity, and no longer manage users.`,
          };
    case 'reset':
      return {
        title: `Reset the password of ${user.username}?`,
        confirm: 'Reset password',
        busy: 'Resetting…',
        danger: true,
        body: `A new password is generated and shown to you once. The old one stops working, ${user.liveSessions === 0 ? 'and any lockout is lifted' : `their ${sessions} end at once, and any lockout is lifted`}.`,
      };
    case 'reset_mfa':
      return {
        title: `Reset two-factor authentication of ${user.username}?`,
        confirm: 'Reset two-factor',
        busy: 'Resetting…',
        danger: true,
        body: `For a lost phone: ${user.username}'s authenticator app and recovery codes stop working. Their next sign-in takes the password only, or sets up a new app where your organization requires one. Check it is really them who asks.`,
      };
    case 'logout':
      return {
        title: user.id === selfId ? 'Log out your other sessions?' : `Log out ${user.username} everywhere?`,
        confirm: 'Log out',
        busy: 'Logging out…',
        danger: true,
        body:
          user.id === selfId
            ? 'Every session of yours but this one ends at once.'
            : `${user.username}'s ${sessions} end at once; open tabs return to the login page. They can log in again.`,
      };
    case 'unlock':
      return {
        title: `Unlock ${user.username}?`,
        confirm: 'Unlock',
        busy: 'Unlocking…',
        danger: false,
        body: `Their failed password attempts are forgotten, so ${user.username} can log in again at once.`,
      };
  }
}

async function run(action: UserAction): Promise<string | null> {
  const { user } = action;
  switch (action.kind) {
    case 'disable':
    case 'enable':
      await api.updateUser(user.id, { disabled: action.kind === 'disable' });
      return null;
    case 'role':
      await api.updateUser(user.id, { role: action.role });
      return null;
    case 'reset':
      return (await api.resetPassword(user.id)).password ?? null;
    case 'reset_mfa':
      await api.resetUserMfa(user.id);
      return null;
    case 'logout':
      await api.endSessionsByFilter({ userId: user.id });
      return null;
    case 'unlock':
      await api.clearLockout(user.id);
      return null;
  }
}

/** Confirms one change to a user, shows the API's refusal as it is, and a generated password once. */
export function UserActionDialog({ action, selfId, onClose, onDone }: UserActionDialogProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [password, setPassword] = useState<string | null>(null);

  const close = () => {
    setError(null);
    setPassword(null);
    onClose();
  };
  const confirm = async () => {
    if (!action) return;
    setBusy(true);
    setError(null);
    try {
      const generated = await run(action);
      onDone();
      if (generated) setPassword(generated);
      else close();
    } catch (caught) {
      setError(caught instanceof ApiError || caught instanceof Error ? caught.message : 'It did not work.');
    } finally {
      setBusy(false);
    }
  };

  const wording = action ? wordingOf(action, selfId) : null;
  if (password && action) {
    return (
      <Modal
        title="New password"
        open
        onClose={close}
        actions={
          <button type="button" className="button button-primary" onClick={close}>
            Done
          </button>
        }
      >
        <p>
          The new password of <strong>{action.user.username}</strong>, shown this once:
        </p>
        <p className="secret">
          <code data-testid="generated-password">{password}</code>
        </p>
        <p className="muted small">Give it to them safely. They should change it after logging in.</p>
      </Modal>
    );
  }
  return (
    <Modal
      title={wording?.title ?? ''}
      open={action !== null}
      onClose={close}
      tone={wording?.danger ? 'danger' : 'default'}
      actions={
        <>
          <button type="button" className="button" onClick={close} disabled={busy}>
            Cancel
          </button>
          <button
            type="button"
            className={wording?.danger ? 'button button-danger' : 'button button-primary'}
            onClick={confirm}
            disabled={busy}
          >
            {busy ? wording?.busy : wording?.confirm}
          </button>
        </>
      }
    >
      {error && <Alert tone="error">{error}</Alert>}
      <p>{wording?.body}</p>
    </Modal>
  );
}
