import type { Kysely } from 'kysely';
import { ACTIVITY } from '../../activity/activity-names.js';
import { recordActivities } from '../../activity/chain/record.js';
import type { SsoConfig, SsoConfigInput } from '../../contracts/sso.js';
import type { Schema } from '../../db/schema.js';
import { type Actor, isAdmin } from '../../kernel/actor.js';
import type { Clock } from '../../kernel/clock.js';
import { AppError, forbidden, invalidInput } from '../../kernel/errors.js';
import type { SecretBox } from '../../kernel/secret-box.js';
import { issuerProblem } from './oidc-client.js';
import {
  deleteSsoConfig,
  domainsOfOtherOrgs,
  findSsoConfig,
  lockOrgSso,
  saveSsoConfig,
} from './sso.repository.js';
import type { SsoConfigRow } from './sso.table.js';

export const CALLBACK_PATH = '/api/auth/sso/callback';

/** The secret box's context of an org's client secret: a sealed value copied to another org does not open. */
export const secretContext = (orgId: string) => `sso:${orgId}`;

export const notConfigured = () =>
  new AppError('SSO_NOT_CONFIGURED', 'No single sign-on is configured for this org or email domain');

/** The settings as the routes answer them, without the secret. */
export function toSsoConfig(row: SsoConfigRow, origin: string): SsoConfig {
  return {
    issuer: row.issuer,
    clientId: row.clientId,
    emailDomains: JSON.parse(row.emailDomains) as string[],
    autoCreateUsers: Number(row.autoCreateUsers) === 1,
    enforced: Number(row.enforced) === 1,
    allowAdminPasswordLogin: Number(row.allowAdminPasswordLogin) === 1,
    redirectUri: `${origin}${CALLBACK_PATH}`,
    updatedAt: new Date(Number(row.updatedAt)).toISOString(),
  };
}

/** The issuer as stored: checked, without a trailing slash (providers publish it either way; discovery compares parsed URLs). */
export function checkedIssuer(issuer: string): string {
  const trimmed = issuer.trim();
  const problem = issuerProblem(trimmed);
  if (problem) throw invalidInput(`body.issuer ${problem}`);
  return trimmed;
}

/** Lower-cased, each once. */
export function checkedDomains(domains: readonly string[]): string[] {
  const lower = domains.map((domain) => domain.toLowerCase());
  if (new Set(lower).size !== lower.length) throw invalidInput('body.emailDomains must not repeat a domain');
  return lower;
}

export function createSsoConfigs(deps: {
  db: Kysely<Schema>;
  clock: Clock;
  secretBox: SecretBox | undefined;
}) {
  const { db, clock } = deps;

  const requireAdmin = (actor: Actor) => {
    if (!isAdmin(actor)) throw forbidden('Only an admin can see or change the org’s single sign-on');
  };
  const requireBox = (): SecretBox => {
    if (!deps.secretBox) {
      throw new AppError('INTERNAL', 'No secrets key (SECRETS_KEY_FILE): a client secret cannot be stored');
    }
    return deps.secretBox;
  };

  return {
    /** The org's config; SSO_NOT_CONFIGURED when there is none. */
    async getConfig(actor: Actor, origin: string): Promise<SsoConfig> {
      requireAdmin(actor);
      const row = await findSsoConfig(db, actor.orgId);
      if (!row) throw notConfigured();
      return toSsoConfig(row, origin);
    },

    /**
     * Sets the org's provider. Without `clientSecret` the stored one is kept (a first config
     * needs one). A domain another org signs in with is a CONFLICT. Recorded as `sso.configured`
     * with the settings, never the secret.
     */
    async putConfig(actor: Actor, input: SsoConfigInput, origin: string): Promise<SsoConfig> {
      requireAdmin(actor);
      const issuer = checkedIssuer(input.issuer);
      const domains = checkedDomains(input.emailDomains);
      const now = clock.now();
      const saved = await db.transaction().execute(async (trx) => {
        await lockOrgSso(trx, actor.orgId);
        const before = await findSsoConfig(trx, actor.orgId);
        if (input.clientSecret === undefined && !before) {
          throw invalidInput('body.clientSecret is required the first time single sign-on is configured');
        }
        const clientSecret =
          input.clientSecret === undefined
            ? (before?.clientSecret as string)
            : requireBox().seal(input.clientSecret, secretContext(actor.orgId));
        const row: SsoConfigRow = {
          orgId: actor.orgId,
          issuer,
          clientId: input.clientId,
          clientSecret,
          emailDomains: JSON.stringify(domains),
          autoCreateUsers: input.autoCreateUsers ? 1 : 0,
          enforced: input.enforced ? 1 : 0,
          allowAdminPasswordLogin: input.allowAdminPasswordLogin ? 1 : 0,
          updatedAt: now,
          updatedBy: actor.userId,
        };
        await saveSsoConfig(trx, row, domains);
        const claimedMeanwhile = await domainsOfOtherOrgs(trx, actor.orgId, domains);
        if (claimedMeanwhile.length > 0) {
          throw new AppError(
            'CONFLICT',
            `body.emailDomains: ${claimedMeanwhile.join(', ')} already signs in through another org`,
          );
        }
        const { redirectUri: _, updatedAt: __, ...settings } = toSsoConfig(row, origin);
        await recordActivities(
          trx,
          actor.orgId,
          [
            {
              occurredAt: now,
              userId: actor.userId,
              username: actor.username,
              activity: ACTIVITY.SSO_CONFIGURED,
              status: 'success',
              target: issuer,
              details: {
                ...settings,
                clientSecretChanged: input.clientSecret !== undefined,
                created: !before,
              },
              publicIp: actor.publicIp,
              sessionId: actor.sessionId,
            },
          ],
          now,
        );
        return row;
      });
      return toSsoConfig(saved, origin);
    },

    /** Removes the org's SSO (password logins work again); SSO_NOT_CONFIGURED when there was none. */
    async deleteConfig(actor: Actor): Promise<void> {
      requireAdmin(actor);
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        await lockOrgSso(trx, actor.orgId);
        const before = await findSsoConfig(trx, actor.orgId);
        if (!before || !(await deleteSsoConfig(trx, actor.orgId))) throw notConfigured();
        await recordActivities(
          trx,
          actor.orgId,
          [
            {
              occurredAt: now,
              userId: actor.userId,
              username: actor.username,
              activity: ACTIVITY.SSO_REMOVED,
              status: 'success',
              target: before.issuer,
              publicIp: actor.publicIp,
              sessionId: actor.sessionId,
            },
          ],
          now,
        );
      });
    },

    /** The stored client secret, opened; for the test of a config that keeps it. */
    async storedSecret(orgId: string): Promise<string | undefined> {
      const row = await findSsoConfig(db, orgId);
      return row ? requireBox().open(row.clientSecret, secretContext(orgId)) : undefined;
    },
  };
}
