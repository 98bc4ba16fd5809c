import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { TestClock } from './helpers/clock.js';
import { describeEachEngine } from './helpers/engines.js';
import { as, type SeededOrg, type SignedIn, seedOrg, signIn } from './helpers/factories.js';
import { startTestProvider, type TestProvider } from './helpers/oidc-provider.js';
import {
  bindingCookieOf,
  callback,
  REDIRECT_URI,
  sessionCookieOf,
  startAndAuthorize,
  VAULT_ORIGIN,
} from './helpers/sso-flow.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const MINUTE = 60_000;

describeEachEngine('SSO login through a real OpenID provider', (engine) => {
  let idp: TestProvider;
  let t: TestApp;
  let clock: TestClock;
  let acme: SeededOrg;
  let admin: SignedIn;

  beforeAll(async () => {
    idp = await startTestProvider({ redirectUri: REDIRECT_URI });
  });
  afterAll(() => idp.close());
  beforeEach(async () => {
    clock = new TestClock(Date.now());
    t = await createTestApp(engine, {
      clock,
      env: { PUBLIC_URL: VAULT_ORIGIN, ALLOWED_REDIRECT_HOSTS: 'app.acme.test' },
    });
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
  const createUser = async (username: string) => {
    const response = await as(t.app, admin).post('/api/users', {
      username,
      password: 'another long password 42',
      role: 'user',
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json().user as { id: string; username: string };
  };
  const me = (cookie: string) => t.app.inject({ method: 'GET', url: '/api/me', headers: { cookie } });
  const ssoSessions = () =>
    t.database.db.selectFrom('sessions').select('id').where('loginMethod', '=', 'sso').execute();
  const failures = () =>
    t.database.db
      .selectFrom('activities')
      .select(['userId', 'username', 'detailsJson as details', 'status'])
      .where('orgId', '=', acme.orgId)
      .where('activity', '=', 'user.login_failed')
      .execute();
  /** A login that ends refused: the redirect to the login page with the code, no session. */
  const expectRefused = async (response: Awaited<ReturnType<typeof callback>>, code: string) => {
    expect(response.statusCode, response.body).toBe(302);
    expect(response.headers.location).toBe(`/login?error=${code}`);
    expect(sessionCookieOf(response)).toBeUndefined();
    expect(await ssoSessions()).toHaveLength(0);
  };

  it('signs a user in: a session with loginMethod sso, the issuer and mfa from amr; the login activity names the provider', async () => {
    await configure({ autoCreateUsers: true });
    idp.accounts.set('sub-alice', { email: 'Alice@acme.test', email_verified: true, amr: ['pwd', 'mfa'] });
    const login = await startAndAuthorize(t.app, idp, 'email=alice@acme.test');
    const done = await callback(t.app, login.callback, login.cookie);
    expect(done.statusCode, done.body).toBe(302);
    expect(done.headers.location).toBe('/');
    const cookie = sessionCookieOf(done) as string;
    expect((await me(cookie)).json()).toMatchObject({
      user: { username: 'alice@acme.test', role: 'user' },
      session: { loginMethod: 'sso', mfa: true, identityProvider: idp.issuer },
    });
    const logins = await t.database.db
      .selectFrom('activities')
      .select(['username', 'detailsJson as details'])
      .where('activity', '=', 'user.login')
      .where('username', '=', 'alice@acme.test')
      .execute();
    expect(JSON.parse(logins[0]?.details as string)).toEqual({
      method: 'sso',
      mfa: true,
      identityProvider: idp.issuer,
    });
  });

  it('asks the provider for code + PKCE S256 with state and nonce, and binds the login to the browser with an HttpOnly Lax cookie', async () => {
    await configure();
    const start = await t.app.inject({ method: 'GET', url: '/api/auth/sso/start?email=bob@ACME.test' });
    expect(start.statusCode).toBe(302);
    const url = new URL(start.headers.location as string);
    expect(url.origin).toBe(idp.issuer);
    expect(url.searchParams.get('response_type')).toBe('code');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(url.searchParams.get('state')).toMatch(/^[\w-]{20,}$/);
    expect(url.searchParams.get('nonce')).toMatch(/^[\w-]{20,}$/);
    expect(url.searchParams.get('scope')).toBe('openid email profile');
    expect(url.searchParams.get('redirect_uri')).toBe(REDIRECT_URI);
    const cookie = start.cookies.find((c) => c.name === 'vault_sso');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', maxAge: 600 });
    // The state is stored hashed: its value is in no row.
    const rows = await t.database.db.selectFrom('ssoLogins').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(url.searchParams.get('state'));
  });

  it('a user whose email the provider changed is still found by the (issuer, sub) link; a plain email claim is taken from UserInfo', async () => {
    await configure();
    const bob = await createUser('bob@acme.test');
    idp.accounts.set('sub-bob', { email: 'bob@acme.test', email_verified: true });
    const first = await startAndAuthorize(t.app, idp, 'email=bob@acme.test');
    expect(sessionCookieOf(await callback(t.app, first.callback, first.cookie))).toBeDefined();
    idp.accounts.set('sub-bob', { email: 'robert@acme.test', email_verified: true });
    const second = await startAndAuthorize(t.app, idp, 'email=robert@acme.test');
    const done = await callback(t.app, second.callback, second.cookie);
    const cookie = sessionCookieOf(done) as string;
    expect((await me(cookie)).json()).toMatchObject({ user: { id: bob.id, username: 'bob@acme.test' } });
    const links = await t.database.db.selectFrom('ssoIdentities').selectAll().execute();
    expect(links).toMatchObject([{ subject: 'sub-bob', userId: bob.id, issuer: idp.issuer }]);
  });

  it('starts by org id too, and a session without a second factor at the provider has mfa false', async () => {
    await configure({ autoCreateUsers: true });
    idp.accounts.set('sub-carol', { email: 'carol@acme.test', email_verified: true, amr: ['pwd'] });
    idp.signInAs = 'sub-carol';
    const login = await startAndAuthorize(t.app, idp, `org=${acme.orgId}`);
    const cookie = sessionCookieOf(await callback(t.app, login.callback, login.cookie)) as string;
    expect((await me(cookie)).json()).toMatchObject({ session: { loginMethod: 'sso', mfa: false } });
  });

  it('goes back to an allowed returnTo, and drops one to any other host (no open redirect)', async () => {
    await configure({ autoCreateUsers: true });
    idp.accounts.set('sub-dan', { email: 'dan@acme.test', email_verified: true });
    const targets: Array<[string, string]> = [
      ['/sessions?x=1', '/sessions?x=1'],
      ['https://app.acme.test/after', 'https://app.acme.test/after'],
      ['https://evil.test/phish', '/'],
      ['//evil.test/phish', '/'],
      ['/\\evil.test', '/'],
    ];
    for (const [returnTo, expected] of targets) {
      const login = await startAndAuthorize(
        t.app,
        idp,
        `email=dan@acme.test&returnTo=${encodeURIComponent(returnTo)}`,
      );
      const done = await callback(t.app, login.callback, login.cookie);
      expect(done.headers.location, returnTo).toBe(expected);
    }
  });

  it('refuses a replayed callback: the same code and state a second time open no second session', async () => {
    await configure({ autoCreateUsers: true });
    idp.accounts.set('sub-eve', { email: 'eve@acme.test', email_verified: true });
    const login = await startAndAuthorize(t.app, idp, 'email=eve@acme.test');
    expect((await callback(t.app, login.callback, login.cookie)).headers.location).toBe('/');
    const again = await callback(t.app, login.callback, login.cookie);
    expect(again.headers.location).toBe('/login?error=sso_state_invalid');
    expect(sessionCookieOf(again)).toBeUndefined();
    expect(await ssoSessions()).toHaveLength(1);
  });

  it('refuses a tampered state, a callback without the starting browser’s cookie, and one from another browser', async () => {
    await configure({ autoCreateUsers: true });
    idp.accounts.set('sub-fay', { email: 'fay@acme.test', email_verified: true });
    const login = await startAndAuthorize(t.app, idp, 'email=fay@acme.test');
    const url = new URL(login.callback, VAULT_ORIGIN);
    const tampered = new URL(url);
    tampered.searchParams.set('state', `${url.searchParams.get('state')}x`);
    await expectRefused(
      await callback(t.app, `${tampered.pathname}${tampered.search}`, login.cookie),
      'sso_state_invalid',
    );
    await expectRefused(await callback(t.app, login.callback, undefined), 'sso_state_invalid');
    const other = bindingCookieOf(
      await t.app.inject({ method: 'GET', url: '/api/auth/sso/start?email=fay@acme.test' }),
    );
    await expectRefused(await callback(t.app, login.callback, other), 'sso_state_invalid');
    // None of these used the login up: its own browser still finishes it.
    expect((await callback(t.app, login.callback, login.cookie)).headers.location).toBe('/');
  });

  it('refuses a login finished after 10 minutes', async () => {
    await configure({ autoCreateUsers: true });
    idp.accounts.set('sub-gus', { email: 'gus@acme.test', email_verified: true });
    const login = await startAndAuthorize(t.app, idp, 'email=gus@acme.test');
    clock.advance(10 * MINUTE + 1);
    await expectRefused(await callback(t.app, login.callback, login.cookie), 'sso_state_invalid');
  });

  it('refuses a tampered iss (RFC 9207) as an answer not from the provider', async () => {
    await configure({ autoCreateUsers: true });
    idp.accounts.set('sub-hal', { email: 'hal@acme.test', email_verified: true });
    const login = await startAndAuthorize(t.app, idp, 'email=hal@acme.test');
    const url = new URL(login.callback, VAULT_ORIGIN);
    expect(url.searchParams.get('iss')).toBe(idp.issuer);
    url.searchParams.set('iss', 'https://evil.test');
    await expectRefused(
      await callback(t.app, `${url.pathname}${url.search}`, login.cookie),
      'sso_token_invalid',
    );
  });

  it('refuses email_verified false and a missing email_verified, recording each in the org’s log', async () => {
    await configure({ autoCreateUsers: true });
    idp.accounts.set('sub-ivy', { email: 'ivy@acme.test', email_verified: false });
    idp.accounts.set('sub-jon', { email: 'jon@acme.test' });
    for (const email of ['ivy@acme.test', 'jon@acme.test']) {
      const login = await startAndAuthorize(t.app, idp, `email=${email}`);
      await expectRefused(await callback(t.app, login.callback, login.cookie), 'sso_email_unverified');
    }
    const users = await as(t.app, admin).get('/api/users');
    expect(JSON.stringify(users.json())).not.toContain('ivy@acme.test');
    const logged = await failures();
    expect(logged.map((f) => [f.username, JSON.parse(f.details as string).reason])).toEqual([
      ['ivy@acme.test', 'sso_email_unverified'],
      ['jon@acme.test', 'sso_email_unverified'],
    ]);
  });

  it('takes Entra ID’s xms_edov for email_verified when that is absent, never over an explicit false', async () => {
    await configure({ autoCreateUsers: true });
    idp.accounts.set('sub-entra2', { email: 'entra2@acme.test', email_verified: false, xms_edov: true });
    idp.signInAs = 'sub-entra2';
    const refused = await startAndAuthorize(t.app, idp, 'email=entra2@acme.test');
    await expectRefused(await callback(t.app, refused.callback, refused.cookie), 'sso_email_unverified');
    idp.accounts.set('sub-entra', { email: 'entra@acme.test', xms_edov: true });
    idp.signInAs = 'sub-entra';
    const login = await startAndAuthorize(t.app, idp, 'email=entra@acme.test');
    expect(sessionCookieOf(await callback(t.app, login.callback, login.cookie))).toBeDefined();
  });

  it('refuses an email outside the org’s domains, even verified', async () => {
    await configure({ autoCreateUsers: true });
    idp.accounts.set('sub-kim', { email: 'kim@other.test', email_verified: true });
    idp.signInAs = 'sub-kim';
    const login = await startAndAuthorize(t.app, idp, `org=${acme.orgId}`);
    await expectRefused(await callback(t.app, login.callback, login.cookie), 'sso_email_not_allowed');
  });

  it('refuses an unknown user without autoCreateUsers, recorded with the email as the username', async () => {
    await configure({ autoCreateUsers: false });
    idp.accounts.set('sub-lou', { email: 'lou@acme.test', email_verified: true });
    const login = await startAndAuthorize(t.app, idp, 'email=lou@acme.test');
    await expectRefused(await callback(t.app, login.callback, login.cookie), 'sso_user_unknown');
    expect(await failures()).toMatchObject([{ userId: null, username: 'lou@acme.test', status: 'failure' }]);
  });

  it('refuses a disabled user, recorded against that user', async () => {
    await configure();
    const mia = await createUser('mia@acme.test');
    expect((await as(t.app, admin).patch(`/api/users/${mia.id}`, { disabled: true })).statusCode).toBe(200);
    idp.accounts.set('sub-mia', { email: 'mia@acme.test', email_verified: true });
    const login = await startAndAuthorize(t.app, idp, 'email=mia@acme.test');
    await expectRefused(await callback(t.app, login.callback, login.cookie), 'sso_user_disabled');
    const logged = await failures();
    expect(logged).toMatchObject([{ userId: mia.id, username: 'mia@acme.test' }]);
    expect(JSON.parse(logged[0]?.details as string)).toMatchObject({
      method: 'sso',
      reason: 'sso_user_disabled',
    });
  });

  it('refuses a login through a client secret the provider does not accept', async () => {
    await configure({ autoCreateUsers: true, clientSecret: 'not-the-secret' });
    idp.accounts.set('sub-ned', { email: 'ned@acme.test', email_verified: true });
    const login = await startAndAuthorize(t.app, idp, 'email=ned@acme.test');
    await expectRefused(await callback(t.app, login.callback, login.cookie), 'sso_client_rejected');
    expect(JSON.parse((await failures())[0]?.details as string)).toMatchObject({
      reason: 'sso_client_rejected',
    });
  });

  it('sends the browser back to the login page when the provider cannot be reached', async () => {
    const closed = await startTestProvider({ redirectUri: REDIRECT_URI });
    await closed.close();
    await configure({ issuer: closed.issuer });
    const start = await t.app.inject({ method: 'GET', url: '/api/auth/sso/start?email=x@acme.test' });
    expect(start.statusCode).toBe(302);
    expect(start.headers.location).toBe('/login?error=sso_provider_unreachable');
  });

  it('answers 404 SSO_NOT_CONFIGURED for a domain or org without SSO, and 400 without either', async () => {
    await configure();
    for (const query of ['email=someone@elsewhere.test', 'org=00000000-0000-0000-0000-000000000000']) {
      const response = await t.app.inject({ method: 'GET', url: `/api/auth/sso/start?${query}` });
      expect(response.statusCode).toBe(404);
      expect(response.json().error.code).toBe('SSO_NOT_CONFIGURED');
    }
    const neither = await t.app.inject({ method: 'GET', url: '/api/auth/sso/start' });
    expect(neither.statusCode).toBe(400);
  });

  it('refuses a login the provider ended with an error (the user cancelled)', async () => {
    await configure({ autoCreateUsers: true });
    idp.accounts.set('sub-quin', { email: 'quin@acme.test', email_verified: true });
    const login = await startAndAuthorize(t.app, idp, 'email=quin@acme.test');
    const url = new URL(login.callback, VAULT_ORIGIN);
    const denied = new URLSearchParams({
      error: 'access_denied',
      state: url.searchParams.get('state') as string,
      iss: url.searchParams.get('iss') as string,
    });
    await expectRefused(
      await callback(t.app, `${url.pathname}?${denied}`, login.cookie),
      'sso_provider_error',
    );
  });

  it('refuses another subject claiming the email of a user linked already, and a user of another org', async () => {
    await configure();
    await createUser('rae@acme.test');
    idp.accounts.set('sub-rae', { email: 'rae@acme.test', email_verified: true });
    const first = await startAndAuthorize(t.app, idp, 'email=rae@acme.test');
    expect(sessionCookieOf(await callback(t.app, first.callback, first.cookie))).toBeDefined();
    idp.accounts.set('sub-impostor', { email: 'rae@acme.test', email_verified: true });
    idp.signInAs = 'sub-impostor';
    const second = await startAndAuthorize(t.app, idp, 'email=rae@acme.test');
    const refused = await callback(t.app, second.callback, second.cookie);
    expect(refused.headers.location).toBe('/login?error=sso_identity_conflict');
    expect(sessionCookieOf(refused)).toBeUndefined();

    // A user of that name in another org is not this org's to sign in, even with autoCreateUsers.
    const other = await seedOrg(t.app);
    await t.app.services.accounts.createUser(
      {
        userId: null,
        orgId: other.orgId,
        username: 'operator',
        role: 'admin',
        sessionId: null,
        publicIp: null,
      },
      { username: 'sam@acme.test', password: 'another long password 42', role: 'user' },
    );
    await configure({ autoCreateUsers: true, clientSecret: undefined });
    idp.accounts.set('sub-sam', { email: 'sam@acme.test', email_verified: true });
    idp.signInAs = 'sub-sam';
    const third = await startAndAuthorize(t.app, idp, 'email=sam@acme.test');
    const foreign = await callback(t.app, third.callback, third.cookie);
    expect(foreign.headers.location).toBe('/login?error=sso_user_unknown');
  });

  it('of 50 parallel callbacks with one state, exactly one opens a session', async () => {
    await configure({ autoCreateUsers: true });
    idp.accounts.set('sub-ola', { email: 'ola@acme.test', email_verified: true });
    const login = await startAndAuthorize(t.app, idp, 'email=ola@acme.test');
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => callback(t.app, login.callback, login.cookie)),
    );
    expect(answers.every((a) => a.statusCode === 302)).toBe(true);
    expect(answers.filter((a) => sessionCookieOf(a) !== undefined)).toHaveLength(1);
    expect(answers.filter((a) => a.headers.location === '/login?error=sso_state_invalid')).toHaveLength(49);
    expect(await ssoSessions()).toHaveLength(1);
  });
});

describeEachEngine('SSO with the email claims in the ID token', (engine) => {
  let idp: TestProvider;
  let t: TestApp;

  beforeAll(async () => {
    idp = await startTestProvider({ redirectUri: REDIRECT_URI, claimsInIdToken: true });
  });
  afterAll(() => idp.close());
  beforeEach(async () => {
    t = await createTestApp(engine, { env: { PUBLIC_URL: VAULT_ORIGIN } });
  });
  afterEach(() => t.close());

  it('takes email and email_verified from the ID token and signs the user in', async () => {
    const acme = await seedOrg(t.app);
    const admin = await signIn(t.app, acme.admin.username);
    const put = await as(t.app, admin).put('/api/org/sso', {
      issuer: idp.issuer,
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      emailDomains: ['id-token.test'],
      autoCreateUsers: true,
      enforced: false,
      allowAdminPasswordLogin: false,
    });
    expect(put.statusCode, put.body).toBe(200);
    idp.accounts.set('sub-pia', { email: 'pia@id-token.test', email_verified: true, amr: ['hwk'] });
    const login = await startAndAuthorize(t.app, idp, 'email=pia@id-token.test');
    const cookie = sessionCookieOf(await callback(t.app, login.callback, login.cookie)) as string;
    const me = await t.app.inject({ method: 'GET', url: '/api/me', headers: { cookie } });
    expect(me.json()).toMatchObject({ user: { username: 'pia@id-token.test' }, session: { mfa: true } });
  });
});
