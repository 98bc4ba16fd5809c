import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { registerActivityCommands } from './cli/activity.js';
import { registerApiKeyCommands } from './cli/apikey.js';
import { CliError, errorLine } from './cli/cli-error.js';
import { registerDemoCommand } from './cli/demo.js';
import { registerMigrateCommand } from './cli/migrate.js';
import { registerOrgCommands } from './cli/org.js';
import { registerOrgListCommand } from './cli/org-list.js';
import { registerServeCommand } from './cli/serve.js';
import { registerSessionCommands } from './cli/sessions.js';
import { registerUserCommands } from './cli/user.js';
import { registerUserAdminCommands } from './cli/user-admin.js';
import { ConfigError } from './kernel/config.js';
import { AppError } from './kernel/errors.js';

// src/cli.ts and dist/cli.js both sit one folder below package.json.
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

const program = new Command('vault-sessions')
  .description('Vault Sessions: active sessions and the activity log of the vault')
  .version(version)
  .option('--trace', 'print the stack trace of an unexpected error')
  .showHelpAfterError();

registerServeCommand(program);
registerMigrateCommand(program);
registerOrgCommands(program);
registerOrgListCommand(program);
registerUserCommands(program);
registerUserAdminCommands(program);
registerApiKeyCommands(program);
registerSessionCommands(program);
registerActivityCommands(program);
registerDemoCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // One line and a non-zero exit: an operator (or a script) reads the reason, not a stack.
  if (error instanceof ConfigError) {
    process.stderr.write(
      error.problems.length === 1 ? `invalid configuration: ${error.problems[0]}\n` : `${error.message}\n`,
    );
    process.exit(78);
  }
  const expected = error instanceof AppError || error instanceof CliError;
  process.stderr.write(`${expected ? '' : 'error: '}${errorLine(error)}\n`);
  if (!expected && program.opts<{ trace?: boolean }>().trace && error instanceof Error) {
    process.stderr.write(`${error.stack}\n`);
  }
  process.exit(1);
}
