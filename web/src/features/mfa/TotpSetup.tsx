import { type FormEvent, useEffect, useState } from 'react';
import type { TotpEnrolmentAnswer } from '../../api/types.ts';
import { Alert } from '../../components/Alert.tsx';
import { OneTimeCodeField } from './OneTimeCodeField.tsx';

interface TotpSetupProps {
  enrolment: TotpEnrolmentAnswer;
  busy: boolean;
  error: string | null;
  onConfirm: (code: string) => void;
  /** The form's id, for a submit button outside it (a dialog's footer). */
  formId: string;
  /** A submit button inside the form (the login card has no footer). */
  submitLabel?: string;
}

/** Groups of four, as authenticator apps show a secret to be typed. */
const grouped = (secret: string) => secret.match(/.{1,4}/g)?.join(' ') ?? secret;

/**
 * Scan the QR code (drawn here, in the browser: the secret never leaves for another service) or
 * type the secret, then confirm with the app's first code.
 */
export function TotpSetup({ enrolment, busy, error, onConfirm, formId, submitLabel }: TotpSetupProps) {
  const [qr, setQr] = useState<string | null>(null);
  const [code, setCode] = useState('');

  useEffect(() => {
    let live = true;
    // Its own chunk (12 kB gzipped), loaded only by the few who enrol.
    import('qrcode')
      .then((qrcode) =>
        qrcode.toDataURL(enrolment.otpauthUrl, { margin: 1, width: 200, errorCorrectionLevel: 'M' }),
      )
      .then((url) => live && setQr(url))
      .catch(() => live && setQr(null));
    return () => {
      live = false;
    };
  }, [enrolment.otpauthUrl]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (code.length === 6) onConfirm(code);
  };

  return (
    <form id={formId} className="form totp-setup" onSubmit={submit} noValidate>
      <ol className="totp-steps">
        <li>
          Scan this QR code with an authenticator app (Google Authenticator, Microsoft Authenticator,
          1Password…).
          <div className="totp-qr">
            {qr ? (
              <img src={qr} width={200} height={200} alt="QR code of the two-factor secret" />
            ) : (
              <span className="muted">Drawing the QR code…</span>
            )}
          </div>
        </li>
        <li>
          Or type this key into the app (time-based, 6 digits, 30 seconds):
          <p>
            <code className="totp-secret" data-testid="totp-secret" data-secret={enrolment.secret}>
              {grouped(enrolment.secret)}
            </code>
          </p>
        </li>
        <li>Enter the code the app shows now.</li>
      </ol>
      {error && <Alert tone="error">{error}</Alert>}
      <OneTimeCodeField id={`${formId}-code`} label="Code from the app" value={code} onChange={setCode} />
      {code.length > 0 && code.length < 6 && <p className="hint">The code has 6 digits.</p>}
      {submitLabel && (
        <button
          type="submit"
          className="button button-primary button-block"
          disabled={busy || code.length !== 6}
        >
          {busy ? 'Checking…' : submitLabel}
        </button>
      )}
    </form>
  );
}
