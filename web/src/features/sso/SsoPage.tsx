import { useEffect, useState } from 'react';
import { ApiError, api } from '../../api/client.ts';
import type { Me, SsoConfig, SsoConfigInput } from '../../api/types.ts';
import { Alert } from '../../components/Alert.tsx';
import { Modal } from '../../components/Modal.tsx';
import { RelativeTime } from '../../components/RelativeTime.tsx';
import { RedirectUri } from './RedirectUri.tsx';
import { SsoForm } from './SsoForm.tsx';
import { SsoTestResults, type SsoTestState } from './SsoTestResults.tsx';

const message = (caught: unknown, fallback: string) =>
  caught instanceof ApiError ? caught.message : fallback;

/** Loaded: the stored config, or null when the org has none yet (404 SSO_NOT_CONFIGURED). */
type Loaded = { config: SsoConfig | null } | null;

/** Single sign-on (admins): the org's OpenID Connect provider, its test, and its removal. */
export function SsoPage({ me }: { me: Me }) {
  const isAdmin = me.user.role === 'admin';
  const [loaded, setLoaded] = useState<Loaded>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [test, setTest] = useState<SsoTestState>(null);
  const [removing, setRemoving] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    document.title = 'Single sign-on · Vault Sessions';
  }, []);

  useEffect(() => {
    if (!isAdmin) return;
    const abort = new AbortController();
    api
      .ssoConfig(abort.signal)
      .then((config) => setLoaded({ config }))
      .catch((caught: unknown) => {
        if (abort.signal.aborted) return;
        if (caught instanceof ApiError && caught.code === 'SSO_NOT_CONFIGURED') setLoaded({ config: null });
        else setLoadError(message(caught, 'Could not load the single sign-on settings.'));
      });
    return () => abort.abort();
  }, [isAdmin]);

  if (!isAdmin) {
    return (
      <div className="page">
        <h1>Single sign-on</h1>
        <p>Only an admin of your organization can manage its single sign-on.</p>
      </div>
    );
  }

  const config = loaded?.config ?? null;

  const runTest = async (input: SsoConfigInput) => {
    setTest({ running: true });
    try {
      setTest({ running: false, result: await api.testSso(input) });
    } catch (caught) {
      // A refused field belongs by the field (the form shows it), not in the results.
      if (caught instanceof ApiError && caught.status === 400) {
        setTest(null);
        throw caught;
      }
      const detail = message(caught, 'The test could not be run.');
      setTest({ running: false, result: { ok: false, checks: [{ name: 'test', ok: false, detail }] } });
    }
  };

  const remove = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.deleteSsoConfig();
      setLoaded({ config: null });
      setTest(null);
      setRemoving(false);
      setNotice('Single sign-on was removed: everyone logs in with a password again.');
    } catch (caught) {
      setError(message(caught, 'Single sign-on could not be removed.'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="page">
      <div className="page-head">
        <div>
          <h1>Single sign-on</h1>
          <p className="muted">
            Your people sign in through your organization’s OpenID Connect provider (Okta, Entra ID, Google
            Workspace, Keycloak…).
          </p>
        </div>
      </div>
      {loadError && <Alert tone="error">{loadError}</Alert>}
      {!loaded && !loadError && <p className="placeholder">Loading…</p>}
      {loaded && (
        <div className="sso-layout">
          <section className="settings-card" aria-labelledby="sso-register">
            <h2 id="sso-register">Register Vault with your provider</h2>
            <RedirectUri
              uri={config?.redirectUri ?? `${window.location.origin}/api/auth/sso/callback`}
              fromServer={config !== null}
            />
          </section>
          <section className="settings-card" aria-labelledby="sso-provider">
            <h2 id="sso-provider">Provider</h2>
            <p className="sso-status">
              {config ? (
                <>
                  <span className="badge badge-current">On</span>
                  {config.enforced ? ' Required for everyone' : ' Passwords still work'}
                  {' · saved '}
                  <RelativeTime iso={config.updatedAt} now={Date.now()} />
                </>
              ) : (
                'Not set up yet: everyone logs in with a password.'
              )}
            </p>
            {error && <Alert tone="error">{error}</Alert>}
            {notice && <Alert tone="success">{notice}</Alert>}
            <SsoForm
              key={config?.updatedAt ?? 'new'}
              config={config}
              onSaved={(saved) => {
                setLoaded({ config: saved });
                setError(null);
                setNotice('Single sign-on saved.');
              }}
              onTest={runTest}
              testing={test?.running === true}
              onRemove={config ? () => setRemoving(true) : undefined}
            />
            <SsoTestResults test={test} />
          </section>
        </div>
      )}
      <Modal
        title="Remove single sign-on?"
        tone="danger"
        open={removing}
        onClose={() => setRemoving(false)}
        actions={
          <>
            <button type="button" className="button" onClick={() => setRemoving(false)}>
              Cancel
            </button>
            <button type="button" className="button button-danger" disabled={busy} onClick={remove}>
              Remove single sign-on
            </button>
          </>
        }
      >
        <p>
          Nobody can sign in through <strong>{config?.issuer}</strong> any more, and the stored client secret
          is deleted. People without a Vault password cannot log in until an admin sets one.
        </p>
      </Modal>
    </div>
  );
}
