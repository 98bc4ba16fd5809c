import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';

/**
 * Password guesses are reserved before they are checked (src/accounts/password-guesses.ts):
 *
 * - `failed`: 0 while the password is being checked, 1 once it proved wrong.
 * - `device_id`: a guess made with a known-device cookie counts against that device only, so
 *   guessing from elsewhere cannot lock the owner out of the browser they always use.
 * - An index on `at`: every recorded failure purges the whole table's expired rows, not only
 *   those of its own IP and username.
 * - `device_secret` signs the known-device cookies, one per database so every instance accepts
 *   the others' cookies.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations stay frozen in time (see 001)
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('login_failures').addColumn('device_id', 'text').execute();
  await db.schema
    .alterTable('login_failures')
    .addColumn('failed', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema
    .createIndex('login_failures_device_idx')
    .on('login_failures')
    .columns(['device_id', 'at'])
    .execute();
  await db.schema.createIndex('login_failures_at_idx').on('login_failures').column('at').execute();
  await db
    .insertInto('settings')
    .values({ key: 'device_secret', value: randomBytes(32).toString('hex') })
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see above
export async function down(db: Kysely<any>): Promise<void> {
  await db.deleteFrom('settings').where('key', '=', 'device_secret').execute();
  await db.schema.dropIndex('login_failures_at_idx').execute();
  await db.schema.dropIndex('login_failures_device_idx').execute();
  await db.deleteFrom('login_failures').where('failed', '=', 0).execute();
  await db.schema.alterTable('login_failures').dropColumn('failed').execute();
  await db.schema.alterTable('login_failures').dropColumn('device_id').execute();
}
