import { afterEach, beforeEach, expect, it } from 'vitest';
import { TestClock } from './helpers/clock.js';
import { describeEachEngine } from './helpers/engines.js';
import { as, type SeededOrg, type SignedIn, seedOrg, signIn } from './helpers/factories.js';
import { activitiesNamed, codeAt, mfaTokenOf, passwordLogin, turnOnTotp } from './helpers/mfa.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const STEP_MS = 30_000;

describeEachEngine('TOTP enrolment', (engine) => {
  let t: TestApp;
  let clock: TestClock;
  let acme: SeededOrg;
  let admin: SignedIn;
  let user: SignedIn;

  beforeEach(async () => {
    clock = new TestClock();
    t = await createTestApp(engine, { clock });
    acme = await seedOrg(t.app);
    admin = await signIn(t.app, acme.admin.username);
    user = await signIn(t.app, acme.user.username);
  });
  afterEach(() => t.close());

  it('enrols with a secret and its otpauth URL, stores it sealed, and turns on with a code', async () => {
    const enrolled = await as(t.app, user).post('/api/me/mfa/totp', {});
    expect(enrolled.statusCode, enrolled.body).toBe(200);
    const { secret, otpauthUrl } = enrolled.json();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const url = new URL(otpauthUrl);
    expect(url.protocol).toBe('otpauth:');
    expect(url.searchParams.get('secret')).toBe(secret);
    expect(url.searchParams.get('issuer')).toBe('Vault Sessions');
    expect(decodeURIComponent(url.pathname)).toContain(acme.user.username);
    const stored = await t.database.db.selectFrom('totpFactors').selectAll().executeTakeFirstOrThrow();
    expect(stored.secret).not.toContain(secret);

    // Pending: it guards no login yet.
    expect((await as(t.app, user).get('/api/me/mfa')).json()).toEqual({ totp: false, recoveryCodesLeft: 0 });
    expect((await passwordLogin(t.app, acme.user.username)).statusCode).toBe(200);

    const wrong = await as(t.app, user).post('/api/me/mfa/totp/confirm', {
      code: codeAt(secret, clock.now() + 3 * STEP_MS),
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('INVALID_MFA_CODE');
    const confirmed = await as(t.app, user).post('/api/me/mfa/totp/confirm', {
      code: codeAt(secret, clock.now()),
    });
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    const { recoveryCodes } = confirmed.json();
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    for (const code of recoveryCodes) expect(code).toMatch(/^[0-9a-z]{4}(-[0-9a-z]{4}){3}$/);
    const hashes = await t.database.db.selectFrom('recoveryCodes').select('codeHash').execute();
    expect(hashes.map((h) => h.codeHash)).not.toContain(recoveryCodes[0]);

    expect((await as(t.app, user).get('/api/me/mfa')).json()).toEqual({ totp: true, recoveryCodesLeft: 10 });
    expect((await as(t.app, user).post('/api/me/mfa/totp', {})).statusCode).toBe(409);
    expect((await passwordLogin(t.app, acme.user.username)).json().error.code).toBe('MFA_REQUIRED');
    const [enabled] = await activitiesNamed(t.app, admin, 'mfa.enabled');
    expect(enabled).toMatchObject({ username: acme.user.username, status: 'success' });
  });

  it('replaces a pending secret with a new enrolment: only the newest one confirms', async () => {
    const first = (await as(t.app, user).post('/api/me/mfa/totp', {})).json().secret;
    const second = (await as(t.app, user).post('/api/me/mfa/totp', {})).json().secret;
    expect(second).not.toBe(first);
    const old = await as(t.app, user).post('/api/me/mfa/totp/confirm', { code: codeAt(first, clock.now()) });
    expect(old.json().error.code).toBe('INVALID_MFA_CODE');
    const fresh = await as(t.app, user).post('/api/me/mfa/totp/confirm', {
      code: codeAt(second, clock.now()),
    });
    expect(fresh.statusCode).toBe(200);
  });

  it('turns off only with a good code (TOTP or recovery), as an activity', async () => {
    const { secret, recoveryCodes } = await turnOnTotp(t.app, user, clock.now());
    clock.advance(STEP_MS);
    const wrong = await as(t.app, user).delete('/api/me/mfa/totp', { code: '123456' });
    expect(wrong.json().error.code).toBe('INVALID_MFA_CODE');
    expect((await as(t.app, user).get('/api/me/mfa')).json().totp).toBe(true);
    const off = await as(t.app, user).delete('/api/me/mfa/totp', { code: codeAt(secret, clock.now()) });
    expect(off.statusCode, off.body).toBe(204);
    expect((await as(t.app, user).get('/api/me/mfa')).json()).toEqual({ totp: false, recoveryCodesLeft: 0 });
    expect((await passwordLogin(t.app, acme.user.username)).statusCode).toBe(200);
    expect((await as(t.app, user).delete('/api/me/mfa/totp', { code: recoveryCodes[0] })).statusCode).toBe(
      409,
    );

    const again = await turnOnTotp(t.app, user, clock.now());
    const byRecovery = await as(t.app, user).delete('/api/me/mfa/totp', { code: again.recoveryCodes[3] });
    expect(byRecovery.statusCode).toBe(204);
    const disabled = await activitiesNamed(t.app, admin, 'mfa.disabled');
    expect(disabled.map((a) => [a.status, a.details])).toEqual([
      ['success', { factor: 'totp', confirmedWith: 'recovery_code' }],
      ['success', { factor: 'totp', confirmedWith: 'totp' }],
      ['failure', { reason: 'invalid_mfa_code' }],
    ]);
    expect(await activitiesNamed(t.app, admin, 'user.login_failed')).toEqual([]);
  });

  it('with requireMfa, sends a user without TOTP to enrol with a token that does nothing else', async () => {
    const policy = await as(t.app, admin).put('/api/org/policy', { requireMfa: true });
    expect(policy.statusCode, policy.body).toBe(200);
    const password = await passwordLogin(t.app, acme.user.username);
    expect(password.statusCode).toBe(401);
    expect(password.json().error.code).toBe('MFA_ENROLLMENT_REQUIRED');
    expect(password.cookies.find((c) => c.name === 'vault_session')).toBeUndefined();
    const { mfaToken } = password.json();

    // Not a second factor for the login, nor a session.
    const finish = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login/mfa',
      payload: { mfaToken, code: '123456' },
    });
    expect(finish.json().error.code).toBe('MFA_TOKEN_INVALID');
    const me = await t.app.inject({
      method: 'GET',
      url: '/api/me',
      headers: { authorization: `Bearer ${mfaToken}` },
    });
    expect(me.statusCode).toBe(401);

    const enrol = (body: object) => t.app.inject({ method: 'POST', url: '/api/me/mfa/totp', payload: body });
    const confirm = (body: object) =>
      t.app.inject({ method: 'POST', url: '/api/me/mfa/totp/confirm', payload: body });
    expect((await enrol({})).json().error.code).toBe('NOT_AUTHENTICATED');
    expect((await enrol({ mfaToken: 'forged' })).json().error.code).toBe('MFA_TOKEN_INVALID');
    const { secret } = (await enrol({ mfaToken })).json();
    const wrong = await confirm({ mfaToken, code: codeAt(secret, clock.now() + 5 * STEP_MS) });
    expect(wrong.json().error.code).toBe('INVALID_MFA_CODE');
    const done = await confirm({ mfaToken, code: codeAt(secret, clock.now()) });
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json().recoveryCodes).toHaveLength(10);
    expect(done.json().user.username).toBe(acme.user.username);
    expect(done.json().session).toMatchObject({ mfa: true, loginMethod: 'password' });
    const cookie = done.cookies.find((c) => c.name === 'vault_session');
    const signedIn = await t.app.inject({
      method: 'GET',
      url: '/api/me',
      headers: { cookie: `vault_session=${cookie?.value}` },
    });
    expect(signedIn.json().session.id).toBe(done.json().session.id);

    expect((await confirm({ mfaToken, code: codeAt(secret, clock.now() + STEP_MS) })).json().error.code).toBe(
      'MFA_TOKEN_INVALID',
    );
    expect((await enrol({ mfaToken })).json().error.code).toBe('MFA_TOKEN_INVALID');
    expect((await passwordLogin(t.app, acme.user.username)).json().error.code).toBe('MFA_REQUIRED');
    // A token lives five minutes.
    await as(t.app, admin).put('/api/org/policy', { requireMfa: true });
    const late = await mfaTokenOf(t.app, acme.admin.username, 'MFA_ENROLLMENT_REQUIRED');
    clock.advance(5 * 60_000);
    expect((await enrol({ mfaToken: late })).json().error.code).toBe('MFA_TOKEN_INVALID');
  });

  it('lets an admin reset a user’s TOTP in their own org only, as an activity', async () => {
    await turnOnTotp(t.app, user, clock.now());
    const other = await seedOrg(t.app);
    const otherAdmin = await signIn(t.app, other.admin.username);
    const foreign = await as(t.app, otherAdmin).delete(`/api/users/${acme.user.id}/mfa`);
    expect(foreign.statusCode).toBe(404);
    expect((await as(t.app, user).delete(`/api/users/${acme.user.id}/mfa`)).statusCode).toBe(403);
    expect((await passwordLogin(t.app, acme.user.username)).json().error.code).toBe('MFA_REQUIRED');

    const reset = await as(t.app, admin).delete(`/api/users/${acme.user.id}/mfa`);
    expect(reset.statusCode, reset.body).toBe(200);
    expect(reset.json()).toEqual({ removed: true });
    expect((await passwordLogin(t.app, acme.user.username)).statusCode).toBe(200);
    const [event] = await activitiesNamed(t.app, admin, 'mfa.reset');
    expect(event).toMatchObject({ username: acme.admin.username, target: acme.user.username });
    expect(await activitiesNamed(t.app, otherAdmin, 'mfa.reset')).toEqual([]);
    expect((await as(t.app, admin).delete(`/api/users/${acme.user.id}/mfa`)).json()).toEqual({
      removed: false,
    });
  });
});
