import type { Kysely } from 'kysely';
import type { Schema } from './schema.js';

/**
 * A per-database secret from `settings` (written by a migration), read once per process: every
 * instance on the same database signs and checks with the same value.
 */
export function storedSecret(
  db: Kysely<Schema>,
  key: 'cursor_secret' | 'device_secret',
): () => Promise<string> {
  let value: Promise<string> | undefined;
  return () => {
    value ??= db
      .selectFrom('settings')
      .select('value')
      .where('key', '=', key)
      .executeTakeFirstOrThrow()
      .then((r) => r.value);
    return value;
  };
}
