import { type FormEvent, useEffect, useRef, useState } from 'react';
import { ApiError, api } from '../../api/client.ts';
import type { Me } from '../../api/types.ts';
import { Alert } from '../../components/Alert.tsx';
import { describeCodeFailure } from '../mfa/code-errors.ts';
import { OneTimeCodeField } from '../mfa/OneTimeCodeField.tsx';

interface MfaCodeStepProps {
  mfaToken: string;
  onLoggedIn: (me: Me) => void;
  /** Back to the password (a token that ran out needs a new one). */
  onRestart: () => void;
}

/** The login's second step (MFA_REQUIRED): a code from the app, or one of the recovery codes. */
export function MfaCodeStep({ mfaToken, onLoggedIn, onRestart }: MfaCodeStepProps) {
  const [code, setCode] = useState('');
  const [recovery, setRecovery] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [expired, setExpired] = useState(false);
  const [busy, setBusy] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: focus again when the kind of code changes
  useEffect(() => inputRef.current?.focus(), [recovery]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const typed = code.trim();
    if (recovery ? typed.length < 6 : typed.length !== 6) {
      setError(recovery ? 'Enter one of your recovery codes.' : 'Enter the 6-digit code from your app.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onLoggedIn(await api.loginMfa(mfaToken, typed));
    } catch (caught) {
      setError(describeCodeFailure(caught));
      setExpired(caught instanceof ApiError && caught.code === 'MFA_TOKEN_INVALID');
      setCode('');
      setBusy(false);
    }
  };

  return (
    <div className="mfa-step">
      <h2>Two-factor authentication</h2>
      <p className="muted">
        {recovery
          ? 'Enter one of the recovery codes you saved when you set up two-factor authentication. Each works once.'
          : 'Open your authenticator app and enter the code it shows for Vault Sessions.'}
      </p>
      {error && <Alert tone="error">{error}</Alert>}
      {expired ? (
        <button type="button" className="button button-primary button-block" onClick={onRestart}>
          Sign in again
        </button>
      ) : (
        <form className="form" onSubmit={submit} noValidate>
          <OneTimeCodeField
            id="mfa-code"
            label={recovery ? 'Recovery code' : 'Authentication code'}
            recovery={recovery}
            value={code}
            onChange={setCode}
            inputRef={inputRef}
          />
          <button type="submit" className="button button-primary button-block" disabled={busy}>
            {busy ? 'Checking…' : 'Verify'}
          </button>
          <button
            type="button"
            className="link-button"
            onClick={() => {
              setRecovery(!recovery);
              setCode('');
              setError(null);
            }}
          >
            {recovery ? 'Use a code from your app' : 'Use a recovery code'}
          </button>
          <button type="button" className="link-button" onClick={onRestart}>
            Cancel and sign in again
          </button>
        </form>
      )}
    </div>
  );
}
