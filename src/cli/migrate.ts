import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { createDatabase } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';

export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('bring the database schema up to date (safe while other instances start)')
    .action(async () => {
      const database = createDatabase(loadConfig().database);
      try {
        const applied = await migrateToLatest(database);
        process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'schema is up to date\n');
      } finally {
        await database.close();
      }
    });
}
