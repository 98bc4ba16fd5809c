import { type FormEvent, useEffect, useState } from 'react';
import { ApiError, api } from '../../api/client.ts';
import type { Me, OnLimit, OrgPolicy, OrgPolicyUpdate } from '../../api/types.ts';
import { Alert } from '../../components/Alert.tsx';
import { Link } from '../../components/router.tsx';

/** The form's text, as typed: an empty idle or lifetime means the configuration's, an empty limit none. */
interface Draft {
  idleMinutes: string;
  maxHours: string;
  maxSessionsPerUser: string;
  onLimit: OnLimit;
  requireMfa: boolean;
}

function toDraft(policy: OrgPolicy): Draft {
  return {
    idleMinutes: policy.usesDefault.idleMinutes ? '' : String(policy.idleMinutes),
    maxHours: policy.usesDefault.maxHours ? '' : String(policy.maxHours),
    maxSessionsPerUser: policy.maxSessionsPerUser === null ? '' : String(policy.maxSessionsPerUser),
    onLimit: policy.onLimit,
    requireMfa: policy.requireMfa,
  };
}

/** Sent as typed: the server checks the bounds and names the field it refuses. */
const asNumber = (text: string): number | null => (text.trim() === '' ? null : Number(text.trim()));

function toUpdate(draft: Draft): OrgPolicyUpdate {
  return {
    idleMinutes: asNumber(draft.idleMinutes),
    maxHours: asNumber(draft.maxHours),
    maxSessionsPerUser: asNumber(draft.maxSessionsPerUser),
    onLimit: draft.onLimit,
    requireMfa: draft.requireMfa,
  };
}

/** Settings (admins): the org's session policy. */
export function SettingsPage({ me }: { me: Me }) {
  const [policy, setPolicy] = useState<OrgPolicy | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const isAdmin = me.user.role === 'admin';

  useEffect(() => {
    if (!isAdmin) return;
    const abort = new AbortController();
    api
      .orgPolicy(abort.signal)
      .then((loaded) => {
        setPolicy(loaded);
        setDraft(toDraft(loaded));
      })
      .catch((caught: unknown) => {
        if (!abort.signal.aborted)
          setError(caught instanceof ApiError ? caught.message : 'Could not load the policy.');
      });
    return () => abort.abort();
  }, [isAdmin]);

  if (!isAdmin) {
    return (
      <div className="page">
        <h1>Settings</h1>
        <p>Only an admin of your organization can see its settings.</p>
      </div>
    );
  }

  const change = (patch: Partial<Draft>) => {
    setSaved(false);
    setDraft((current) => (current ? { ...current, ...patch } : current));
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!draft) return;
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      const updated = await api.updateOrgPolicy(toUpdate(draft));
      setPolicy(updated);
      setDraft(toDraft(updated));
      setSaved(true);
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : 'The policy could not be saved.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="page">
      <div className="page-head">
        <div>
          <p className="breadcrumb">
            Profile › <Link href="/sessions">Session Information</Link>
          </p>
          <h1>Settings</h1>
          <p className="muted">
            Your organization’s rules for sessions. Changes apply at once to every live session.
          </p>
        </div>
      </div>
      <section className="settings-card" aria-labelledby="session-policy">
        <h2 id="session-policy">Session policy</h2>
        {!draft || !policy ? (
          error ? (
            <Alert tone="error">{error}</Alert>
          ) : (
            <p className="muted">Loading…</p>
          )
        ) : (
          <form className="form" onSubmit={submit} noValidate>
            {error && <Alert tone="error">{error}</Alert>}
            {saved && <Alert tone="success">Session policy saved.</Alert>}
            <div className="field">
              <label htmlFor="idle-minutes">Idle timeout (minutes)</label>
              <input
                id="idle-minutes"
                inputMode="numeric"
                placeholder={`${policy.defaults.idleMinutes} (default)`}
                aria-describedby="idle-minutes-hint"
                value={draft.idleMinutes}
                onChange={(event) => change({ idleMinutes: event.target.value })}
              />
              <p id="idle-minutes-hint" className="hint">
                1–10,080. A session unused this long ends. Empty: the default, {policy.defaults.idleMinutes}.
              </p>
            </div>
            <div className="field">
              <label htmlFor="max-hours">Maximum session length (hours)</label>
              <input
                id="max-hours"
                inputMode="numeric"
                placeholder={`${policy.defaults.maxHours} (default)`}
                aria-describedby="max-hours-hint"
                value={draft.maxHours}
                onChange={(event) => change({ maxHours: event.target.value })}
              />
              <p id="max-hours-hint" className="hint">
                1–8,760. A session ends this long after its login, however much it is used. Empty: the
                default, {policy.defaults.maxHours}.
              </p>
            </div>
            <div className="field">
              <label htmlFor="max-sessions">Sessions per user</label>
              <input
                id="max-sessions"
                inputMode="numeric"
                placeholder="No limit"
                aria-describedby="max-sessions-hint"
                value={draft.maxSessionsPerUser}
                onChange={(event) => change({ maxSessionsPerUser: event.target.value })}
              />
              <p id="max-sessions-hint" className="hint">
                1–1,000, checked at each login. Empty: no limit.
              </p>
            </div>
            <div className="field">
              <label htmlFor="on-limit">At the limit, a new login</label>
              <select
                id="on-limit"
                value={draft.onLimit}
                onChange={(event) => change({ onLimit: event.target.value as OnLimit })}
              >
                <option value="end_oldest">ends the user’s oldest session</option>
                <option value="deny">is refused</option>
              </select>
            </div>
            <div className="field-inline">
              <input
                id="require-mfa"
                type="checkbox"
                checked={draft.requireMfa}
                onChange={(event) => change({ requireMfa: event.target.checked })}
              />
              <label htmlFor="require-mfa">
                Require multi-factor authentication (enforced once MFA is available)
              </label>
            </div>
            <div>
              <button type="submit" className="button button-primary" disabled={busy}>
                {busy ? 'Saving…' : 'Save policy'}
              </button>
            </div>
          </form>
        )}
      </section>
    </div>
  );
}
