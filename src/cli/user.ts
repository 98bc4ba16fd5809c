import type { Command } from 'commander';
import { operatorActor } from '../kernel/actor.js';
import { AppError } from '../kernel/errors.js';
import { withContext } from './context.js';
import { resolveOrg, resolveUser } from './resolve.js';

export function registerUserCommands(program: Command): void {
  const user = program.command('user').description('users');
  user
    .command('add')
    .description('add a user to an org')
    .requiredOption('--org <name>', 'org name')
    .requiredOption('--username <username>', 'username')
    .requiredOption('--password <password>', 'password (12+ characters, not containing the username)')
    .option('--role <role>', 'admin or user', 'user')
    .action((options: { org: string; username: string; password: string; role: string }) =>
      withContext(async (context) => {
        if (options.role !== 'admin' && options.role !== 'user') {
          throw new AppError('INVALID_INPUT', '--role must be admin or user');
        }
        const org = await resolveOrg(context, options.org);
        const created = await context.accounts.createUser(operatorActor(org.id), {
          username: options.username,
          password: options.password,
          role: options.role,
        });
        process.stdout.write(`added ${created.role} "${created.username}" to "${org.name}"\n`);
      }),
    );

  for (const [name, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    user
      .command(name)
      .description(
        disabled ? 'disable a user and end all their sessions' : 'let a disabled user log in again',
      )
      .argument('<username>')
      .action((username: string) =>
        withContext(async (context) => {
          const target = await resolveUser(context, username);
          await context.accounts.setDisabled(operatorActor(target.orgId), target.id, disabled);
          process.stdout.write(`${disabled ? 'disabled' : 'enabled'} "${target.username}"\n`);
        }),
      );
  }

  user
    .command('unlock')
    .description('let a user locked out by failed password attempts log in again at once')
    .argument('<username>')
    .action((username: string) =>
      withContext(async (context) => {
        const target = await resolveUser(context, username);
        const forgotten = await context.accounts.clearLockout(operatorActor(target.orgId), target.id);
        process.stdout.write(`unlocked "${target.username}" (${forgotten} failed attempts forgotten)\n`);
      }),
    );
}
