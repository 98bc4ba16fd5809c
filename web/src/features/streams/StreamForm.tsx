import { type FormEvent, useId, useState } from 'react';
import { ApiError, api } from '../../api/client.ts';
import type { CreateStream, Stream, StreamFormat } from '../../api/types.ts';
import { Alert } from '../../components/Alert.tsx';
import { FORMAT_LABELS, FORMATS, fieldOfError, generateSecret, type StreamField } from './stream-labels.ts';

const URL_PLACEHOLDERS: Record<StreamFormat, string> = {
  json: 'https://siem.example.com/hooks/vault',
  splunk_hec: 'https://splunk.example.com:8088/services/collector/event',
};

/** The form of a new stream; `onCreated` once the server has it. */
export function StreamForm({ onCreated }: { onCreated: (stream: Stream) => void }) {
  const id = useId();
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [format, setFormat] = useState<StreamFormat>('json');
  const [secret, setSecret] = useState('');
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; field: StreamField | null } | null>(null);
  const [copied, setCopied] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const input: CreateStream = { name: name.trim(), url: url.trim(), format, secret };
    if (format === 'splunk_hec') input.token = token.trim();
    try {
      const created = await api.createStream(input);
      setName('');
      setUrl('');
      setSecret('');
      setToken('');
      setCopied(false);
      onCreated(created);
    } catch (caught) {
      const message = caught instanceof ApiError ? caught.message : 'The stream could not be created.';
      setError({ message, field: fieldOfError(message) });
    } finally {
      setBusy(false);
    }
  };

  /** The API's message under the field it names; the others in an alert at the end. */
  const errorOf = (field: StreamField) =>
    error?.field === field ? (
      <p id={`${id}-${field}-error`} className="field-error" role="alert">
        {error.message}
      </p>
    ) : null;
  const invalid = (field: StreamField) =>
    error?.field === field
      ? { 'aria-invalid': true as const, 'aria-describedby': `${id}-${field}-error` }
      : {};

  return (
    <form className="settings-card stream-form" onSubmit={submit} aria-label="New stream">
      <h2>New stream</h2>
      <div className="stream-form-grid">
        <div className="field">
          <label htmlFor={`${id}-name`}>Name</label>
          <input
            id={`${id}-name`}
            required
            maxLength={100}
            placeholder="e.g. Splunk (SOC)"
            value={name}
            onChange={(e) => setName(e.target.value)}
            {...invalid('name')}
          />
          {errorOf('name')}
        </div>
        <div className="field">
          <label htmlFor={`${id}-format`}>Format</label>
          <select
            id={`${id}-format`}
            value={format}
            onChange={(e) => setFormat(e.target.value as StreamFormat)}
          >
            {FORMATS.map((f) => (
              <option key={f} value={f}>
                {FORMAT_LABELS[f]}
              </option>
            ))}
          </select>
          {errorOf('format')}
        </div>
      </div>
      <div className="field">
        <label htmlFor={`${id}-url`}>URL</label>
        <input
          id={`${id}-url`}
          type="url"
          required
          maxLength={2000}
          placeholder={URL_PLACEHOLDERS[format]}
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          {...invalid('url')}
        />
        {format === 'splunk_hec' && (
          <p className="hint">The collector's full address, up to /services/collector/event.</p>
        )}
        {errorOf('url')}
      </div>
      {format === 'splunk_hec' && (
        <div className="field">
          <label htmlFor={`${id}-token`}>HEC token</label>
          <input
            id={`${id}-token`}
            required
            maxLength={256}
            autoComplete="off"
            spellCheck={false}
            value={token}
            onChange={(e) => setToken(e.target.value)}
            {...invalid('token')}
          />
          {errorOf('token')}
        </div>
      )}
      <div className="field">
        <label htmlFor={`${id}-secret`}>Signing secret</label>
        <div className="field-inline">
          <input
            id={`${id}-secret`}
            className="secret-input"
            required
            minLength={16}
            maxLength={256}
            autoComplete="off"
            spellCheck={false}
            value={secret}
            onChange={(e) => {
              setSecret(e.target.value);
              setCopied(false);
            }}
            {...invalid('secret')}
          />
          <button
            type="button"
            className="button"
            onClick={() => {
              setSecret(generateSecret());
              setCopied(false);
            }}
          >
            Generate
          </button>
          <button
            type="button"
            className="button"
            disabled={!secret}
            onClick={() => navigator.clipboard?.writeText(secret).then(() => setCopied(true))}
          >
            {copied ? 'Copied' : 'Copy'}
          </button>
        </div>
        <p className="hint">
          Signs every request (<code>X-Vault-Signature</code>). It is <strong>shown only now</strong>: copy it
          into the receiver before you create the stream.
        </p>
        {errorOf('secret')}
      </div>
      {error && error.field === null && <Alert tone="error">{error.message}</Alert>}
      <button
        type="submit"
        className="button button-primary"
        disabled={busy || !name.trim() || !url.trim() || !secret}
      >
        Create stream
      </button>
    </form>
  );
}
