import { useId, useState } from 'react';

/** The callback address to register with the provider, read-only, with a Copy button. */
export function RedirectUri({ uri, fromServer }: { uri: string; fromServer: boolean }) {
  const id = useId();
  const [copied, setCopied] = useState(false);
  return (
    <div className="field">
      <label htmlFor={id}>Redirect URI</label>
      <div className="field-inline">
        <input id={id} className="sso-uri" readOnly value={uri} onFocus={(event) => event.target.select()} />
        <button
          type="button"
          className="button"
          onClick={() => navigator.clipboard?.writeText(uri).then(() => setCopied(true))}
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
      <p className="hint">
        Register it with your provider as the app’s redirect (callback) URI, with the scopes{' '}
        <code>openid email profile</code>.
        {!fromServer &&
          ' Taken from this page’s address: once saved, this shows the one the server uses (PUBLIC_URL when set).'}
      </p>
    </div>
  );
}
