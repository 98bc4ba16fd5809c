import { type FormEvent, useState } from 'react';
import { ApiError, api } from '../../api/client.ts';
import type { SsoConfig, SsoConfigInput } from '../../api/types.ts';
import { Alert } from '../../components/Alert.tsx';
import {
  draftToInput,
  EMPTY_DRAFT,
  fieldError,
  SSO_FIELDS,
  type SsoDraft,
  type SsoField,
  type SsoFieldErrors,
  toDraft,
} from './sso-form.ts';

const IDS: Record<SsoField, string> = {
  issuer: 'sso-issuer',
  clientId: 'sso-client-id',
  clientSecret: 'sso-client-secret',
  emailDomains: 'sso-domains',
};

interface SsoFormProps {
  /** The stored config; null: none yet. */
  config: SsoConfig | null;
  onSaved: (config: SsoConfig) => void;
  /** Test connection: the settings as typed, saved or not; a 400 comes back to the form, by its field. */
  onTest: (input: SsoConfigInput) => Promise<void>;
  testing: boolean;
  /** Remove (asks first); absent while nothing is stored. */
  onRemove?: () => void;
}

/** The provider's settings; Save sends them all (an empty secret keeps the stored one). */
export function SsoForm({ config, onSaved, onTest, testing, onRemove }: SsoFormProps) {
  const [draft, setDraft] = useState<SsoDraft>(() => (config ? toDraft(config) : EMPTY_DRAFT));
  const [errors, setErrors] = useState<SsoFieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const change = (patch: Partial<SsoDraft>) => {
    setErrors((old) => {
      const next = { ...old };
      for (const key of Object.keys(patch)) delete next[key as SsoField];
      return next;
    });
    setDraft((old) => ({ ...old, ...patch }));
  };

  const showErrors = (found: SsoFieldErrors) => {
    setErrors(found);
    const first = SSO_FIELDS.find((field) => found[field]);
    if (first) document.getElementById(IDS[first])?.focus();
  };

  /** Checks the draft, then sends it; the server's refusal goes by the field it names. */
  const send = async (run: (input: SsoConfigInput) => Promise<void>, fallback: string) => {
    setFormError(null);
    const result = draftToInput(draft, config !== null);
    if (!result.ok) return showErrors(result.errors);
    setErrors({});
    try {
      await run(result.input);
    } catch (caught) {
      const message = caught instanceof ApiError ? caught.message : fallback;
      const named =
        caught instanceof ApiError && caught.status === 400 ? fieldError(message, result.input) : null;
      if (named) showErrors({ [named.field]: named.message });
      else setFormError(message);
    }
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    await send(async (input) => onSaved(await api.saveSsoConfig(input)), 'The settings could not be saved.');
    setBusy(false);
  };

  const test = () => send(onTest, 'The test could not be run.');

  const errorOf = (field: SsoField) =>
    errors[field] ? (
      <p id={`${IDS[field]}-error`} className="field-error" role="alert">
        {errors[field]}
      </p>
    ) : null;
  const described = (field: SsoField, hint?: string) => {
    const ids = [hint, errors[field] ? `${IDS[field]}-error` : undefined].filter(Boolean).join(' ');
    return {
      id: IDS[field],
      'aria-invalid': errors[field] ? (true as const) : undefined,
      'aria-describedby': ids || undefined,
    };
  };

  return (
    <form className="form" onSubmit={submit} noValidate aria-label="Single sign-on settings">
      <div className="field">
        <label htmlFor={IDS.issuer}>Issuer URL</label>
        <input
          {...described('issuer', 'sso-issuer-hint')}
          type="url"
          spellCheck={false}
          autoComplete="off"
          placeholder="https://login.example.com/oauth2/default"
          value={draft.issuer}
          onChange={(event) => change({ issuer: event.target.value })}
        />
        <p id="sso-issuer-hint" className="hint">
          Vault reads <code>/.well-known/openid-configuration</code> under it. https only (a loopback address
          is fine for development).
        </p>
        {errorOf('issuer')}
      </div>
      <div className="field">
        <label htmlFor={IDS.clientId}>Client ID</label>
        <input
          {...described('clientId')}
          spellCheck={false}
          autoComplete="off"
          value={draft.clientId}
          onChange={(event) => change({ clientId: event.target.value })}
        />
        {errorOf('clientId')}
      </div>
      <div className="field">
        <label htmlFor={IDS.clientSecret}>Client secret</label>
        <input
          {...described('clientSecret', 'sso-secret-hint')}
          type="password"
          autoComplete="new-password"
          placeholder={config ? 'stored — leave empty to keep' : undefined}
          value={draft.clientSecret}
          onChange={(event) => change({ clientSecret: event.target.value })}
        />
        <p id="sso-secret-hint" className="hint">
          Stored encrypted and never shown again.
        </p>
        {errorOf('clientSecret')}
      </div>
      <div className="field">
        <label htmlFor={IDS.emailDomains}>Email domains</label>
        <textarea
          {...described('emailDomains', 'sso-domains-hint')}
          rows={3}
          spellCheck={false}
          placeholder={'example.com\nexample.co.uk'}
          value={draft.emailDomains}
          onChange={(event) => change({ emailDomains: event.target.value })}
        />
        <p id="sso-domains-hint" className="hint">
          One a line. People whose verified email is at one of these domains sign in through this provider.
        </p>
        {errorOf('emailDomains')}
      </div>
      <fieldset className="sso-options">
        <legend>Accounts and passwords</legend>
        <Check
          id="sso-auto-create"
          checked={draft.autoCreateUsers}
          onChange={(autoCreateUsers) => change({ autoCreateUsers })}
          label="Create accounts at the first sign-in"
          hint="A verified email of these domains without a Vault account becomes a new user (role: user). Off: an admin adds people first."
        />
        <Check
          id="sso-enforced"
          checked={draft.enforced}
          onChange={(enforced) => change({ enforced })}
          label="Require SSO"
          hint="Password logins of your organization’s people are refused: they sign in through the provider only."
        />
        <Check
          id="sso-break-glass"
          checked={draft.enforced && draft.allowAdminPasswordLogin}
          disabled={!draft.enforced}
          onChange={(allowAdminPasswordLogin) => change({ allowAdminPasswordLogin })}
          label="Let admins still log in with a password (break-glass)"
          hint="While SSO is required, admins keep their password, so your organization is not locked out when the provider is down or misconfigured. Each such login is recorded as an activity of its own."
        />
      </fieldset>
      {formError && <Alert tone="error">{formError}</Alert>}
      <div className="sso-actions">
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save'}
        </button>
        <button type="button" className="button" disabled={testing} onClick={test}>
          {testing ? 'Testing…' : 'Test connection'}
        </button>
        {onRemove && (
          <button type="button" className="button button-danger" onClick={onRemove}>
            Remove
          </button>
        )}
      </div>
    </form>
  );
}

interface CheckProps {
  id: string;
  checked: boolean;
  disabled?: boolean;
  onChange: (checked: boolean) => void;
  label: string;
  hint: string;
}

function Check({ id, checked, disabled, onChange, label, hint }: CheckProps) {
  return (
    <div className="sso-check">
      <input
        id={id}
        type="checkbox"
        checked={checked}
        disabled={disabled}
        aria-describedby={`${id}-hint`}
        onChange={(event) => onChange(event.target.checked)}
      />
      <div>
        <label htmlFor={id}>{label}</label>
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      </div>
    </div>
  );
}
