import { type FormEvent, useEffect, useState } from 'react';
import { api } from '../../api/client.ts';
import type { MfaStatus, TotpEnrolmentAnswer } from '../../api/types.ts';
import { Alert } from '../../components/Alert.tsx';
import { Modal } from '../../components/Modal.tsx';
import { describeCodeFailure } from './code-errors.ts';
import { OneTimeCodeField } from './OneTimeCodeField.tsx';
import { RecoveryCodes } from './RecoveryCodes.tsx';
import { TotpSetup } from './TotpSetup.tsx';

interface TwoFactorDialogProps {
  open: boolean;
  username: string;
  onClose: () => void;
}

type Stage =
  | { kind: 'loading' }
  | { kind: 'status'; status: MfaStatus }
  | { kind: 'enrolling'; enrolment: TotpEnrolmentAnswer }
  | { kind: 'codes'; codes: string[] }
  | { kind: 'disabled' };

/** Profile > Two-factor authentication: turn TOTP on (QR, key, first code, recovery codes) or off. */
export function TwoFactorDialog({ open, username, onClose }: TwoFactorDialogProps) {
  const [stage, setStage] = useState<Stage>({ kind: 'loading' });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [offCode, setOffCode] = useState('');
  const [recovery, setRecovery] = useState(false);

  useEffect(() => {
    if (!open) return;
    const abort = new AbortController();
    setStage({ kind: 'loading' });
    setError(null);
    setOffCode('');
    api
      .mfaStatus(abort.signal)
      .then((status) => setStage({ kind: 'status', status }))
      .catch((caught) => !abort.signal.aborted && setError(describeCodeFailure(caught)));
    return () => abort.abort();
  }, [open]);

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (caught) {
      setError(describeCodeFailure(caught));
    } finally {
      setBusy(false);
    }
  };
  const start = () => run(async () => setStage({ kind: 'enrolling', enrolment: await api.enrolTotp() }));
  const confirm = (code: string) =>
    run(async () => setStage({ kind: 'codes', codes: (await api.confirmTotp(code)).recoveryCodes }));
  const turnOff = (event: FormEvent) => {
    event.preventDefault();
    if (!offCode.trim()) {
      setError(recovery ? 'Enter one of your recovery codes.' : 'Enter the code from your app.');
      return;
    }
    void run(async () => {
      await api.disableTotp(offCode.trim());
      setStage({ kind: 'disabled' });
    });
  };

  const closeButton = (label = 'Close') => (
    <button type="button" className="button button-primary" onClick={onClose}>
      {label}
    </button>
  );
  const actions =
    stage.kind === 'enrolling' ? (
      <>
        <button type="button" className="button" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" form="totp-enrol" className="button button-primary" disabled={busy}>
          {busy ? 'Checking…' : 'Turn on'}
        </button>
      </>
    ) : stage.kind === 'status' && stage.status.totp ? (
      <>
        <button type="button" className="button" onClick={onClose}>
          Close
        </button>
        <button type="submit" form="totp-off" className="button button-danger" disabled={busy}>
          {busy ? 'Turning off…' : 'Turn off'}
        </button>
      </>
    ) : stage.kind === 'codes' ? (
      closeButton('I saved my codes')
    ) : (
      closeButton()
    );

  return (
    <Modal title="Two-factor authentication" open={open} onClose={onClose} actions={actions}>
      <section className="two-factor" aria-live="polite">
        {stage.kind === 'loading' &&
          (error ? <Alert tone="error">{error}</Alert> : <p className="muted">Loading…</p>)}
        {stage.kind === 'status' && !stage.status.totp && (
          <>
            <p>
              Two-factor authentication is <strong>off</strong>. With it on, signing in takes your password
              and a code from an authenticator app on your phone.
            </p>
            {error && <Alert tone="error">{error}</Alert>}
            <button type="button" className="button button-primary" onClick={start} disabled={busy}>
              {busy ? 'Starting…' : 'Set up two-factor authentication'}
            </button>
          </>
        )}
        {stage.kind === 'status' && stage.status.totp && (
          <form id="totp-off" className="form" onSubmit={turnOff} noValidate>
            <Alert tone="success" title="Two-factor authentication is on">
              {stage.status.recoveryCodesLeft} of 10 recovery codes left.
            </Alert>
            <p>To turn it off, confirm with a code.</p>
            {error && <Alert tone="error">{error}</Alert>}
            <OneTimeCodeField
              id="totp-off-code"
              label={recovery ? 'Recovery code' : 'Code from the app'}
              recovery={recovery}
              value={offCode}
              onChange={setOffCode}
            />
            <button
              type="button"
              className="link-button"
              onClick={() => {
                setRecovery(!recovery);
                setOffCode('');
              }}
            >
              {recovery ? 'Use a code from the app' : 'Use a recovery code'}
            </button>
          </form>
        )}
        {stage.kind === 'enrolling' && (
          <TotpSetup
            enrolment={stage.enrolment}
            busy={busy}
            error={error}
            onConfirm={confirm}
            formId="totp-enrol"
          />
        )}
        {stage.kind === 'codes' && (
          <>
            <Alert tone="success" title="Two-factor authentication is on">
              Your next sign-in asks for a code from your app.
            </Alert>
            <RecoveryCodes codes={stage.codes} username={username} />
          </>
        )}
        {stage.kind === 'disabled' && (
          <Alert tone="info" title="Two-factor authentication is off">
            Signing in takes your password only (unless your organization requires a second factor: then you
            set it up again at your next sign-in).
          </Alert>
        )}
      </section>
    </Modal>
  );
}
