import type { Command } from 'commander';
import { ConfigError, loadConfig } from '../kernel/config.js';
import { startServer } from '../server.js';
import { CliError, errorLine } from './cli-error.js';
import { describeDatabase } from './database-target.js';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run the HTTP server (migrates first; PORT, HOST, DATABASE_URL, ... from the environment)')
    .action(async () => {
      const config = loadConfig();
      process.stderr.write(`database: ${describeDatabase(config.database)}\n`);
      try {
        await startServer(config);
      } catch (error) {
        // One found only once the key files are read (a retired key that is the current one).
        if (error instanceof ConfigError) throw error;
        // An unreachable database, a port in use: the line above says which database.
        throw new CliError(`cannot start the server: ${errorLine(error)}`);
      }
    });
}
