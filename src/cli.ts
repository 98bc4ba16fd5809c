import { Command } from 'commander';
import { registerActivityCommands } from './cli/activity.js';
import { registerApiKeyCommands } from './cli/apikey.js';
import { registerDemoCommand } from './cli/demo.js';
import { registerMigrateCommand } from './cli/migrate.js';
import { registerOrgCommands } from './cli/org.js';
import { registerOrgListCommand } from './cli/org-list.js';
import { registerServeCommand } from './cli/serve.js';
import { registerSessionCommands } from './cli/sessions.js';
import { registerUserCommands } from './cli/user.js';
import { registerUserAdminCommands } from './cli/user-admin.js';
import { ConfigError } from './config.js';
import { AppError } from './http/errors.js';

const program = new Command('vault-sessions')
  .description('Vault Sessions: active sessions and the activity log of the vault')
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
  if (error instanceof ConfigError || error instanceof AppError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(error instanceof ConfigError ? 78 : 1);
  }
  throw error;
}
