import { sql } from 'kysely';
import type { DatabaseEngine } from '../../src/db/database.js';

export interface InjectedFailure {
  /** A trigger name (an identifier). */
  name: string;
  table: string;
  /** The trigger event, e.g. `update of revoked_at` or `insert`. */
  event: string;
  /** Only rows matching this condition (on NEW) fail. */
  when?: string;
}

/**
 * Makes the database refuse one kind of write with an error, as a crash or a lost connection
 * between two steps would: a trigger, so the code under test runs unchanged.
 */
export async function injectFailure(database: DatabaseEngine, failure: InjectedFailure): Promise<void> {
  const { name, table, event, when } = failure;
  const condition = when ? `when (${when})` : '';
  if (database.engine === 'sqlite') {
    await sql
      .raw(
        `create trigger ${name} before ${event} on ${table} for each row ${condition}
         begin select raise(abort, 'injected failure'); end`,
      )
      .execute(database.db);
    return;
  }
  await sql
    .raw(
      `create or replace function fail_injected() returns trigger language plpgsql as
       $$ begin raise exception 'injected failure'; end $$`,
    )
    .execute(database.db);
  await sql
    .raw(
      `create trigger ${name} before ${event} on ${table} for each row ${condition} execute function fail_injected()`,
    )
    .execute(database.db);
}

export async function removeFailure(
  database: DatabaseEngine,
  failure: Pick<InjectedFailure, 'name' | 'table'>,
) {
  const on = database.engine === 'sqlite' ? '' : ` on ${failure.table}`;
  await sql.raw(`drop trigger ${failure.name}${on}`).execute(database.db);
}
