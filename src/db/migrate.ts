import { type Migration, type MigrationProvider, Migrator } from 'kysely';
import pg from 'pg';
import type { DatabaseEngine } from './database.js';
import * as foundation from './migrations/001_foundation.js';
import * as activityLog from './migrations/002_activity_log.js';
import * as activityTextSearch from './migrations/003_activity_text_search.js';
import * as leanerActivityAppends from './migrations/004_leaner_activity_appends.js';
import * as chainLinks from './migrations/005_chain_links.js';
import * as passwordGuesses from './migrations/006_password_guesses.js';
import * as activitySources from './migrations/007_activity_sources.js';
import * as sessionLastUsedOn from './migrations/008_session_last_used_on.js';
import * as apiKeyScopes from './migrations/009_api_key_scopes.js';
import * as sessionsAtScale from './migrations/010_sessions_at_scale.js';
import * as orgPolicy from './migrations/011_org_policy.js';
import * as loginHistory from './migrations/012_login_history.js';
import * as sessionListCovering from './migrations/013_session_list_covering.js';
import * as sessionEndings from './migrations/014_session_endings.js';
import * as userFigures from './migrations/015_user_figures.js';
import * as sessionSearch from './migrations/016_session_search.js';
import * as activityDetailsJson from './migrations/017_activity_details_json.js';
import * as chainCheckpoints from './migrations/019_chain_checkpoints.js';
import * as activityIpSearch from './migrations/020_activity_ip_search.js';
import * as activityStreams from './migrations/021_activity_streams.js';
import * as orgPolicyVersion from './migrations/022_org_policy_version.js';
import * as sessionSignIn from './migrations/023_session_sign_in.js';
import * as totp from './migrations/024_totp.js';
import * as sso from './migrations/025_sso.js';
import * as streamSecretsSealed from './migrations/026_stream_secrets_sealed.js';
import * as activityFilterIndexes from './migrations/027_activity_filter_indexes.js';
import * as activitySearchIndex from './migrations/028_activity_search_index.js';
import * as activityHourCounts from './migrations/029_activity_hour_counts.js';

export const MIGRATIONS: Record<string, Migration> = {
  '001_foundation': foundation,
  '002_activity_log': activityLog,
  '003_activity_text_search': activityTextSearch,
  '004_leaner_activity_appends': leanerActivityAppends,
  '005_chain_links': chainLinks,
  '006_password_guesses': passwordGuesses,
  '007_activity_sources': activitySources,
  '008_session_last_used_on': sessionLastUsedOn,
  '009_api_key_scopes': apiKeyScopes,
  '010_sessions_at_scale': sessionsAtScale,
  '011_org_policy': orgPolicy,
  '012_login_history': loginHistory,
  '013_session_list_covering': sessionListCovering,
  '014_session_endings': sessionEndings,
  '015_user_figures': userFigures,
  '016_session_search': sessionSearch,
  '017_activity_details_json': activityDetailsJson,
  '019_chain_checkpoints': chainCheckpoints,
  '020_activity_ip_search': activityIpSearch,
  '021_activity_streams': activityStreams,
  '022_org_policy_version': orgPolicyVersion,
  '023_session_sign_in': sessionSignIn,
  '024_totp': totp,
  '025_sso': sso,
  '026_stream_secrets_sealed': streamSecretsSealed,
  '027_activity_filter_indexes': activityFilterIndexes,
  '028_activity_search_index': activitySearchIndex,
  '029_activity_hour_counts': activityHourCounts,
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

// Any constant works; it only has to be the same for every instance of this application.
export const MIGRATION_LOCK_KEY = 7_235_019;

/** Brings the schema up to date; safe when several instances start at once. */
export async function migrateToLatest(database: DatabaseEngine): Promise<string[]> {
  if (database.engine === 'sqlite') return runMigrator(database);
  // Kysely's own lock table is created with CREATE TABLE IF NOT EXISTS, which races on
  // PostgreSQL; a session advisory lock serialises whole migration runs instead.
  const client = new pg.Client({ connectionString: database.postgresUrl });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    if (database.postgresSchema) await client.query(`create schema if not exists ${database.postgresSchema}`);
    return await runMigrator(database, await migrationTableSchema(database, client));
  } finally {
    await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {});
    await client.end();
  }
}

/** How far the schema is: migrations applied and known, without changing anything. */
export async function migrationProgress(
  database: DatabaseEngine,
): Promise<{ applied: number; total: number; pending: string[] }> {
  const migrations =
    database.engine === 'sqlite'
      ? await migrator(database).getMigrations()
      : await postgresMigrations(database);
  const pending = migrations.filter((m) => m.executedAt === undefined).map((m) => m.name);
  return { applied: migrations.length - pending.length, total: migrations.length, pending };
}

/**
 * Kysely reads every schema's tables to find its own. A schema dropped meanwhile (a test's, another
 * instance set's, under the migration lock) fails that read: a shared hold on the lock waits for it.
 */
async function postgresMigrations(database: DatabaseEngine) {
  const client = new pg.Client({ connectionString: database.postgresUrl });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock_shared($1)', [MIGRATION_LOCK_KEY]);
    return await migrator(database, await migrationTableSchema(database, client)).getMigrations();
  } finally {
    await client.query('select pg_advisory_unlock_shared($1)', [MIGRATION_LOCK_KEY]).catch(() => {});
    await client.end();
  }
}

/**
 * Kysely's migrator, without a schema, takes a kysely_migration table in ANY schema of the
 * database (another app's, another instance set's) for its own, skips creating it, and fails.
 */
async function migrationTableSchema(database: DatabaseEngine, client: pg.Client): Promise<string> {
  if (database.postgresSchema) return database.postgresSchema;
  const row = (await client.query<{ name: string }>('select current_schema() as name')).rows[0];
  return row?.name as string;
}

function migrator(database: DatabaseEngine, migrationTableSchema?: string): Migrator {
  return new Migrator({
    db: database.db,
    provider,
    ...(migrationTableSchema ? { migrationTableSchema } : {}),
  });
}

async function runMigrator(database: DatabaseEngine, migrationTableSchema?: string): Promise<string[]> {
  const { error, results } = await migrator(database, migrationTableSchema).migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
