import type { Command } from 'commander';
import type { SsoConfig, SsoConfigInput } from '../contracts/sso.js';
import { operatorActor } from '../kernel/actor.js';
import { AppError } from '../kernel/errors.js';
import { withContext } from './context.js';
import { resolveOrg } from './resolve.js';

interface SsoOptions {
  org: string;
  issuer?: string;
  clientId?: string;
  clientSecret?: string;
  domain?: string[];
  autoCreate?: boolean;
  enforced?: boolean;
  allowAdminPassword?: boolean;
  remove?: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/**
 * `org sso`: shows an org's single sign-on, sets it (as PUT /api/org/sso; on a configured org
 * only the options given change), or removes it. The last resort of break-glass: an operator
 * with server access turns enforcement off with `--no-enforced`.
 */
export function registerOrgSsoCommand(org: Command): void {
  org
    .command('sso')
    .description("show an org's single sign-on (OpenID Connect), set the options given, or remove it")
    .requiredOption('--org <name>', 'org name')
    .option('--issuer <url>', "the provider's issuer URL (https; http only for a loopback address)")
    .option('--client-id <id>', 'the client id registered with the provider')
    .option('--client-secret <secret>', 'the client secret (stored encrypted; left out: the stored one)')
    .option(
      '--domain <domain>',
      'an email domain that signs in through it (repeat for more; replaces the list)',
      collect,
    )
    .option('--auto-create', 'create a user at the first login of a verified email of the domains')
    .option('--no-auto-create', 'refuse emails without a user')
    .option('--enforced', 'refuse password logins of the org’s users (403 SSO_REQUIRED)')
    .option('--no-enforced', 'allow password logins again (break-glass: the IdP is down)')
    .option('--allow-admin-password', 'with --enforced, admins keep their password login (each an activity)')
    .option('--no-allow-admin-password', 'admins too sign in through the provider')
    .option('--remove', 'remove the org’s single sign-on')
    .action((options: SsoOptions) =>
      withContext(async (context) => {
        const found = await resolveOrg(context, options.org);
        const operator = operatorActor(found.id);
        const origin = context.config.publicUrl ?? '<PUBLIC_URL>';
        if (options.remove) {
          await context.sso.deleteConfig(operator);
          process.stdout.write(`removed single sign-on of "${found.name}": password logins work again\n`);
          return;
        }
        const current = await context.sso.getConfig(operator, origin).catch((error: unknown) => {
          if (error instanceof AppError && error.code === 'SSO_NOT_CONFIGURED') return undefined;
          throw error;
        });
        const input = toInput(options, current);
        const shown = input ? await context.sso.putConfig(operator, input, origin) : current;
        if (!shown) {
          process.stdout.write(`"${found.name}" has no single sign-on\n`);
          return;
        }
        process.stdout.write(describeSso(found.name, shown, context.config.publicUrl !== undefined));
      }),
    );
}

/** The config to save, or undefined when no option changes anything (show). */
function toInput(options: SsoOptions, current: SsoConfig | undefined): SsoConfigInput | undefined {
  const changes = [
    options.issuer,
    options.clientId,
    options.clientSecret,
    options.domain,
    options.autoCreate,
    options.enforced,
    options.allowAdminPassword,
  ];
  if (changes.every((value) => value === undefined)) return undefined;
  const issuer = options.issuer ?? current?.issuer;
  const clientId = options.clientId ?? current?.clientId;
  const emailDomains = options.domain ?? current?.emailDomains;
  if (!issuer || !clientId || !emailDomains) {
    throw new AppError(
      'INVALID_INPUT',
      'a first single sign-on needs --issuer, --client-id, --client-secret and --domain',
    );
  }
  return {
    issuer,
    clientId,
    emailDomains,
    ...(options.clientSecret === undefined ? {} : { clientSecret: options.clientSecret }),
    autoCreateUsers: options.autoCreate ?? current?.autoCreateUsers ?? false,
    enforced: options.enforced ?? current?.enforced ?? false,
    allowAdminPasswordLogin: options.allowAdminPassword ?? current?.allowAdminPasswordLogin ?? false,
  };
}

function describeSso(orgName: string, c: SsoConfig, hasPublicUrl: boolean): string {
  const yes = (value: boolean) => (value ? 'yes' : 'no');
  return [
    `single sign-on of "${orgName}":`,
    `  issuer:                  ${c.issuer}`,
    `  client id:               ${c.clientId}`,
    '  client secret:           (stored encrypted, never shown)',
    `  email domains:           ${c.emailDomains.join(', ')}`,
    `  create users:            ${yes(c.autoCreateUsers)}`,
    `  enforced:                ${yes(c.enforced)}`,
    `  admin password login:    ${yes(c.allowAdminPasswordLogin)}`,
    `  redirect URI:            ${c.redirectUri}${hasPublicUrl ? '' : ' (set PUBLIC_URL, or use the server’s own origin)'}`,
    '',
  ].join('\n');
}
