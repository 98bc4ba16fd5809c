import { type FormEvent, useEffect, useRef, useState } from 'react';
import { ApiError, api } from '../../api/client.ts';
import type { Me } from '../../api/types.ts';
import { Alert } from '../../components/Alert.tsx';
import { markReady } from '../../lib/perf.ts';
import { SsoAnnouncer, SsoCallbackError, SsoContinue, SsoEmailNeeded } from '../sso/SsoLogin.tsx';
import { initialIdentifier, useSsoStep } from '../sso/use-sso-step.ts';
import { MfaCodeStep } from './MfaCodeStep.tsx';
import { MfaEnrolmentStep } from './MfaEnrolmentStep.tsx';

/** Why the login page is shown, from `?reason=` (the `x-session-ended` values, plus our own logout). */
const REASONS: Record<string, { tone: 'info' | 'warning'; title: string; text: string }> = {
  terminated: {
    tone: 'warning',
    title: 'Your session was ended',
    text: 'An administrator (or you, from another device) logged this session out. Log in again to continue.',
  },
  password_changed: {
    tone: 'warning',
    title: 'Your password was changed',
    text: 'Changing the password logs out every other session. Log in with the new password.',
  },
  user_disabled: {
    tone: 'warning',
    title: 'Your account was disabled',
    text: 'Ask an administrator of your organization to enable it again.',
  },
  expired: {
    tone: 'info',
    title: 'Your session expired',
    text: 'Sessions end after a period of inactivity. Log in again to continue.',
  },
  session_limit: {
    tone: 'warning',
    title: 'Your oldest session was ended',
    text: 'Your organization allows a limited number of sessions per person, and a newer login took its place.',
  },
  logout: { tone: 'info', title: 'You logged out', text: 'This session was logged out in another tab.' },
  signed_out: { tone: 'info', title: 'You have logged out', text: 'Log in again to continue.' },
};

function describeFailure(error: unknown): string {
  if (!(error instanceof ApiError)) return 'Login failed. Try again.';
  if (error.code === 'INVALID_CREDENTIALS') return 'Wrong username or password.';
  if (error.code === 'RATE_LIMITED') {
    const minutes = error.retryAfter ? Math.max(1, Math.ceil(error.retryAfter / 60)) : null;
    return minutes
      ? `Too many failed login attempts. Try again in ${minutes === 1 ? '1 minute' : `${minutes} minutes`}.`
      : 'Too many failed login attempts. Try again later.';
  }
  return error.message;
}

/** The second step a 401 asks for, if it is one. */
function secondStepOf(code: ApiError['code']): 'code' | 'enrol' | null {
  return code === 'MFA_REQUIRED' ? 'code' : code === 'MFA_ENROLLMENT_REQUIRED' ? 'enrol' : null;
}

interface LoginPageProps {
  reason: string | null;
  next: string | null;
  onLoggedIn: (me: Me, next: string | null) => void;
}

export function LoginPage({ reason, next, onLoggedIn }: LoginPageProps) {
  const [username, setUsername] = useState(initialIdentifier);
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  /** The second step a right password led to (MfaCodeStep, MfaEnrolmentStep). */
  const [mfa, setMfa] = useState<{ kind: 'code' | 'enrol'; token: string } | null>(null);
  const usernameRef = useRef<HTMLInputElement>(null);
  const notice = reason ? REASONS[reason] : undefined;
  const sso = useSsoStep(username, next);

  useEffect(() => {
    document.title = 'Log in · Vault Sessions';
    usernameRef.current?.focus();
    markReady();
  }, []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    if (username.trim() && (await sso.submit(password))) return;
    if (!username.trim() || !password) {
      setError('Enter your username and password.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onLoggedIn(await api.login(username.trim(), password), next);
    } catch (caught) {
      setPassword('');
      setBusy(false);
      const step = caught instanceof ApiError && caught.mfaToken ? secondStepOf(caught.code) : null;
      if (step) setMfa({ kind: step, token: (caught as ApiError).mfaToken as string });
      else if (!sso.refused(caught)) setError(describeFailure(caught));
    }
  };
  const restart = () => {
    setMfa(null);
    setError(null);
  };

  return (
    <div className="login">
      <div className="login-card">
        <h1>Log in to Vault</h1>
        <p className="muted">Data backup and recovery for your organization.</p>
        <SsoCallbackError hidden={error !== null || sso.notice !== null} />
        {notice && !error && !mfa && (
          <Alert tone={notice.tone} title={notice.title}>
            {notice.text}
          </Alert>
        )}
        {mfa?.kind === 'code' && (
          <MfaCodeStep mfaToken={mfa.token} onLoggedIn={(me) => onLoggedIn(me, next)} onRestart={restart} />
        )}
        {mfa?.kind === 'enrol' && (
          <MfaEnrolmentStep
            mfaToken={mfa.token}
            username={username.trim()}
            onLoggedIn={(me) => onLoggedIn(me, next)}
            onRestart={restart}
          />
        )}
        {error && <Alert tone="error">{error}</Alert>}
        <SsoEmailNeeded show={sso.notice === 'required_email'} />
        <SsoAnnouncer active={sso.active} />
        <form className="form" onSubmit={submit} noValidate hidden={mfa !== null}>
          <div className="field">
            <label htmlFor="username">Username or email</label>
            <input
              ref={usernameRef}
              id="username"
              name="username"
              autoComplete="username"
              autoCapitalize="none"
              spellCheck={false}
              required
              value={username}
              onChange={(event) => setUsername(event.target.value)}
            />
          </div>
          <div className="field" hidden={sso.active}>
            <label htmlFor="password">Password</label>
            <input
              id="password"
              name="password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(event) => setPassword(event.target.value)}
            />
          </div>
          <button
            type="submit"
            className="button button-primary button-block"
            disabled={busy}
            hidden={sso.active}
          >
            {busy ? 'Logging in…' : 'Log in'}
          </button>
          {sso.active && <SsoContinue notice={sso.notice} onUsePassword={sso.usePassword} />}
        </form>
      </div>
    </div>
  );
}
