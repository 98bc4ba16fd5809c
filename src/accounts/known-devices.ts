import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { storedSecret } from '../db/settings.js';

/**
 * OWASP's device cookies: a browser that has logged in as a user carries a token signed for that
 * user, and its password guesses count against that device alone. Guessing from anywhere else
 * can then lock the username, but never the owner's own browser out of it.
 */
export function createKnownDevices(db: Kysely<Schema>) {
  const deviceSecret = storedSecret(db, 'device_secret');
  const sign = async (deviceId: string, userId: string) =>
    createHmac('sha256', await deviceSecret())
      .update(`${deviceId}.${userId}`)
      .digest('base64url');

  return {
    /** A new token naming a new device, for a browser that just logged in as this user. */
    async issue(userId: string): Promise<string> {
      const deviceId = randomBytes(16).toString('base64url');
      return `${deviceId}.${await sign(deviceId, userId)}`;
    },

    /** The device id of a token signed for this user, or null for anything else. */
    async recognize(token: string | undefined, userId: string): Promise<string | null> {
      const [deviceId, signature, ...rest] = token?.split('.') ?? [];
      if (!deviceId || !signature || rest.length > 0) return null;
      const expected = Buffer.from(await sign(deviceId, userId));
      const given = Buffer.from(signature);
      return given.length === expected.length && timingSafeEqual(given, expected) ? deviceId : null;
    },
  };
}
