import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { createDatabase, type DatabaseEngine } from '../db/database.js';
import { migrateToLatest, migrationProgress } from '../db/migrate.js';
import type { DatabaseConfig } from '../kernel/config.js';
import { CliError, errorLine } from './cli-error.js';

/**
 * Which commands may bring a database into being: `create` makes a missing SQLite file or an
 * empty schema and migrates it (org create); `existing` only opens an up-to-date one.
 */
export type DatabaseAccess = 'existing' | 'create';

/** The database as an operator reads it: an absolute SQLite path, or the URL without its password. */
export function describeDatabase(config: DatabaseConfig): string {
  if (config.engine === 'sqlite') {
    return config.path === ':memory:' ? 'sqlite::memory:' : `sqlite:${resolve(config.path)}`;
  }
  return `${redactPassword(config.url)}${config.schema ? ` (schema ${config.schema})` : ''}`;
}

function redactPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    // libpq's parameters may carry it too (`?password=`), and `sslpassword` guards a client key.
    for (const key of ['password', 'sslpassword']) {
      if (parsed.searchParams.has(key)) parsed.searchParams.set(key, '***');
    }
    return parsed.toString();
  } catch {
    // Unparseable: hide everything that could be credentials rather than guess where they end.
    return url.replace(/\/\/.*@/, '//***@');
  }
}

/** Says which database on stderr (stdout stays data), opens it as `access` allows, checks its schema. */
export async function openCliDatabase(
  config: DatabaseConfig,
  access: DatabaseAccess,
): Promise<DatabaseEngine> {
  const where = describeDatabase(config);
  process.stderr.write(`database: ${where}\n`);
  const missingFile = config.engine === 'sqlite' && config.path !== ':memory:' && !existsSync(config.path);
  if (missingFile && access === 'existing') {
    const relative = isAbsolute(config.path) ? '' : ` (${config.path} is relative to the current folder)`;
    throw new CliError(
      `no database at ${resolve(config.path)}${relative}: run this where the database is, set DATABASE_URL to it, or create one with \`vault-sessions migrate\``,
    );
  }
  const database = open(config, access, where);
  try {
    const { applied, total } = await migrationProgress(database);
    if (applied === 0 && access === 'create') {
      await migrateToLatest(database);
    } else if (applied < total) {
      throw new CliError(
        `the database at ${where} is at migration ${applied} of ${total}: run \`vault-sessions migrate\``,
      );
    }
    return database;
  } catch (error) {
    await database.close().catch(() => {});
    throw error instanceof CliError
      ? error
      : new CliError(`cannot use the database at ${where}: ${errorLine(error)}`);
  }
}

function open(config: DatabaseConfig, access: DatabaseAccess, where: string): DatabaseEngine {
  try {
    return createDatabase(config, { mustExist: access === 'existing' });
  } catch (error) {
    throw new CliError(`cannot open the database at ${where}: ${errorLine(error)}`);
  }
}
