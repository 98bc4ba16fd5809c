import type { Command } from 'commander';
import { startServer } from '../server.js';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run the HTTP server (migrates first; PORT, HOST, DATABASE_URL, ... from the environment)')
    .action(() => startServer());
}
