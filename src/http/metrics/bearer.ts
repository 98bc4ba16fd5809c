import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * Whether an Authorization header carries the token. Both sides are hashed first, so the
 * comparison is constant-time and equal-length whatever was sent: neither the token's bytes nor
 * its length leak through the time of a refusal.
 */
export function bearerMatcher(token: string): (header: string | undefined) => boolean {
  const expected = digest(token);
  return (header) => {
    const sent = header?.match(/^Bearer\s+(\S+)$/i)?.[1];
    return timingSafeEqual(digest(sent ?? ''), expected) && sent !== undefined;
  };
}
