import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeEachEngine } from './helpers/engines.js';
import { as, PASSWORD, type SeededOrg, type SignedIn, seedOrg, signIn } from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

describeEachEngine('SSO enforced: password logins refused by the username', (engine) => {
  let t: TestApp;
  let acme: SeededOrg;
  let admin: SignedIn;

  beforeEach(async () => {
    t = await createTestApp(engine);
    acme = await seedOrg(t.app);
    admin = await signIn(t.app, acme.admin.username);
  });
  afterEach(() => t.close());

  const enforce = async (overrides: object = {}) => {
    const response = await as(t.app, admin).put('/api/org/sso', {
      // Never reached: the gate reads the stored config only.
      issuer: 'https://login.acme.test',
      clientId: 'vault',
      clientSecret: 'secret',
      emailDomains: ['acme.test'],
      autoCreateUsers: false,
      enforced: true,
      allowAdminPasswordLogin: false,
      ...overrides,
    });
    expect(response.statusCode, response.body).toBe(200);
  };
  const login = (username: string, password = PASSWORD) =>
    t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
  const activities = (name: string) =>
    t.database.db
      .selectFrom('activities')
      .select(['userId', 'username', 'sessionId', 'detailsJson'])
      .where('orgId', '=', acme.orgId)
      .where('activity', '=', name)
      .execute();

  it('refuses the org’s users with 403 SSO_REQUIRED, a wrong password alike, and counts no password guess', async () => {
    await enforce();
    for (const password of [PASSWORD, 'wrong password entirely']) {
      const response = await login(acme.user.username, password);
      expect(response.statusCode).toBe(403);
      expect(response.json().error.code).toBe('SSO_REQUIRED');
      expect(response.cookies.find((c) => c.name === 'vault_session')).toBeUndefined();
    }
    // Many wrong passwords while enforced: none was evaluated, so none locks the user out.
    for (let i = 0; i < 20; i++) await login(acme.user.username, `guess ${i} that is wrong`);
    expect(await t.database.db.selectFrom('loginFailures').selectAll().execute()).toHaveLength(0);
    const refused = await activities('user.login_failed');
    expect(JSON.parse(refused[0]?.detailsJson as string)).toEqual({
      method: 'password',
      reason: 'sso_required',
    });
    // Enforcement off again (as the CLI's break-glass does): the password works at once.
    await enforce({ enforced: false, clientSecret: undefined });
    expect((await login(acme.user.username)).statusCode).toBe(200);
  });

  it('refuses an unknown name of the org’s email domain the same way, so the answer tells nothing of who exists', async () => {
    await enforce();
    const response = await login('nobody@ACME.test', 'whatever it is');
    expect(response.statusCode).toBe(403);
    expect(response.json().error.code).toBe('SSO_REQUIRED');
  });

  it('refuses an admin too, unless allowAdminPasswordLogin: then the login is a break-glass activity of its own', async () => {
    await enforce();
    expect((await login(acme.admin.username)).statusCode).toBe(403);
    await enforce({ allowAdminPasswordLogin: true, clientSecret: undefined });
    expect((await login(acme.user.username)).json().error.code).toBe('SSO_REQUIRED');
    const wrong = await login(acme.admin.username, 'not the admin password');
    expect(wrong.statusCode).toBe(401);
    expect(await activities('sso.break_glass_login')).toHaveLength(0);
    const ok = await login(acme.admin.username);
    expect(ok.statusCode, ok.body).toBe(200);
    const breakGlass = await activities('sso.break_glass_login');
    expect(breakGlass).toMatchObject([
      { userId: acme.admin.id, username: acme.admin.username, sessionId: ok.json().session.id },
    ]);
  });

  it('leaves other orgs, and the org itself when not enforced, to their passwords', async () => {
    await enforce({ enforced: false });
    expect((await login(acme.user.username)).statusCode).toBe(200);
    await enforce({ clientSecret: undefined });
    const other = await seedOrg(t.app);
    expect((await login(other.user.username)).statusCode).toBe(200);
  });

  it('tells the login page which emails sign in through SSO, starting nothing, and refuses a flood from one address', async () => {
    const discover = (email: string, remoteAddress = '198.51.100.7') =>
      t.app.inject({
        method: 'GET',
        url: `/api/auth/sso/discover?email=${encodeURIComponent(email)}`,
        remoteAddress,
      });
    expect((await discover('someone@acme.test')).json()).toEqual({ sso: false });
    await enforce({ enforced: false });
    expect((await discover('Someone@ACME.test')).json()).toEqual({ sso: true });
    expect((await discover('someone@other.test')).json()).toEqual({ sso: false });
    expect((await discover('not an email')).statusCode).toBe(400);
    expect(await t.database.db.selectFrom('ssoLogins').selectAll().execute()).toHaveLength(0);

    // 120 a minute from one address (discover and start together); another address is not held up.
    const answers = await Promise.all(
      Array.from({ length: 130 }, (_, i) => discover(`u${i}@acme.test`, '198.51.100.8')),
    );
    const statuses = answers.map((response) => response.statusCode);
    expect(statuses.filter((status) => status === 200)).toHaveLength(120);
    expect(statuses.filter((status) => status === 429)).toHaveLength(10);
    expect(answers.find((response) => response.statusCode === 429)?.headers['retry-after']).toBeDefined();
    const start = await t.app.inject({
      method: 'GET',
      url: '/api/auth/sso/start?email=u@acme.test',
      remoteAddress: '198.51.100.8',
    });
    expect(start.statusCode).toBe(429);
    expect((await discover('someone@acme.test', '198.51.100.9')).statusCode).toBe(200);
  });
});
