import { type ColumnDefinitionBuilder, type Kysely, PostgresAdapter } from 'kysely';

type HasExecutor = Pick<Kysely<never>, 'getExecutor'>;

/** Whether this Kysely instance talks to PostgreSQL (migrations need a few engine-specific types). */
export function isPostgres(db: HasExecutor): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** A 64-bit auto-increment key on PostgreSQL; SQLite's rowid alias must be spelled `integer`. */
export function idColumnType(db: HasExecutor): 'bigserial' | 'integer' {
  return isPostgres(db) ? 'bigserial' : 'integer';
}

/** Primary key that never reuses a value, even after retention deletes the newest rows. */
export function autoIncrementKey(db: HasExecutor) {
  return (column: ColumnDefinitionBuilder) =>
    isPostgres(db) ? column.primaryKey() : column.primaryKey().autoIncrement();
}
