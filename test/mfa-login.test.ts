import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { operatorActor } from '../src/kernel/actor.js';
import { TestClock } from './helpers/clock.js';
import { describeEachEngine } from './helpers/engines.js';
import { as, PASSWORD, type SeededOrg, type SignedIn, seedOrg, signIn } from './helpers/factories.js';
import {
  activitiesNamed,
  codeAt,
  finishLogin,
  mfaTokenOf,
  passwordLogin,
  sessionCookieOf,
  statuses,
  turnOnTotp,
} from './helpers/mfa.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const STEP_MS = 30_000;

describeEachEngine('TOTP login', (engine) => {
  let t: TestApp;
  let clock: TestClock;
  let acme: SeededOrg;
  let admin: SignedIn;
  let secret: string;
  let recoveryCodes: string[];

  beforeEach(async () => {
    clock = new TestClock();
    t = await createTestApp(engine, { clock });
    acme = await seedOrg(t.app);
    admin = await signIn(t.app, acme.admin.username);
    ({ secret, recoveryCodes } = await turnOnTotp(
      t.app,
      await signIn(t.app, acme.user.username),
      clock.now(),
    ));
    // The next step: the confirmation used the current one.
    clock.advance(STEP_MS);
  });
  afterEach(() => t.close());

  const mfaSessionsOfUser = async () =>
    (
      await t.database.db
        .selectFrom('sessions')
        .select('id')
        .where('userId', '=', acme.user.id)
        .where('mfa', '=', 1)
        .execute()
    ).length;
  const token = (ip?: string) => mfaTokenOf(t.app, acme.user.username, 'MFA_REQUIRED', ip);

  it('answers the password with MFA_REQUIRED and no session cookie; the code opens an mfa session', async () => {
    const password = await passwordLogin(t.app, acme.user.username);
    expect(password.statusCode).toBe(401);
    expect(password.json().error.code).toBe('MFA_REQUIRED');
    expect(password.json().mfaToken).toEqual(expect.any(String));
    expect(sessionCookieOf(password)).toBeUndefined();
    expect(await mfaSessionsOfUser()).toBe(0);

    const finished = await finishLogin(t.app, password.json().mfaToken, codeAt(secret, clock.now()));
    expect(finished.statusCode, finished.body).toBe(200);
    expect(finished.json().user.username).toBe(acme.user.username);
    expect(finished.json().session).toMatchObject({
      loginMethod: 'password',
      mfa: true,
      identityProvider: null,
    });
    const cookie = sessionCookieOf(finished);
    const me = await t.app.inject({
      method: 'GET',
      url: '/api/me',
      headers: { cookie: `${cookie?.name}=${cookie?.value}` },
    });
    expect(me.json().session.mfa).toBe(true);
    const [login] = await activitiesNamed(t.app, admin, 'user.login');
    expect(login?.details).toEqual({ method: 'password', mfa: true });
  });

  it('refuses a code used once already, and any older one, as a failed login', async () => {
    const code = codeAt(secret, clock.now());
    expect((await finishLogin(t.app, await token(), code)).statusCode).toBe(200);
    const replay = await finishLogin(t.app, await token(), code);
    expect(replay.statusCode).toBe(401);
    expect(replay.json().error.code).toBe('INVALID_MFA_CODE');
    expect(sessionCookieOf(replay)).toBeUndefined();
    // The previous step lies in the window, but is older than the one used.
    const older = await finishLogin(t.app, await token(), codeAt(secret, clock.now() - STEP_MS));
    expect(older.json().error.code).toBe('INVALID_MFA_CODE');
    const failed = await activitiesNamed(t.app, admin, 'user.login_failed');
    expect(failed.map((a) => a.details)).toEqual([
      { reason: 'invalid_mfa_code' },
      { reason: 'invalid_mfa_code' },
    ]);
  });

  it('accepts a code of the step before or after now, never two steps off', async () => {
    // Clear of the step the confirmation used.
    clock.advance(STEP_MS);
    const now = clock.now();
    for (const off of [-2, 2]) {
      const response = await finishLogin(t.app, await token(), codeAt(secret, now + off * STEP_MS));
      expect(response.json().error.code, `step ${off}`).toBe('INVALID_MFA_CODE');
    }
    for (const off of [-1, 1]) {
      const response = await finishLogin(t.app, await token(), codeAt(secret, now + off * STEP_MS));
      expect(response.statusCode, `step ${off}`).toBe(200);
    }
  });

  it('lets a wrong code be followed by a right one on the same token', async () => {
    const mfaToken = await token();
    expect((await finishLogin(t.app, mfaToken, '000000')).json().error.code).toBe('INVALID_MFA_CODE');
    // As the apps show it: in two groups of three.
    const code = codeAt(secret, clock.now());
    expect((await finishLogin(t.app, mfaToken, `${code.slice(0, 3)} ${code.slice(3)}`)).statusCode).toBe(200);
  });

  it('takes a recovery code once, however it is typed, and records its use', async () => {
    const [first, second] = recoveryCodes as [string, string];
    const used = await finishLogin(t.app, await token(), first.toUpperCase().replaceAll('-', ' '));
    expect(used.statusCode, used.body).toBe(200);
    expect(used.json().session.mfa).toBe(true);
    expect((await finishLogin(t.app, await token(), first)).json().error.code).toBe('INVALID_MFA_CODE');
    const [event] = await activitiesNamed(t.app, admin, 'mfa.recovery_code_used');
    expect(event).toMatchObject({ username: acme.user.username, details: { recoveryCodesLeft: 9 } });
    const status = await t.app.inject({
      method: 'GET',
      url: '/api/me/mfa',
      headers: { cookie: `${sessionCookieOf(used)?.name}=${sessionCookieOf(used)?.value}` },
    });
    expect(status.json()).toEqual({ totp: true, recoveryCodesLeft: 9 });
    expect((await finishLogin(t.app, await token(), second)).statusCode).toBe(200);
  });

  it('refuses an unknown token, and a token past its 5 minutes', async () => {
    const unknown = await finishLogin(t.app, 'no-such-token', codeAt(secret, clock.now()));
    expect(unknown.json().error.code).toBe('MFA_TOKEN_INVALID');
    const mfaToken = await token();
    clock.advance(5 * 60_000);
    const late = await finishLogin(t.app, mfaToken, codeAt(secret, clock.now()));
    expect(late.statusCode).toBe(401);
    expect(late.json().error.code).toBe('MFA_TOKEN_INVALID');
    expect(await mfaSessionsOfUser()).toBe(0);
  });

  it('finishes no login of a user disabled between the password and the code', async () => {
    const mfaToken = await token();
    const disabled = await as(t.app, admin).patch(`/api/users/${acme.user.id}`, { disabled: true });
    expect(disabled.statusCode, disabled.body).toBe(200);
    const late = await finishLogin(t.app, mfaToken, codeAt(secret, clock.now()));
    expect(late.json().error.code).toBe('MFA_TOKEN_INVALID');
    expect(await mfaSessionsOfUser()).toBe(0);
  });

  describe('under concurrency', () => {
    it('finishes one login of 50 finishes at once with one token and a valid code; the token is spent', async () => {
      const mfaToken = await token();
      const code = codeAt(secret, clock.now());
      const answers = await Promise.all(Array.from({ length: 50 }, () => finishLogin(t.app, mfaToken, code)));
      expect(answers.filter((a) => a.statusCode === 200)).toHaveLength(1);
      expect(answers.filter((a) => a.statusCode >= 500)).toHaveLength(0);
      expect(await mfaSessionsOfUser()).toBe(1);
      clock.advance(STEP_MS);
      const again = await finishLogin(t.app, mfaToken, codeAt(secret, clock.now()));
      expect(again.json().error.code).toBe('MFA_TOKEN_INVALID');
    });

    it('takes one code once of 50 submissions at once on 50 tokens', async () => {
      const tokens = await Promise.all(Array.from({ length: 50 }, (_, i) => token(`198.51.100.${i + 1}`)));
      const code = codeAt(secret, clock.now());
      const answers = await Promise.all(
        tokens.map((mfaToken, i) => finishLogin(t.app, mfaToken, code, `198.51.100.${i + 1}`)),
      );
      expect(answers.filter((a) => a.statusCode === 200)).toHaveLength(1);
      expect(answers.filter((a) => a.statusCode >= 500)).toHaveLength(0);
      expect(await mfaSessionsOfUser()).toBe(1);
    });

    it('checks 10 of 50 wrong codes at once, as wrong passwords, and then refuses even the right code', async () => {
      const tokens = await Promise.all(Array.from({ length: 50 }, () => token()));
      const answers = await Promise.all(tokens.map((mfaToken) => finishLogin(t.app, mfaToken, '000000')));
      expect(statuses(answers)).toEqual({ '401 INVALID_MFA_CODE': 10, '429 RATE_LIMITED': 40 });
      expect(await activitiesNamed(t.app, admin, 'user.login_failed')).toHaveLength(10);
      // The lockout is recorded (settles marked at the same moment may each see it: password-guesses.ts).
      expect((await activitiesNamed(t.app, admin, 'user.locked_out')).length).toBeGreaterThanOrEqual(1);
      const right = await finishLogin(t.app, tokens[0] as string, codeAt(secret, clock.now()));
      expect(right.statusCode).toBe(429);
      expect(await mfaSessionsOfUser()).toBe(0);
    });

    it('counts wrong codes from one address against its budget, across users', async () => {
      // 30 a window per address: four users' 10 each from one address leave the last ten refused.
      const users = [acme.user.username];
      for (let i = 0; i < 3; i++) {
        const other = await t.app.services.accounts.createUser(operatorActor(acme.orgId), {
          username: `extra-${i}-${acme.user.username}`,
          password: PASSWORD,
          role: 'user',
        });
        await turnOnTotp(t.app, await signIn(t.app, other.username), clock.now());
        users.push(other.username);
      }
      const ip = '192.0.2.77';
      const tokens = await Promise.all(
        users.flatMap((u) => Array.from({ length: 10 }, () => mfaTokenOf(t.app, u, 'MFA_REQUIRED', ip))),
      );
      const answers = await Promise.all(tokens.map((mfaToken) => finishLogin(t.app, mfaToken, '000000', ip)));
      expect(statuses(answers)).toEqual({ '401 INVALID_MFA_CODE': 30, '429 RATE_LIMITED': 10 });
    });
  });
});
