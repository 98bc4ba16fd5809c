import type { Command } from 'commander';
import { commandGroup } from './command-group.js';
import { withContext } from './context.js';
import { formatCells } from './table.js';

/** `org list` (after `registerOrgCommands`). */
export function registerOrgListCommand(program: Command): void {
  commandGroup(program, 'org')
    .command('list')
    .description('list the orgs: name, id, users, active sessions')
    .option('--json', 'print JSON instead of a table')
    .action((options: { json?: boolean }) =>
      withContext(async (context) => {
        const orgs = await context.accounts.listOrgOverview();
        const live = await context.sessions.countLiveSessionsByOrg();
        const list = orgs.map((org) => ({ ...org, activeSessions: live.get(org.id) ?? 0 }));
        if (options.json) {
          process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
          return;
        }
        process.stdout.write(
          formatCells(
            ['NAME', 'ID', 'USERS', 'ACTIVE SESSIONS'],
            list.map((org) => [org.name, org.id, String(org.users), String(org.activeSessions)]),
          ),
        );
      }),
    );
}
