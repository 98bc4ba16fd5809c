import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { AppError } from '../../kernel/errors.js';

const WINDOW_SECONDS = 60;

export interface IngestLimiter {
  /** Takes `events` from the caller's budget of the current minute, or refuses the whole call (429). */
  take(rateKey: string, events: number): Promise<void>;
}

/**
 * Events per minute per API key (or admin) and instance, so a leaked or runaway key cannot fill
 * the log. In memory: each instance keeps its own budget, so N instances allow N times as much.
 * 0 turns the limit off.
 */
export function createIngestLimiter(eventsPerMinute: number): IngestLimiter {
  if (eventsPerMinute === 0) return { take: async () => {} };
  const limiter = new RateLimiterMemory({ points: eventsPerMinute, duration: WINDOW_SECONDS });
  return {
    async take(rateKey, events) {
      try {
        await limiter.consume(rateKey, events);
      } catch (error) {
        if (!(error instanceof RateLimiterRes)) throw error;
        const retryAfterSeconds = Math.max(1, Math.ceil(error.msBeforeNext / 1000));
        throw new AppError(
          'RATE_LIMITED',
          `at most ${eventsPerMinute} events a minute per API key; try again in ${retryAfterSeconds} s`,
          { 'retry-after': String(retryAfterSeconds) },
        );
      }
    },
  };
}
