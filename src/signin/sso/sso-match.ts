import type { UserRow } from '../../accounts/accounts.table.js';
import { CANONICAL_USERNAME } from '../../kernel/username.js';
import { SsoFailure } from './oidc-client.js';
import { linkedUserId, linkIdentity, userLinkedAt } from './sso.repository.js';
import type { SsoConfigRow } from './sso.table.js';
import type { SsoDeps } from './sso-deps.js';

export interface AssertedIdentity {
  orgId: string;
  row: SsoConfigRow;
  issuer: string;
  subject: string;
  /** Lower-cased. */
  email: string | undefined;
  emailVerified: boolean;
  now: number;
  /** Filled in as the user becomes known, for the record of a refusal. */
  known: { user?: UserRow };
}

/**
 * The vault's user for an identity the provider vouched for: a verified email of an allowed
 * domain, then the user linked to (issuer, sub), else the user named by the email (linked now),
 * else a new `user` when the org auto-creates them. Throws SsoFailure for every refusal.
 */
export async function matchUser(deps: SsoDeps, identity: AssertedIdentity): Promise<UserRow> {
  const { email, row } = identity;
  if (!email) throw new SsoFailure('sso_email_unverified', 'the provider sent no email claim');
  if (!identity.emailVerified) {
    throw new SsoFailure(
      'sso_email_unverified',
      `the provider does not say ${email} is verified (email_verified)`,
    );
  }
  const domain = email.slice(email.lastIndexOf('@') + 1);
  const domains = JSON.parse(row.emailDomains) as string[];
  if (!email.includes('@') || !domains.includes(domain)) {
    throw new SsoFailure(
      'sso_email_not_allowed',
      `${email} is not of a domain this org signs in with (${domains.join(', ')})`,
    );
  }

  const linkedId = await linkedUserId(deps.db, identity.issuer, identity.subject);
  let user = linkedId === undefined ? undefined : await deps.users.signInUserById(identity.orgId, linkedId);
  const linked = user !== undefined;
  if (!user) {
    const named = await deps.users.signInUserNamed(email);
    // A user of that name in another org is not this org's to sign in.
    if (named && named.orgId !== identity.orgId) {
      throw new SsoFailure('sso_user_unknown', `${email} is a user of another org`);
    }
    user = named;
  }
  if (!user) {
    if (Number(row.autoCreateUsers) !== 1) {
      throw new SsoFailure(
        'sso_user_unknown',
        `${email} has no user here and the org does not create users at sign-in`,
      );
    }
    if (!CANONICAL_USERNAME.test(email)) {
      throw new SsoFailure(
        'sso_email_not_allowed',
        `${email} cannot be a username (at most 64 of a-z 0-9 . _ @ + -)`,
      );
    }
    user = await deps.users.createSsoUser({
      orgId: identity.orgId,
      username: email,
      issuer: identity.issuer,
    });
  }
  identity.known.user = user;
  if (user.disabledAt !== null) throw new SsoFailure('sso_user_disabled', `${user.username} is disabled`);
  if (!linked) {
    if (await userLinkedAt(deps.db, user.id, identity.issuer)) {
      throw new SsoFailure(
        'sso_identity_conflict',
        `${user.username} is linked to another identity at this provider; an admin must look into it`,
      );
    }
    await linkIdentity(deps.db, {
      issuer: identity.issuer,
      subject: identity.subject,
      orgId: identity.orgId,
      userId: user.id,
      createdAt: identity.now,
    });
  }
  return user;
}
