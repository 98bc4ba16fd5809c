import type { Command } from 'commander';
import type { Session } from '../contracts/sessions.js';
import { operatorActor } from '../kernel/actor.js';
import { AppError } from '../kernel/errors.js';
import { withContext } from './context.js';
import { resolveOrg, resolveUser } from './resolve.js';
import { formatTable } from './table.js';

const SESSION_COLUMNS: ReadonlyArray<{ header: string; value: (s: Session) => string }> = [
  { header: 'ID', value: (s) => s.id },
  { header: 'USER', value: (s) => s.username },
  { header: 'IP', value: (s) => s.publicIp },
  { header: 'CITY', value: (s) => s.city ?? 'Unknown' },
  { header: 'LOCATION', value: (s) => s.location },
  { header: 'DEVICE', value: (s) => s.deviceType },
  { header: 'OS', value: (s) => s.os },
  { header: 'BROWSER', value: (s) => s.browser },
  { header: 'LAST ACCESS (UTC)', value: (s) => s.lastAccessAt.slice(0, 19).replace('T', ' ') },
];

export function registerSessionCommands(program: Command): void {
  const sessions = program.command('sessions').description('active sessions');
  sessions
    .command('list')
    .description("list an org's active sessions, newest access first")
    .requiredOption('--org <name>', 'org name')
    .option('--user <username>', "only this user's sessions")
    .option('--limit <n>', 'at most this many, newest access first', '1000')
    .option('--json', 'print JSON instead of a table')
    .action((options: { org: string; user?: string; limit: string; json?: boolean }) =>
      withContext(async (context) => {
        const org = await resolveOrg(context, options.org);
        const userId = options.user ? (await resolveUser(context, options.user, org)).id : undefined;
        const wanted = Number(options.limit);
        if (!Number.isSafeInteger(wanted) || wanted < 1) {
          throw new AppError('INVALID_INPUT', '--limit must be a positive whole number');
        }
        const list: Session[] = [];
        let cursor: string | undefined;
        let total = 0;
        do {
          const page = await context.sessions.listSessions(operatorActor(org.id), {
            userId,
            cursor,
            sort: 'lastAccessAt',
            limit: Math.min(500, wanted - list.length),
          });
          list.push(...page.sessions);
          total = page.total;
          cursor = page.nextCursor ?? undefined;
        } while (cursor !== undefined && list.length < wanted);
        if (cursor !== undefined) {
          process.stderr.write(
            `showing the ${list.length} most recently used of ${total}${total >= 10_000 ? '+' : ''}\n`,
          );
        }
        if (options.json) {
          process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
        } else if (list.length === 0) {
          process.stderr.write(
            `no active sessions in "${org.name}"${options.user ? ` for "${options.user}"` : ''}\n`,
          );
        } else {
          process.stdout.write(formatTable(SESSION_COLUMNS, list));
        }
      }),
    );

  sessions
    .command('end')
    .description('end sessions at once, by id or all of one user; exits 1 when there is none to end')
    .requiredOption('--org <name>', 'org name')
    .argument('[ids...]', 'session ids')
    .option('--user <username>', 'end all sessions of this user')
    .action((ids: string[], options: { org: string; user?: string }) =>
      withContext(async (context) => {
        if (ids.length === 0 && !options.user) {
          throw new AppError('INVALID_INPUT', 'name the session ids to end, or --user <username>');
        }
        const org = await resolveOrg(context, options.org);
        const actor = operatorActor(org.id);
        let ended = 0;
        if (options.user) {
          const user = await resolveUser(context, options.user, org);
          ended += await context.sessions.endUserSessions(
            actor,
            { orgId: org.id, userId: user.id, exceptSessionId: null },
            'terminated',
          );
          if (ended === 0 && ids.length === 0) {
            throw new AppError('NOT_FOUND', `"${user.username}" has no active sessions: nothing ended`);
          }
        }
        if (ids.length > 0) {
          try {
            ended += await context.sessions.endSessions(actor, ids);
          } catch (error) {
            if (!(error instanceof AppError && error.code === 'NOT_FOUND')) throw error;
            throw new AppError(
              'NOT_FOUND',
              `not every id names an active session of "${org.name}": nothing ended by id${ended ? ` (${ended} of the user's ended)` : ''}`,
            );
          }
        }
        process.stdout.write(`ended ${ended} session(s)\n`);
      }),
    );
}
