import type { Command } from 'commander';
import { withContext } from './context.js';
import { registerOrgPolicyCommand } from './org-policy.js';
import { registerOrgSsoCommand } from './org-sso.js';

export function registerOrgCommands(program: Command): void {
  const org = program.command('org').description('organizations');
  org
    .command('create')
    .description('create an org and its first admin')
    .requiredOption('--name <name>', 'org name')
    .requiredOption('--admin <username>', "the admin's username")
    .requiredOption(
      '--password <password>',
      "the admin's password (12+ characters, not containing the username)",
    )
    .action((options: { name: string; admin: string; password: string }) =>
      withContext(
        async ({ accounts }) => {
          const { org: created, user } = await accounts.createOrgWithAdmin({
            orgName: options.name,
            username: options.admin,
            password: options.password,
          });
          process.stdout.write(
            `created org "${created.name}" (${created.id}) with admin "${user.username}"\n`,
          );
        },
        { access: 'create' },
      ),
    );
  registerOrgPolicyCommand(org);
  registerOrgSsoCommand(org);
}
