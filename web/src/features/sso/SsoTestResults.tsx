import type { SsoTestResult } from '../../api/types.ts';

export type SsoTestState = { running: true } | { running: false; result: SsoTestResult } | null;

/** What "Test connection" found, check by check; a live region, so the outcome is heard too. */
export function SsoTestResults({ test }: { test: SsoTestState }) {
  return (
    <div className="sso-test" aria-live="polite">
      {test?.running && <p className="muted">Testing the connection…</p>}
      {test && !test.running && (
        <>
          <p className={test.result.ok ? 'sso-test-summary ok' : 'sso-test-summary failed'}>
            {test.result.ok ? 'The connection works.' : 'The connection does not work yet.'}
          </p>
          <ul className="sso-checks">
            {test.result.checks.map((check) => (
              <li key={check.name} className={check.ok ? 'ok' : 'failed'}>
                <span className="sso-check-mark" aria-hidden="true">
                  {check.ok ? '✓' : '✗'}
                </span>
                <span>
                  <strong>{check.name}</strong>
                  <span className="visually-hidden">{check.ok ? ': passed' : ': failed'}</span>
                  <span className="sso-check-detail">{check.detail}</span>
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
