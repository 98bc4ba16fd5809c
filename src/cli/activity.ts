import { accessSync, constants, createWriteStream, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import type { ChainPosition } from '../activity/checkpoints/checkpoints.service.js';
import { exportFilename } from '../activity/export/export-filename.js';
import { purgeExpiredActivities } from '../activity/retention/retention.js';
import { PERIODS, type Period, SORTS, type SortKey } from '../contracts/activity-terms.js';
import { operatorActor } from '../kernel/actor.js';
import { AppError } from '../kernel/errors.js';
import { registerVerifyCommands } from './activity-verify.js';
import { withContext } from './context.js';
import { digestFile } from './export-manifest.js';
import { createProgressBar } from './progress.js';
import { resolveOrg, resolveUser } from './resolve.js';

interface ExportOptions {
  org: string;
  out?: string;
  format: string;
  period?: string;
  from?: string;
  to?: string;
  user?: string;
  activity?: string[];
  q?: string;
  sort?: string;
  order?: string;
  manifest?: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

function oneOf<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  flag: string,
): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new AppError('INVALID_INPUT', `${flag} must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

/** Refuses, in one line, an output the export could not write (a missing or read-only folder). */
function checkWritable(path: string, isFolder: boolean): void {
  const folder = isFolder ? path : dirname(path);
  const stat = statSync(folder, { throwIfNoEntry: false });
  if (!stat?.isDirectory())
    throw new AppError('INVALID_INPUT', `cannot write ${resolve(path)}: no folder ${resolve(folder)}`);
  if (!isFolder && statSync(path, { throwIfNoEntry: false })?.isDirectory()) {
    throw new AppError('INVALID_INPUT', `cannot write ${resolve(path)}: it is a folder`);
  }
  try {
    accessSync(folder, constants.W_OK);
  } catch {
    throw new AppError('INVALID_INPUT', `cannot write ${resolve(path)}: the folder is not writable`);
  }
}

export function registerActivityCommands(program: Command): void {
  const activity = program.command('activity').description('the activity log');

  activity
    .command('export')
    .description('export the filtered activity log of an org to a file (CSV or JSON Lines)')
    .requiredOption('--org <name>', 'org name')
    .option('--out <file>', 'output file (default: activity-log-<org>-<from>-<to>.<format>)')
    .option('--format <format>', 'csv or jsonl', 'csv')
    .option('--period <period>', `one of ${PERIODS.join(', ')} (default 1m)`)
    .option('--from <iso>', 'first day included (YYYY-MM-DD, UTC), or a date-time')
    .option(
      '--to <iso>',
      'last day included (YYYY-MM-DD, UTC, as the page\'s "To (included)"), or a date-time: the first instant left out',
    )
    .option('--user <username>', "only this user's activities")
    .option('--activity <name>', 'only this activity (repeatable)', collect)
    .option('--q <text>', 'text in target or details')
    .option('--sort <key>', SORTS.join(' | '))
    .option('--order <order>', 'desc | asc')
    .option('--manifest <file>', 'also write a signed manifest (rows, SHA-256, chain head) for verify-export')
    .action((options: ExportOptions) =>
      withContext(async (context) => {
        const format = oneOf(options.format, ['csv', 'jsonl'] as const, '--format') ?? 'csv';
        const org = await resolveOrg(context, options.org);
        // An unknown name would export an empty file and look like a quiet week.
        if (options.user !== undefined) await resolveUser(context, options.user, org);
        // Before the count, which takes a while on a large log.
        checkWritable(options.out ?? '.', options.out === undefined);
        if (options.manifest !== undefined) {
          checkWritable(options.manifest, false);
          // Refused before the export, not after a long one.
          if (!context.checkpoints.key) context.checkpoints.signingKey();
        }
        const actor = operatorActor(org.id);
        const query = {
          period: oneOf<Period>(options.period, PERIODS, '--period'),
          from: options.from,
          to: options.to,
          username: options.user,
          activity: options.activity,
          q: options.q,
          sort: oneOf<SortKey>(options.sort, SORTS, '--sort'),
          order: oneOf(options.order, ['asc', 'desc'] as const, '--order'),
        };
        const total = await context.activity.countForExport(actor, query);
        const bar = createProgressBar('export', total);
        let rows = 0;
        let head: ChainPosition | undefined;
        const { range, stream } = await context.activity.exportActivities(actor, query, format, {
          onRows: (count) => {
            rows = count;
            bar.update(count);
          },
          onHead: (position) => {
            head = position;
          },
        });
        const out = options.out ?? exportFilename(org.name, range, format);
        try {
          await pipeline(stream, createWriteStream(out));
        } catch (error) {
          // Half a file read as a whole export would be worse than none.
          rmSync(out, { force: true });
          throw error;
        }
        bar.update(total);
        bar.stop();
        process.stdout.write(`wrote ${total} activities to ${out}\n`);
        if (options.manifest !== undefined && head) {
          const manifest = context.checkpoints.signExportManifest({
            version: 1,
            orgId: org.id,
            format,
            rowCount: rows,
            ...(await digestFile(out)),
            ...head,
            signedAt: new Date().toISOString(),
          });
          writeFileSync(options.manifest, `${JSON.stringify(manifest, null, 2)}\n`);
          process.stdout.write(`wrote its signed manifest to ${options.manifest}\n`);
        }
      }),
    );

  registerVerifyCommands(activity);

  activity
    .command('purge')
    .description('delete activities older than ACTIVITY_RETENTION_DAYS (the server also does this daily)')
    .option('--days <n>', 'retention in days (default: ACTIVITY_RETENTION_DAYS)')
    .action((options: { days?: string }) =>
      withContext(async (context) => {
        const retentionDays =
          options.days === undefined ? context.config.activityRetentionDays : Number(options.days);
        if (!Number.isInteger(retentionDays) || retentionDays < 1) {
          throw new AppError('INVALID_INPUT', '--days must be a whole number of at least 1');
        }
        const results = await purgeExpiredActivities(context.database.db, {
          now: Date.now(),
          retentionDays,
          onProgress: (purged) => process.stderr.write(`\rpurged ${purged}`),
        });
        const purged = results.reduce((sum, r) => sum + r.purged, 0);
        process.stdout.write(`\npurged ${purged} activities older than ${retentionDays} days\n`);
      }),
    );
}
