import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { ApiError, api } from '../../api/client.ts';
import {
  API_KEY_SCOPES,
  type ApiKey,
  type ApiKeyScope,
  type CreatedApiKey,
  type Me,
} from '../../api/types.ts';
import { Alert } from '../../components/Alert.tsx';
import { Modal } from '../../components/Modal.tsx';
import { RelativeTime } from '../../components/RelativeTime.tsx';
import { formatDateTime, useNow } from '../../lib/time.ts';
import { SCOPE_LABELS } from './scope-labels.ts';

const message = (caught: unknown, fallback: string) =>
  caught instanceof ApiError ? caught.message : fallback;

/** API keys (admins): the org's keys for its services and SIEM, created with scopes, shown once, revoked. */
export function ApiKeysPage({ me }: { me: Me }) {
  const isAdmin = me.user.role === 'admin';
  const [keys, setKeys] = useState<ApiKey[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<ApiKeyScope[]>(['activities:write']);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [copied, setCopied] = useState(false);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const now = useNow();

  const load = useCallback((signal?: AbortSignal) => {
    api
      .apiKeys(signal)
      .then(({ apiKeys }) => setKeys(apiKeys))
      .catch((caught: unknown) => {
        if (!signal?.aborted) setError(message(caught, 'Could not load the API keys.'));
      });
  }, []);

  useEffect(() => {
    document.title = 'API keys · Vault Sessions';
    if (!isAdmin) return;
    const abort = new AbortController();
    load(abort.signal);
    return () => abort.abort();
  }, [isAdmin, load]);

  if (!isAdmin) {
    return (
      <div className="page">
        <h1>API keys</h1>
        <p>Only an admin of your organization can manage its API keys.</p>
      </div>
    );
  }

  const toggle = (scope: ApiKeyScope) =>
    setScopes((current) =>
      current.includes(scope) ? current.filter((s) => s !== scope) : [...current, scope],
    );

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setCreated(await api.createApiKey({ name: name.trim(), scopes }));
      setCopied(false);
      setName('');
      load();
    } catch (caught) {
      setError(message(caught, 'The key could not be created.'));
    } finally {
      setBusy(false);
    }
  };

  const revoke = async (key: ApiKey) => {
    setBusy(true);
    try {
      await api.revokeApiKey(key.id);
      setRevoking(null);
      load();
    } catch (caught) {
      setError(message(caught, 'The key could not be revoked.'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="page">
      <div className="page-head">
        <div>
          <h1>API keys</h1>
          <p className="muted">
            Keys for your services and your SIEM: each may do only what its scopes allow.
          </p>
        </div>
      </div>
      {error && <Alert tone="error">{error}</Alert>}

      <form className="settings-card" onSubmit={submit} aria-label="New API key">
        <h2>New key</h2>
        <div className="field">
          <label htmlFor="key-name">Name</label>
          <input
            id="key-name"
            required
            maxLength={100}
            placeholder="e.g. Splunk pull, nightly backup"
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        </div>
        <fieldset className="scope-choices">
          <legend>Scopes</legend>
          {API_KEY_SCOPES.map((scope) => (
            <label key={scope} className="scope-choice">
              <input type="checkbox" checked={scopes.includes(scope)} onChange={() => toggle(scope)} />
              <span>
                <strong>{SCOPE_LABELS[scope].title}</strong> <code>{scope}</code>
                <span className="hint">{SCOPE_LABELS[scope].detail}</span>
              </span>
            </label>
          ))}
        </fieldset>
        <button
          type="submit"
          className="button button-primary"
          disabled={busy || scopes.length === 0 || !name.trim()}
        >
          Create key
        </button>
      </form>

      <h2>Active keys</h2>
      {keys === null && !error && <p className="placeholder">Loading keys…</p>}
      {keys?.length === 0 && <p className="muted">No keys yet.</p>}
      {keys && keys.length > 0 && (
        <table className="data-table api-keys-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Key</th>
              <th scope="col">Scopes</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {keys.map((key) => (
              <tr key={key.id}>
                <td data-label="Name">{key.name}</td>
                <td data-label="Key">
                  <code>{key.prefix}…</code>
                </td>
                <td data-label="Scopes">
                  {key.scopes.map((scope) => (
                    <code key={scope} className="scope-tag">
                      {scope}
                    </code>
                  ))}
                </td>
                <td data-label="Created">{formatDateTime(key.createdAt)}</td>
                <td data-label="Last used">
                  {key.lastUsedAt ? <RelativeTime iso={key.lastUsedAt} now={now} /> : 'never'}
                </td>
                <td>
                  <button
                    type="button"
                    className="button button-danger-quiet"
                    onClick={() => setRevoking(key)}
                  >
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <Modal
        title="Your new API key"
        open={created !== null}
        onClose={() => setCreated(null)}
        actions={
          <button type="button" className="button button-primary" onClick={() => setCreated(null)}>
            Done
          </button>
        }
      >
        <p>
          Copy it now: it is <strong>not shown again</strong> (only a hash of it is stored).
        </p>
        <div className="field-inline">
          <input
            readOnly
            aria-label="The new key"
            value={created?.key ?? ''}
            onFocus={(e) => e.target.select()}
          />
          <button
            type="button"
            className="button"
            onClick={() => navigator.clipboard?.writeText(created?.key ?? '').then(() => setCopied(true))}
          >
            {copied ? 'Copied' : 'Copy'}
          </button>
        </div>
      </Modal>

      <Modal
        title="Revoke this key?"
        tone="danger"
        open={revoking !== null}
        onClose={() => setRevoking(null)}
        actions={
          <>
            <button type="button" className="button" onClick={() => setRevoking(null)}>
              Cancel
            </button>
            <button
              type="button"
              className="button button-danger"
              disabled={busy}
              onClick={() => revoking && revoke(revoking)}
            >
              Revoke key
            </button>
          </>
        }
      >
        <p>
          <strong>{revoking?.name}</strong> (<code>{revoking?.prefix}…</code>) is refused from its next
          request on. Whatever uses it stops working.
        </p>
      </Modal>
    </div>
  );
}
