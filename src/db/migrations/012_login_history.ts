import { type Kysely, sql } from 'kysely';

/**
 * Risk flags at login compare the login with all of the user's earlier sessions, live or ended
 * (sessions/login-history.repository.ts). Each question is the first entry of one index, so a
 * login costs the same with 10 or 10,000 earlier sessions:
 *
 * - `sessions_user_device_idx`: has the user used this device type, OS and browser before?
 *   (Its leading `user_id` also answers "any earlier session at all?".)
 * - `sessions_user_country_idx`: from this country? Unknown countries are never asked about.
 * - `sessions_user_located_idx`: the newest earlier session with coordinates, for impossible
 *   travel. Partial, so a user who mostly logs in from unlocatable (private) addresses does not
 *   make the lookup walk past all of those.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations stay frozen in time (see 001)
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index sessions_user_device_idx on sessions (user_id, device_type, os_name, browser_name)`.execute(
    db,
  );
  await sql`create index sessions_user_country_idx on sessions (user_id, country_code) where country_code is not null`.execute(
    db,
  );
  await sql`create index sessions_user_located_idx on sessions (user_id, created_at, id) where latitude is not null and longitude is not null`.execute(
    db,
  );
}

// biome-ignore lint/suspicious/noExplicitAny: see above
export async function down(db: Kysely<any>): Promise<void> {
  for (const name of ['sessions_user_device_idx', 'sessions_user_country_idx', 'sessions_user_located_idx']) {
    await db.schema.dropIndex(name).execute();
  }
}
