import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { startServer } from '../server.js';
import { describeDatabase } from './database-target.js';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run the HTTP server (migrates first; PORT, HOST, DATABASE_URL, ... from the environment)')
    .action(() => {
      const config = loadConfig();
      process.stderr.write(`database: ${describeDatabase(config.database)}\n`);
      return startServer(config);
    });
}
