import { Secret, TOTP } from 'otpauth';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { adminLogin, createUser } from './helpers/api.ts';
import { launchChromium, logInThroughForm, openTab } from './helpers/browser.ts';
import { ADMIN } from './helpers/server.ts';

const baseUrl = inject('baseUrl');
let browser: Browser;

/** The code an authenticator app would show `offsetSteps` steps from now. */
const codeFor = (secret: string, offsetSteps = 0) =>
  TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: Date.now() + offsetSteps * 30_000 });

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe('Two-factor authentication', () => {
  it('is set up from the Profile menu (QR and key), then asked for at the next login', async () => {
    const admin = await adminLogin(baseUrl);
    const user = await createUser(admin, 'totp');
    const { context, page, problems } = await openTab(browser);
    await logInThroughForm(page, baseUrl, user.username, user.password);

    await page.getByRole('button', { name: `Profile: ${user.username}` }).click();
    await page.getByRole('menuitem', { name: 'Two-factor authentication' }).click();
    const dialog = page.getByRole('dialog', { name: 'Two-factor authentication' });
    await dialog.getByRole('button', { name: 'Set up two-factor authentication' }).click();
    await dialog.getByRole('img', { name: 'QR code of the two-factor secret' }).waitFor();
    const secret = (await dialog.getByTestId('totp-secret').getAttribute('data-secret')) ?? '';
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    // What is shown for typing is the same key, in groups of four.
    expect((await dialog.getByTestId('totp-secret').textContent())?.replaceAll(' ', '')).toBe(secret);
    await dialog.screenshot({ path: '/tmp/mfa-enrolment.png' });

    await dialog.getByLabel('Code from the app').fill(codeFor(secret));
    await dialog.getByRole('button', { name: 'Turn on' }).click();
    const codes = dialog.getByTestId('recovery-codes').getByRole('listitem');
    await codes.first().waitFor();
    expect(await codes.count()).toBe(10);
    await dialog.screenshot({ path: '/tmp/mfa-recovery-codes.png' });
    await dialog.getByRole('button', { name: 'I saved my codes' }).click();

    await page.getByRole('button', { name: `Profile: ${user.username}` }).click();
    await page.getByRole('menuitem', { name: 'Log out' }).click();
    await page.waitForURL(/\/login/);
    await page.getByLabel('Username').fill(user.username);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    const field = page.getByLabel('Authentication code');
    await field.waitFor();
    expect(await field.getAttribute('autocomplete')).toBe('one-time-code');
    await page.locator('.login-card').screenshot({ path: '/tmp/mfa-login-step.png' });

    await field.fill('000000');
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('alert').filter({ hasText: 'That code is not right' }).waitFor();
    // The enrolment used this step's code: the next step's is the one that is new (±1 step).
    await field.fill(codeFor(secret, 1));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'Session Information' }).waitFor();
    // The browser's own notes about the refused steps (401) are the only console errors.
    expect(problems.messages.every((m) => /status of 401/.test(m))).toBe(true);
    await context.close();
  });

  it('with the org requiring it, a user without it sets it up right after the password and is signed in', async () => {
    const admin = await adminLogin(baseUrl);
    const user = await createUser(admin, 'must');
    await admin.request('PUT', '/api/org/policy', { requireMfa: true });
    try {
      const { context, page } = await openTab(browser);
      await page.goto(`${baseUrl}/login`);
      await page.getByLabel('Username').fill(user.username);
      await page.getByLabel('Password').fill(user.password);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('heading', { name: 'Set up two-factor authentication' }).waitFor();
      await page.getByRole('img', { name: 'QR code of the two-factor secret' }).waitFor();
      const secret = (await page.getByTestId('totp-secret').getAttribute('data-secret')) ?? '';
      await page.locator('.login-card').screenshot({ path: '/tmp/mfa-login-enrolment.png' });
      await page.getByLabel('Code from the app').fill(codeFor(secret));
      await page.getByRole('button', { name: 'Turn on and sign in' }).click();
      const codes = page.getByTestId('recovery-codes').getByRole('listitem');
      await codes.first().waitFor();
      expect(await codes.count()).toBe(10);
      await page.getByRole('button', { name: 'I saved my codes, continue' }).click();
      await page.getByRole('heading', { name: 'Session Information' }).waitFor();

      // Lost phone: the admin (without TOTP: the policy off again, or they would enrol first)
      // resets it from the Users page.
      await admin.request('PUT', '/api/org/policy', { requireMfa: false });
      const adminTab = await openTab(browser);
      await logInThroughForm(adminTab.page, baseUrl, ADMIN.username, ADMIN.password);
      await adminTab.page.goto(`${baseUrl}/users`);
      // Other files' users share the server: find this one, whichever page it would be on.
      await adminTab.page.getByLabel('Find').fill(user.username);
      await adminTab.page.getByRole('button', { name: `Reset two-factor of ${user.username}` }).click();
      const confirm = adminTab.page.getByRole('dialog', {
        name: `Reset two-factor authentication of ${user.username}?`,
      });
      await confirm.getByRole('button', { name: 'Reset two-factor' }).click();
      await confirm.waitFor({ state: 'hidden' });
      const events = await admin.request<{ items: { target: string }[] }>(
        'GET',
        '/api/activities?activity=mfa.reset',
      );
      expect(events.items.map((e) => e.target)).toContain(user.username);
      await adminTab.context.close();
      await context.close();
    } finally {
      await admin.request('PUT', '/api/org/policy', { requireMfa: false });
    }
  });
});
