import type { Command } from 'commander';
import { operatorActor } from '../accounts/actor.js';
import { withContext } from './context.js';
import { resolveOrg, resolveUser } from './resolve.js';

export function registerSessionCommands(program: Command): void {
  const sessions = program.command('sessions').description('active sessions');
  sessions
    .command('list')
    .description("list an org's active sessions")
    .requiredOption('--org <name>', 'org name')
    .option('--user <username>', "only this user's sessions")
    .option('--json', 'print JSON instead of a table')
    .action((options: { org: string; user?: string; json?: boolean }) =>
      withContext(async (context) => {
        const org = await resolveOrg(context, options.org);
        const userId = options.user ? (await resolveUser(context, options.user)).id : undefined;
        const list = await context.sessions.listSessions(operatorActor(org.id), { userId });
        if (options.json) {
          process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
          return;
        }
        console.table(
          list.map((s) => ({
            id: s.id,
            user: s.username,
            ip: s.publicIp,
            city: s.city ?? 'Unknown',
            location: s.location,
            device: s.deviceType,
            os: s.os,
            browser: s.browser,
            lastAccess: s.lastAccessAt,
          })),
        );
      }),
    );

  sessions
    .command('end')
    .description('end sessions at once, by id or all of one user')
    .requiredOption('--org <name>', 'org name')
    .argument('[ids...]', 'session ids')
    .option('--user <username>', 'end all sessions of this user')
    .action((ids: string[], options: { org: string; user?: string }) =>
      withContext(async (context) => {
        const org = await resolveOrg(context, options.org);
        const actor = operatorActor(org.id);
        let ended = 0;
        if (options.user) {
          const user = await resolveUser(context, options.user);
          ended += await context.sessions.endUserSessions(
            actor,
            { orgId: org.id, userId: user.id, exceptSessionId: null },
            'terminated',
          );
        }
        if (ids.length > 0) ended += await context.sessions.terminateSessions(actor, ids);
        process.stdout.write(`ended ${ended} session(s)\n`);
      }),
    );
}
