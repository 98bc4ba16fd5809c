import type { SsoConfigInput, SsoTestResult } from '../../contracts/sso.js';
import type { Actor } from '../../kernel/actor.js';
import { forbidden } from '../../kernel/errors.js';
import { findSsoConfig, orgOfDomain } from './sso.repository.js';
import { createSsoConfigs } from './sso-config.js';
import type { SsoDeps } from './sso-deps.js';
import { createPasswordGate } from './sso-gate.js';
import { createSsoLogins } from './sso-login.js';
import { testProvider } from './sso-test.js';

export type { SsoDeps, SsoUsers } from './sso-deps.js';

export type SsoService = ReturnType<typeof createSsoService>;

/** Per-org single sign-on through OpenID Connect (decision 021). */
export function createSsoService(deps: SsoDeps) {
  const configs = createSsoConfigs(deps);
  const logins = createSsoLogins(deps);
  return {
    getConfig: configs.getConfig,
    putConfig: configs.putConfig,
    deleteConfig: configs.deleteConfig,

    /** Runs discovery and the client's credentials against the provider; the stored secret when none is given. */
    async testConfig(
      actor: Actor,
      input: Pick<SsoConfigInput, 'issuer' | 'clientId' | 'clientSecret'>,
    ): Promise<SsoTestResult> {
      if (actor.role !== 'admin') throw forbidden('Only an admin can test the org’s single sign-on');
      const clientSecret = input.clientSecret ?? (await configs.storedSecret(actor.orgId)) ?? '';
      return testProvider({ issuer: input.issuer.trim(), clientId: input.clientId, clientSecret });
    },

    /** Whether an email's domain signs in through an org's SSO: what the login page asks first. */
    async hasSso(email: string): Promise<boolean> {
      const at = email.lastIndexOf('@');
      if (at < 0) return false;
      const orgId = await orgOfDomain(
        deps.db,
        email
          .slice(at + 1)
          .trim()
          .toLowerCase(),
      );
      return orgId !== undefined && (await findSsoConfig(deps.db, orgId)) !== undefined;
    },

    startLogin: logins.start,
    finishLogin: logins.finish,

    /** The check `POST /api/auth/login` makes first: throws SSO_REQUIRED (sso-gate.ts). */
    admitPasswordLogin: createPasswordGate(deps),
  };
}
