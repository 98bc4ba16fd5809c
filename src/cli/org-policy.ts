import type { Command } from 'commander';
import { ON_LIMIT, type OrgPolicy, type OrgPolicyUpdate, POLICY_BOUNDS } from '../contracts/org-policy.js';
import { operatorActor } from '../kernel/actor.js';
import { AppError } from '../kernel/errors.js';
import { withContext } from './context.js';
import { resolveOrg } from './resolve.js';

interface PolicyOptions {
  org: string;
  idleMinutes?: string;
  maxHours?: string;
  maxSessions?: string;
  onLimit?: string;
  requireMfa?: string;
}

/** `org policy`: shows an org's session policy, or changes the fields given (as PUT /api/org/policy). */
export function registerOrgPolicyCommand(org: Command): void {
  org
    .command('policy')
    .description("show an org's session policy, or change the fields given")
    .requiredOption('--org <name>', 'org name')
    .option('--idle-minutes <n>', 'idle timeout, 1-10080, or "default"')
    .option('--max-hours <n>', 'absolute lifetime, 1-8760, or "default"')
    .option('--max-sessions <n>', 'sessions per user, 1-1000, or "none"')
    .option('--on-limit <what>', 'deny | end_oldest')
    .option('--require-mfa <yes|no>', 'users without TOTP enrol at their next login')
    .action((options: PolicyOptions) =>
      withContext(async (context) => {
        const found = await resolveOrg(context, options.org);
        const operator = operatorActor(found.id);
        const update = toUpdate(options);
        const shown =
          Object.keys(update).length === 0
            ? await context.policy.getPolicy(operator)
            : await context.policy.updatePolicy(operator, update);
        process.stdout.write(describePolicy(found.name, shown));
      }),
    );
}

/** The options as a partial policy, each checked against the API's bounds (a clear error otherwise). */
function toUpdate(options: PolicyOptions): OrgPolicyUpdate {
  const update: OrgPolicyUpdate = {};
  const bounded = (text: string, unset: string, flag: string, bounds: { min: number; max: number }) => {
    if (text === unset) return null;
    const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
    if (!(value >= bounds.min && value <= bounds.max)) {
      throw new AppError('INVALID_INPUT', `${flag} must be ${bounds.min}-${bounds.max} or "${unset}"`);
    }
    return value;
  };
  if (options.idleMinutes !== undefined)
    update.idleMinutes = bounded(options.idleMinutes, 'default', '--idle-minutes', POLICY_BOUNDS.idleMinutes);
  if (options.maxHours !== undefined)
    update.maxHours = bounded(options.maxHours, 'default', '--max-hours', POLICY_BOUNDS.maxHours);
  if (options.maxSessions !== undefined)
    update.maxSessionsPerUser = bounded(
      options.maxSessions,
      'none',
      '--max-sessions',
      POLICY_BOUNDS.maxSessionsPerUser,
    );
  if (options.onLimit !== undefined) {
    const onLimit = ON_LIMIT.find((value) => value === options.onLimit);
    if (!onLimit) throw new AppError('INVALID_INPUT', `--on-limit must be one of: ${ON_LIMIT.join(', ')}`);
    update.onLimit = onLimit;
  }
  if (options.requireMfa !== undefined) {
    if (options.requireMfa !== 'yes' && options.requireMfa !== 'no')
      throw new AppError('INVALID_INPUT', '--require-mfa must be yes or no');
    update.requireMfa = options.requireMfa === 'yes';
  }
  return update;
}

function describePolicy(orgName: string, p: OrgPolicy): string {
  const source = (isDefault: boolean) => (isDefault ? ' (the configuration’s)' : '');
  return [
    `session policy of "${orgName}":`,
    `  idle minutes:       ${p.idleMinutes}${source(p.usesDefault.idleMinutes)}`,
    `  max hours:          ${p.maxHours}${source(p.usesDefault.maxHours)}`,
    `  sessions per user:  ${p.maxSessionsPerUser ?? 'no limit'}`,
    `  on limit:           ${p.onLimit}`,
    `  require MFA:        ${p.requireMfa ? 'yes' : 'no'}`,
    '',
  ].join('\n');
}
