import { useEffect, useState } from 'react';
import { api } from '../../api/client.ts';
import type { Me, TotpEnrolmentAnswer } from '../../api/types.ts';
import { Alert } from '../../components/Alert.tsx';
import { describeCodeFailure } from '../mfa/code-errors.ts';
import { RecoveryCodes } from '../mfa/RecoveryCodes.tsx';
import { TotpSetup } from '../mfa/TotpSetup.tsx';

interface MfaEnrolmentStepProps {
  mfaToken: string;
  username: string;
  onLoggedIn: (me: Me) => void;
  onRestart: () => void;
}

/**
 * MFA_ENROLLMENT_REQUIRED: the org requires a second factor and this user has none. The token
 * allows only this: set it up; its confirmation finishes the login, then the recovery codes.
 */
export function MfaEnrolmentStep({ mfaToken, username, onLoggedIn, onRestart }: MfaEnrolmentStepProps) {
  const [enrolment, setEnrolment] = useState<TotpEnrolmentAnswer | null>(null);
  const [finished, setFinished] = useState<{ me: Me; codes: string[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api
      .enrolTotp(mfaToken)
      .then(setEnrolment)
      .catch((caught) => setError(describeCodeFailure(caught)));
  }, [mfaToken]);

  const confirm = async (code: string) => {
    setBusy(true);
    setError(null);
    try {
      const answer = await api.confirmTotp(code, mfaToken);
      if (answer.user && answer.session) {
        setFinished({ me: { user: answer.user, session: answer.session }, codes: answer.recoveryCodes });
      }
    } catch (caught) {
      setError(describeCodeFailure(caught));
    } finally {
      setBusy(false);
    }
  };

  if (finished) {
    return (
      <div className="mfa-step">
        <h2>You are signed in</h2>
        <RecoveryCodes codes={finished.codes} username={username} />
        <button
          type="button"
          className="button button-primary button-block"
          onClick={() => onLoggedIn(finished.me)}
        >
          I saved my codes, continue
        </button>
      </div>
    );
  }
  return (
    <div className="mfa-step">
      <h2>Set up two-factor authentication</h2>
      <p className="muted">Your organization requires a code from an authenticator app at every sign-in.</p>
      {!enrolment && error && <Alert tone="error">{error}</Alert>}
      {!enrolment && !error && <p className="muted">Preparing…</p>}
      {enrolment && (
        <TotpSetup
          enrolment={enrolment}
          busy={busy}
          error={error}
          onConfirm={confirm}
          formId="totp-enrol-login"
          submitLabel="Turn on and sign in"
        />
      )}
      <button type="button" className="link-button" onClick={onRestart}>
        Cancel and sign in again
      </button>
    </div>
  );
}
