import { type FormEvent, useEffect, useState } from 'react';
import { ApiError, api } from '../../api/client.ts';
import type { Me, OnLimit, OrgPolicy } from '../../api/types.ts';
import { Alert } from '../../components/Alert.tsx';
import { NumberInput } from './NumberInput.tsx';
import {
  type Draft,
  describeSaved,
  draftToUpdate,
  type NumberField,
  STALE_POLICY_MESSAGE,
  toDraft,
} from './policy-form.ts';

const FIELD_IDS: Record<NumberField, string> = {
  idleMinutes: 'idle-minutes',
  maxHours: 'max-hours',
  maxSessionsPerUser: 'max-sessions',
};

/** Settings (admins): the org's session policy. */
export function SettingsPage({ me }: { me: Me }) {
  const [policy, setPolicy] = useState<OrgPolicy | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<NumberField, string>>>({});
  /** What the server answered to the last save, for the fields sent; null: nothing saved since. */
  const [saved, setSaved] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  /** A save was refused as another admin's change came first: the form offers the policy as it is now. */
  const [stale, setStale] = useState(false);
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
    setSaved(null);
    setFieldErrors((current) => {
      const next = { ...current };
      for (const key of Object.keys(patch)) delete next[key as NumberField];
      return next;
    });
    setDraft((current) => (current ? { ...current, ...patch } : current));
  };

  /** Loads the policy as stored, the admin's unsaved edits dropped: what the form shows after a conflict. */
  const reload = async () => {
    setBusy(true);
    try {
      const loaded = await api.orgPolicy();
      setPolicy(loaded);
      setDraft(toDraft(loaded));
      setFieldErrors({});
      setStale(false);
      setError(null);
      setSaved('Reloaded: the form shows the policy as it is now.');
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : 'Could not load the policy.');
    } finally {
      setBusy(false);
    }
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!draft || !policy) return;
    setError(null);
    setStale(false);
    setSaved(null);
    const result = draftToUpdate(draft, policy);
    if (!result.ok) {
      setFieldErrors(result.errors);
      const first = (Object.keys(FIELD_IDS) as NumberField[]).find((field) => result.errors[field]);
      if (first) document.getElementById(FIELD_IDS[first])?.focus();
      return;
    }
    setFieldErrors({});
    if (Object.keys(result.update).length === 0) {
      setSaved('Nothing changed; the policy is as it was.');
      return;
    }
    setBusy(true);
    try {
      const updated = await api.updateOrgPolicy(result.update);
      setPolicy(updated);
      // The server's answer, which also shows what another admin changed meanwhile.
      setDraft(toDraft(updated));
      setSaved(`Session policy saved: ${describeSaved(result.update, updated)}.`);
    } catch (caught) {
      if (caught instanceof ApiError && caught.status === 409) {
        setStale(true);
        setError(STALE_POLICY_MESSAGE);
      } else {
        setError(caught instanceof ApiError ? caught.message : 'The policy could not be saved.');
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="page">
      <div className="page-head">
        <div>
          <p className="breadcrumb">Profile › Settings</p>
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
            {error && (
              <Alert tone="error">
                {error}
                {stale && (
                  <>
                    {' '}
                    <button type="button" className="button button-small" onClick={reload} disabled={busy}>
                      Reload
                    </button>
                  </>
                )}
              </Alert>
            )}
            {saved && <Alert tone="success">{saved}</Alert>}
            <NumberInput
              id={FIELD_IDS.idleMinutes}
              label="Idle timeout (minutes)"
              placeholder={`${policy.defaults.idleMinutes} (default)`}
              value={draft.idleMinutes}
              error={fieldErrors.idleMinutes ?? null}
              onChange={(value) => change({ idleMinutes: value })}
            >
              1–10,080. A session unused this long ends. Empty: the default, {policy.defaults.idleMinutes}.
            </NumberInput>
            <NumberInput
              id={FIELD_IDS.maxHours}
              label="Maximum session length (hours)"
              placeholder={`${policy.defaults.maxHours} (default)`}
              value={draft.maxHours}
              error={fieldErrors.maxHours ?? null}
              onChange={(value) => change({ maxHours: value })}
            >
              1–8,760. A session ends this long after its login, however much it is used. Empty: the default,{' '}
              {policy.defaults.maxHours}.
            </NumberInput>
            <NumberInput
              id={FIELD_IDS.maxSessionsPerUser}
              label="Sessions per user"
              placeholder="No limit"
              value={draft.maxSessionsPerUser}
              error={fieldErrors.maxSessionsPerUser ?? null}
              onChange={(value) => change({ maxSessionsPerUser: value })}
            >
              1–1,000, checked at each login. Empty: no limit.
            </NumberInput>
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
                Require two-factor authentication (users without it set it up at their next login)
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
