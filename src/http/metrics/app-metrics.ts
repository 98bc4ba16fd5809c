import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** Request durations: from a cached read to a long download. */
const REQUEST_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** The session check is a cached read on SQLite and one shared round trip on PostgreSQL. */
const SESSION_CHECK_BUCKETS_S = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5];

export type SessionCheckResult = 'ok' | 'refused' | 'error';
export type LoginFailure = 'invalid_credentials' | 'rate_limited';

/**
 * This app's instruments, on a registry of its own: tests build many apps in one process, and
 * the global registry would mix (and refuse) their metrics. Nothing outside src/http/metrics/
 * sees prom-client; services are observed from the outside (observe-services.ts).
 */
export interface AppMetrics {
  readonly registry: Registry;
  /** `route` is the matched pattern, never the URL: a raw path would make a series per id. */
  observeRequest(labels: { method: string; route: string; statusCode: number }, seconds: number): void;
  observeSessionCheck(result: SessionCheckResult, seconds: number): void;
  countLogin(): void;
  countLoginFailure(reason: LoginFailure): void;
  countIngested(counts: { accepted: number; duplicates: number }): void;
  countExportedRows(format: string, rows: number): void;
}

export function createAppMetrics(): AppMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const requests = new Histogram({
    name: 'vault_http_request_duration_seconds',
    help: 'HTTP requests by route pattern ("unmatched": no route), method and status, until the answer ended',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: REQUEST_BUCKETS_S,
    registers,
  });
  const sessionChecks = new Histogram({
    name: 'vault_session_check_duration_seconds',
    help: 'The session check of each request (and of each open stream when it re-checks)',
    labelNames: ['result'] as const,
    buckets: SESSION_CHECK_BUCKETS_S,
    registers,
  });
  const logins = new Counter({ name: 'vault_logins_total', help: 'Successful logins', registers });
  const loginFailures = new Counter({
    name: 'vault_login_failures_total',
    help: 'Refused logins: a wrong username or password, or too many failed attempts',
    labelNames: ['reason'] as const,
    registers,
  });
  const ingested = new Counter({
    name: 'vault_ingested_events_total',
    help: 'Events sent to POST /api/activities and committed: stored, or a duplicate of a stored one',
    labelNames: ['result'] as const,
    registers,
  });
  const exportedRows = new Counter({
    name: 'vault_exported_rows_total',
    help: 'Rows sent by activity exports, by format',
    labelNames: ['format'] as const,
    registers,
  });

  return {
    registry,
    observeRequest: ({ method, route, statusCode }, seconds) =>
      requests.observe({ method, route, status_code: statusCode }, seconds),
    observeSessionCheck: (result, seconds) => sessionChecks.observe({ result }, seconds),
    countLogin: () => logins.inc(),
    countLoginFailure: (reason) => loginFailures.inc({ reason }),
    countIngested: ({ accepted, duplicates }) => {
      if (accepted > 0) ingested.inc({ result: 'accepted' }, accepted);
      if (duplicates > 0) ingested.inc({ result: 'duplicate' }, duplicates);
    },
    countExportedRows: (format, rows) => {
      if (rows > 0) exportedRows.inc({ format }, rows);
    },
  };
}
