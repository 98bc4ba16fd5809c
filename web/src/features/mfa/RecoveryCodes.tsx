import { useState } from 'react';
import { Alert } from '../../components/Alert.tsx';

interface RecoveryCodesProps {
  codes: readonly string[];
  username: string;
}

/** The ten recovery codes, shown once: to copy or download before the dialog closes. */
export function RecoveryCodes({ codes, username }: RecoveryCodesProps) {
  const [copied, setCopied] = useState<boolean | null>(null);
  const text = `Vault Sessions recovery codes for ${username}\nEach code signs you in once instead of an authenticator code.\n\n${codes.join('\n')}\n`;
  const download = `data:text/plain;charset=utf-8,${encodeURIComponent(text)}`;

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(codes.join('\n'));
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };

  return (
    <section className="recovery-codes" aria-labelledby="recovery-codes-title">
      <h3 id="recovery-codes-title">Your recovery codes</h3>
      <Alert tone="warning" title="Save these codes now">
        They are shown only this once. If you lose your phone, each code signs you in one time instead of an
        authenticator code.
      </Alert>
      <ol className="recovery-code-list" data-testid="recovery-codes">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ol>
      <div className="recovery-code-actions">
        <button type="button" className="button" onClick={copy}>
          Copy codes
        </button>
        <a className="button" href={download} download="vault-sessions-recovery-codes.txt">
          Download .txt
        </a>
        <span role="status" className="muted">
          {copied === true ? 'Copied.' : copied === false ? 'Could not copy: select the codes instead.' : ''}
        </span>
      </div>
    </section>
  );
}
