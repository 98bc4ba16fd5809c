import type { Command } from 'commander';
import { createDatabase } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { loadConfig } from '../kernel/config.js';
import { CliError, errorLine } from './cli-error.js';
import { describeDatabase } from './database-target.js';

export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description(
      'bring the database schema up to date, creating the database if missing (safe while other instances start)',
    )
    .action(async () => {
      const config = loadConfig().database;
      const where = describeDatabase(config);
      process.stderr.write(`database: ${where}\n`);
      const database = createDatabase(config);
      try {
        const applied = await migrateToLatest(database);
        process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'schema is up to date\n');
      } catch (error) {
        throw new CliError(`cannot migrate the database at ${where}: ${errorLine(error)}`);
      } finally {
        await database.close();
      }
    });
}
