import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { describeEachEngine } from './helpers/engines.js';
import { as, type SeededOrg, type SignedIn, seedOrg, signIn } from './helpers/factories.js';
import { startTestProvider, type TestProvider } from './helpers/oidc-provider.js';
import {
  callback,
  REDIRECT_URI,
  sessionCookieOf,
  startAndAuthorize,
  VAULT_ORIGIN,
} from './helpers/sso-flow.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

describeEachEngine('SSO login through a real OpenID provider', (engine) => {
  let idp: TestProvider;
  let t: TestApp;
  let acme: SeededOrg;
  let admin: SignedIn;

  beforeAll(async () => {
    idp = await startTestProvider({ redirectUri: REDIRECT_URI });
  });
  afterAll(() => idp.close());
  beforeEach(async () => {
    t = await createTestApp(engine, { env: { PUBLIC_URL: VAULT_ORIGIN } });
    acme = await seedOrg(t.app);
    admin = await signIn(t.app, acme.admin.username);
    idp.accounts.clear();
    idp.signInAs = undefined;
  });
  afterEach(() => t.close());

  const configure = async (overrides: object = {}) => {
    const response = await as(t.app, admin).put('/api/org/sso', {
      issuer: idp.issuer,
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      emailDomains: ['acme.test'],
      autoCreateUsers: false,
      enforced: false,
      allowAdminPasswordLogin: false,
      ...overrides,
    });
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  };

  it('signs a user in: session with loginMethod sso, the issuer, mfa from amr', async () => {
    await configure({ autoCreateUsers: true });
    idp.accounts.set('sub-alice', { email: 'Alice@acme.test', email_verified: true, amr: ['pwd', 'mfa'] });
    const login = await startAndAuthorize(t.app, idp, 'email=alice@acme.test');
    const done = await callback(t.app, login.callback, login.cookie);
    expect(done.statusCode, done.body).toBe(302);
    expect(done.headers.location).toBe('/');
    const cookie = sessionCookieOf(done);
    expect(cookie).toBeDefined();
    const me = await t.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: cookie as string } });
    expect(me.json()).toMatchObject({
      user: { username: 'alice@acme.test', role: 'user' },
      session: { loginMethod: 'sso', mfa: true, identityProvider: idp.issuer },
    });
  });
});
