import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { AppError } from '../../kernel/errors.js';

const WINDOW_SECONDS = 60;
/** Far above a person's logins (the login page asks once per domain), far below a flood. */
export const SSO_REQUESTS_PER_MINUTE = 120;

/**
 * The unauthenticated SSO routes a client may call this often a minute from one address, per
 * instance: a start writes a pending login and may ask the provider, so a flood of them is refused
 * (429) before it costs the database or the IdP anything.
 */
export function createSsoStartLimit(perMinute = SSO_REQUESTS_PER_MINUTE) {
  const limiter = new RateLimiterMemory({ points: perMinute, duration: WINDOW_SECONDS });
  return async function take(ip: string): Promise<void> {
    try {
      await limiter.consume(ip);
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      const retryAfterSeconds = Math.max(1, Math.ceil(error.msBeforeNext / 1000));
      throw new AppError(
        'RATE_LIMITED',
        `Too many single sign-on requests from this address; try again in ${retryAfterSeconds} s`,
        { 'retry-after': String(retryAfterSeconds) },
      );
    }
  };
}
