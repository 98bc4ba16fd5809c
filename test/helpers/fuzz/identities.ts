import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { API_KEY_SCOPES } from '../../../src/contracts/api-keys.js';
import { operatorActor } from '../../../src/kernel/actor.js';
import { PASSWORD, type SeededOrg, type SignedIn, seedOrg, signIn } from '../factories.js';
import type { Identity } from './requests.js';

/** What app.inject's default Host header (`localhost:80`) makes the app's own origin. */
export const OWN_ORIGIN = 'http://localhost:80';
/** Re-sign-ins come from here; fuzzed logins from elsewhere, so their failures lock nothing we need. */
const OWN_IP = '127.0.0.1';

interface Member {
  userId: string;
  username: string;
  signedIn: SignedIn;
}

/** Every scope: the key reaches every route an API key can, and past each scope check. */
const createFuzzKey = (app: FastifyInstance, orgId: string) =>
  app.services.apiKeys.createApiKey(operatorActor(orgId), 'fuzz', { scopes: API_KEY_SCOPES });

/**
 * The fuzzer's callers: an admin and a user of one org (cookie, and an Origin that passes CSRF),
 * an org API key holding every scope, and nobody. A generated request may end a session, disable the user, change a
 * password or revoke the key; `heal` notices and brings a fresh one, so later runs still test
 * the logged-in paths.
 */
export class FuzzIdentities {
  private constructor(
    private readonly app: FastifyInstance,
    private readonly org: SeededOrg,
    private admin: Member,
    private user: Member,
    private apiKey: { id: string; key: string },
  ) {}

  static async create(app: FastifyInstance): Promise<FuzzIdentities> {
    const org = await seedOrg(app);
    const member = async (userId: string, username: string) => ({
      userId,
      username,
      signedIn: await signIn(app, username, { ip: OWN_IP }),
    });
    const apiKey = await createFuzzKey(app, org.orgId);
    return new FuzzIdentities(
      app,
      org,
      await member(org.admin.id, org.admin.username),
      await member(org.user.id, org.user.username),
      { id: apiKey.id, key: apiKey.key },
    );
  }

  /** The caller's headers; generated ones go on top, but a cookie is added to, not replaced. */
  headersFor(identity: Identity, generated: Record<string, string>): Record<string, string> {
    const headers = { ...generated };
    const member = identity === 'admin' ? this.admin : identity === 'user' ? this.user : undefined;
    if (member) {
      headers.cookie = [member.signedIn.cookie, generated.cookie].filter(Boolean).join('; ');
      headers.origin = OWN_ORIGIN;
    }
    if (identity === 'apiKey') headers.authorization = `Bearer ${this.apiKey.key}`;
    return headers;
  }

  /** Replaces the KNOWN stand-ins with the live values they name. */
  resolve(text: string): string {
    const values: Record<string, string> = {
      $adminId: this.admin.userId,
      $userId: this.user.userId,
      $adminSessionId: this.admin.signedIn.sessionId,
      $userSessionId: this.user.signedIn.sessionId,
      $apiKeyId: this.apiKey.id,
      $adminSessionToken: this.admin.signedIn.token,
      $userSessionToken: this.user.signedIn.token,
      $adminUsername: this.admin.username,
      $username: this.user.username,
      $password: PASSWORD,
    };
    return text.replace(/\$[a-zA-Z]+/g, (name) => values[name] ?? name);
  }

  /** Brings back whichever caller the last request may have ended. */
  async heal(): Promise<void> {
    // A fuzzed policy may require MFA: a password alone would sign nobody in again.
    const { policy } = this.app.services;
    if (await policy.requiresMfa(this.org.orgId)) {
      await policy.updatePolicy(operatorActor(this.org.orgId), { requireMfa: false });
    }
    this.admin = await this.revive(this.admin, 'admin');
    this.user = await this.revive(this.user, 'user');
    const key = await this.app.services.apiKeys.authenticateApiKey(this.apiKey.key);
    if (!key) {
      const created = await createFuzzKey(this.app, this.org.orgId);
      this.apiKey = { id: created.id, key: created.key };
    }
  }

  private async revive(member: Member, role: 'admin' | 'user'): Promise<Member> {
    const me = await this.app.inject({
      method: 'GET',
      url: '/api/me',
      headers: { cookie: member.signedIn.cookie },
    });
    if (me.statusCode === 200) return member;
    try {
      return { ...member, signedIn: await signIn(this.app, member.username, { ip: OWN_IP }) };
    } catch {
      // Disabled, password changed, or its name locked by fuzzed logins: a new member then.
      const username = `fuzz-${role}-${randomBytes(4).toString('hex')}`;
      const user = await this.app.services.accounts.createUser(operatorActor(this.org.orgId), {
        username,
        password: PASSWORD,
        role,
      });
      return { userId: user.id, username, signedIn: await signIn(this.app, username, { ip: OWN_IP }) };
    }
  }
}
