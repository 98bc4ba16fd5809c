import type { Command } from 'commander';
import { operatorActor } from '../kernel/actor.js';
import { AppError } from '../kernel/errors.js';
import { commandGroup } from './command-group.js';
import { withContext } from './context.js';
import { resolveOrg, resolveUser } from './resolve.js';
import { formatCells, shortIso } from './table.js';

/** `user list`, `user role`, `user reset-password` (after `registerUserCommands`). */
export function registerUserAdminCommands(program: Command): void {
  const user = commandGroup(program, 'user');

  user
    .command('list')
    .description("list an org's users: role, status, lockout, created, last login")
    .requiredOption('--org <name>', 'org name')
    .option('--json', 'print JSON instead of a table')
    .action((options: { org: string; json?: boolean }) =>
      withContext(async (context) => {
        const org = await resolveOrg(context, options.org);
        const actor = operatorActor(org.id);
        const users = await context.accounts.listUserOverview(actor);
        const lastLogins = await context.sessions.lastLoginTimes(actor);
        const list = users.map((u) => {
          const lastLogin = lastLogins.get(u.id);
          return { ...u, lastLoginAt: lastLogin === undefined ? null : new Date(lastLogin).toISOString() };
        });
        if (options.json) {
          process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
          return;
        }
        process.stdout.write(
          formatCells(
            ['USERNAME', 'ROLE', 'STATUS', 'LOCKED', 'CREATED', 'LAST LOGIN'],
            list.map((u) => [
              u.username,
              u.role,
              u.disabled ? 'disabled' : 'active',
              u.lockedOut ? 'locked' : '-',
              shortIso(u.createdAt),
              u.lastLoginAt === null ? 'never' : shortIso(u.lastLoginAt),
            ]),
          ),
        );
      }),
    );

  user
    .command('role')
    .description("make a user an admin or an ordinary user (the org's last active admin stays one)")
    .argument('<username>')
    .argument('<role>', 'admin or user')
    .action((username: string, role: string) =>
      withContext(async (context) => {
        if (role !== 'admin' && role !== 'user')
          throw new AppError('INVALID_INPUT', 'role must be admin or user');
        const target = await resolveUser(context, username);
        const changed = await context.accounts.setRole(operatorActor(target.orgId), target.id, role);
        process.stdout.write(
          `"${changed.username}" is now ${changed.role === 'admin' ? 'an admin' : 'a user'}\n`,
        );
      }),
    );

  user
    .command('reset-password')
    .description(
      'give a user a new password — a generated one, printed once, or one read from stdin — ending all their sessions and lifting a lockout',
    )
    .argument('<username>')
    // Never a password as an argument: every user of the machine sees argv in `ps`.
    .option('--password-stdin', 'read the new password from stdin (one line) instead of generating one')
    .action((username: string, options: { passwordStdin?: boolean }) =>
      withContext(async (context) => {
        const target = await resolveUser(context, username);
        const password = options.passwordStdin ? await readPasswordFromStdin() : undefined;
        const reset = await context.accounts.resetPassword(operatorActor(target.orgId), target.id, {
          password,
        });
        process.stdout.write(
          `reset the password of "${reset.user.username}": ${reset.endedSessions} session(s) ended, ` +
            `${reset.forgottenFailures} failed attempt(s) forgotten\n`,
        );
        if (reset.generatedPassword) {
          process.stdout.write(`new password (shown this once): ${reset.generatedPassword}\n`);
        }
      }),
    );
}

async function readPasswordFromStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('new password, then Enter and Ctrl-D: ');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer));
  const password = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (password === '') throw new AppError('INVALID_INPUT', '--password-stdin: stdin held no password');
  if (password.includes('\n')) throw new AppError('INVALID_INPUT', '--password-stdin: give one line');
  return password;
}
