import { type Kysely, sql } from 'kysely';

/**
 * Endings not yet written into their session rows (decision 017). Ending a session writes one
 * narrow row here, which the per-request check and the live queries read by primary key; a
 * background step later moves it into the session's `revoked_*` columns and deletes it. Moving a
 * row out of every live index costs far more than this insert, and a Logout by filter of
 * thousands answers once these rows are in. No foreign key: the insert selects from `sessions`.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations stay frozen in time (see 001)
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('session_endings')
    .addColumn('session_id', 'text', (c) => c.primaryKey())
    .addColumn('ended_at', 'bigint', (c) => c.notNull())
    .addColumn('ended_by', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see above
export async function down(db: Kysely<any>): Promise<void> {
  // Waiting endings go into their rows first: dropped, they would bring their sessions back.
  const ending = (column: string) =>
    sql`(select e.${sql.raw(column)} from session_endings e where e.session_id = sessions.id)`;
  await sql`update sessions
    set revoked_at = ${ending('ended_at')}, revoked_by = ${ending('ended_by')}, revoked_reason = ${ending('reason')}
    where revoked_at is null and exists (select 1 from session_endings e where e.session_id = sessions.id)`.execute(
    db,
  );
  await db.schema.dropTable('session_endings').execute();
}
