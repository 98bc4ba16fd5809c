import { afterEach, beforeEach, expect, it } from 'vitest';
import { TestClock } from './helpers/clock.js';
import { describeEachEngine } from './helpers/engines.js';
import { as, type SeededOrg, type SignedIn, seedOrg, signIn } from './helpers/factories.js';
import { activitiesNamed, codeAt, finishLogin, mfaTokenOf, turnOnTotp } from './helpers/mfa.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

describeEachEngine('TOTP with SSO enforced', (engine) => {
  let t: TestApp;
  let clock: TestClock;
  let acme: SeededOrg;
  let admin: SignedIn;
  let userSecret: string;
  let adminSecret: string;

  beforeEach(async () => {
    clock = new TestClock();
    t = await createTestApp(engine, { clock });
    acme = await seedOrg(t.app);
    admin = await signIn(t.app, acme.admin.username);
    userSecret = (await turnOnTotp(t.app, await signIn(t.app, acme.user.username), clock.now())).secret;
    adminSecret = (await turnOnTotp(t.app, admin, clock.now())).secret;
    clock.advance(30_000);
  });
  afterEach(() => t.close());

  const enforce = async (allowAdminPasswordLogin: boolean) => {
    const response = await as(t.app, admin).put('/api/org/sso', {
      issuer: 'https://login.acme.test',
      clientId: 'vault',
      clientSecret: 'secret',
      emailDomains: ['acme.test'],
      autoCreateUsers: false,
      enforced: true,
      allowAdminPasswordLogin,
    });
    expect(response.statusCode, response.body).toBe(200);
  };

  it('refuses the code step of a login begun before SSO was enforced', async () => {
    const mfaToken = await mfaTokenOf(t.app, acme.user.username);
    await enforce(false);
    const finished = await finishLogin(t.app, mfaToken, codeAt(userSecret, clock.now()));
    expect(finished.statusCode).toBe(403);
    expect(finished.json().error.code).toBe('SSO_REQUIRED');
  });

  it('records a break-glass admin’s login once its code finished it, with the session', async () => {
    await enforce(true);
    const mfaToken = await mfaTokenOf(t.app, acme.admin.username);
    expect(await activitiesNamed(t.app, admin, 'sso.break_glass_login')).toEqual([]);
    const finished = await finishLogin(t.app, mfaToken, codeAt(adminSecret, clock.now()));
    expect(finished.statusCode, finished.body).toBe(200);
    expect(finished.json().session.mfa).toBe(true);
    const [glass, ...more] = await activitiesNamed(t.app, admin, 'sso.break_glass_login');
    expect(more).toEqual([]);
    expect(glass).toMatchObject({ username: acme.admin.username, sessionId: finished.json().session.id });
  });
});
