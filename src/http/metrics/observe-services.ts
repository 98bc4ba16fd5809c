import type { ActivityService } from '../../activity/activity.service.js';
import { AppError } from '../../kernel/errors.js';
import type { SessionService } from '../../sessions/sessions.service.js';
import type { SignInService } from '../../signin/sign-in.service.js';
import type { AppMetrics, LoginFailure } from './app-metrics.js';

const seconds = (since: number) => (performance.now() - since) / 1000;

const LOGIN_FAILURES: Partial<Record<string, LoginFailure>> = {
  INVALID_CREDENTIALS: 'invalid_credentials',
  RATE_LIMITED: 'rate_limited',
};

/**
 * The session service as the HTTP edge uses it, counting what it answers: the services stay
 * unaware of metrics, and an app without METRICS_TOKEN uses them as they are.
 */
export function observeSessions(sessions: SessionService, metrics: AppMetrics): SessionService {
  return {
    ...sessions,
    async validateSessionToken(token, request) {
      const started = performance.now();
      try {
        const result = await sessions.validateSessionToken(token, request);
        metrics.observeSessionCheck(result.ok ? 'ok' : 'refused', seconds(started));
        return result;
      } catch (error) {
        metrics.observeSessionCheck('error', seconds(started));
        throw error;
      }
    },
  };
}

/** The sign-in service as the HTTP edge uses it: a login counts once its session is open. */
export function observeSignIn(signIn: SignInService, metrics: AppMetrics): SignInService {
  const failed = (error: unknown) => {
    // Other errors (the database gone) are no verdict on the password; the 5xx rate shows them.
    const reason = error instanceof AppError ? LOGIN_FAILURES[error.code] : undefined;
    if (reason) metrics.countLoginFailure(reason);
    return error;
  };
  return {
    ...signIn,
    async login(input) {
      try {
        const outcome = await signIn.login(input);
        if (outcome.kind === 'session') metrics.countLogin();
        return outcome;
      } catch (error) {
        throw failed(error);
      }
    },
    async finish(input) {
      try {
        const opened = await signIn.finish(input);
        metrics.countLogin();
        return opened;
      } catch (error) {
        throw failed(error);
      }
    },
  };
}

/** The activity service as the HTTP edge uses it, counting ingested events and exported rows. */
export function observeActivity(activity: ActivityService, metrics: AppMetrics): ActivityService {
  return {
    ...activity,
    async ingest(caller, events) {
      const counts = await activity.ingest(caller, events);
      metrics.countIngested(counts);
      return counts;
    },
    exportActivities(actor, query, format, options = {}) {
      // onRows reports the running total; the counter takes what was added since the last call.
      let counted = 0;
      return activity.exportActivities(actor, query, format, {
        ...options,
        onRows(rows) {
          metrics.countExportedRows(format, rows - counted);
          counted = rows;
          options.onRows?.(rows);
        },
      });
    },
  };
}
