import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { STREAM_HEARTBEAT_MS } from '../src/sessions/stream.routes.ts';
import { adminLogin, createUser } from './helpers/api.ts';
import { launchChromium, logInThroughForm, openTab } from './helpers/browser.ts';

/**
 * How long the other tab may take to reach the login page: a third of the stream's own re-check,
 * so getting there at all means the change was pushed. How long it took is printed, not asserted.
 */
const PUSH_WAIT_MS = STREAM_HEARTBEAT_MS / 3;

const baseUrl = inject('baseUrl');
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe('Login and the Profile menu', () => {
  it('the login page says "wrong username or password" and, when rate-limited, when to try again', async () => {
    const admin = await adminLogin(baseUrl);
    const user = await createUser(admin, 'typo');
    const { context, page, problems } = await openTab(browser);
    await page.goto(`${baseUrl}/sessions`);
    await page.waitForURL(/\/login$/);
    await page.getByLabel('Username').fill(user.username);
    await page.getByLabel('Password').fill('not the password at all');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Wrong username or password.' }).waitFor();
    expect(await page.getByLabel('Password').inputValue()).toBe('');

    // The server's 429 (10 failures per username in 15 min) is answered the same way every time.
    await page.route('**/api/auth/login', (route) =>
      route.fulfill({
        status: 429,
        headers: { 'content-type': 'application/json', 'retry-after': '540' },
        body: JSON.stringify({ error: { code: 'RATE_LIMITED', message: 'Too many attempts' } }),
      }),
    );
    await page.getByLabel('Password').fill('another wrong one');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: 'Too many failed login attempts. Try again in 9 minutes.' })
      .waitFor();
    await page.unroute('**/api/auth/login');

    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Session Information' }).waitFor();
    // The only console errors are the browser's own notes about the two refused logins.
    expect(problems.messages.every((m) => /status of (401|429)/.test(m))).toBe(true);
    await context.close();
  });

  it('the Profile menu works from the keyboard, and Log out returns to the login page', async () => {
    const admin = await adminLogin(baseUrl);
    const user = await createUser(admin, 'keys');
    const { context, page, problems } = await openTab(browser);
    await logInThroughForm(page, baseUrl, user.username, user.password);

    const button = page.getByRole('button', { name: `Profile: ${user.username}` });
    await button.focus();
    await page.keyboard.press('Enter');
    const menu = page.getByRole('menu', { name: 'Profile' });
    await menu.waitFor();
    const items = await menu.getByRole('menuitem').allInnerTexts();
    expect(items).toEqual([
      'Session Information',
      'Activity Log',
      'Change password',
      'Two-factor authentication',
      'Log out',
    ]);
    expect(await page.locator(':focus').textContent()).toBe('Session Information');
    await page.keyboard.press('ArrowDown');
    expect(await page.locator(':focus').textContent()).toBe('Activity Log');
    await page.keyboard.press('Escape');
    expect(await menu.isVisible()).toBe(false);
    expect(await page.locator(':focus').getAttribute('aria-haspopup')).toBe('menu');

    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Activity Log' }).waitFor();

    await button.click();
    await page.getByRole('menuitem', { name: 'Log out' }).click();
    await page.waitForURL(/\/login\?reason=signed_out/);
    await page.getByText('You have logged out').waitFor();
    await page.goto(`${baseUrl}/activity`);
    await page.waitForURL(/\/login/);
    expect(problems.messages).toEqual([]);
    await context.close();
  });

  it("changing the password keeps this tab and sends the user's other tab to the login page", async () => {
    const admin = await adminLogin(baseUrl);
    const user = await createUser(admin, 'pwd');
    const here = await openTab(browser);
    const there = await openTab(browser);
    await logInThroughForm(here.page, baseUrl, user.username, user.password);
    await logInThroughForm(there.page, baseUrl, user.username, user.password);
    await there.page.getByText('Live', { exact: true }).waitFor();

    const { page } = here;
    await page.getByRole('button', { name: `Profile: ${user.username}` }).click();
    await page.getByRole('menuitem', { name: 'Change password' }).click();
    const dialog = page.getByRole('dialog', { name: 'Change password' });
    await dialog.getByLabel('Current password').fill(user.password);
    await dialog.getByLabel('New password', { exact: true }).fill('short');
    await dialog.getByLabel('Repeat the new password').fill('short');
    await dialog.getByRole('button', { name: 'Change password' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'at least 12 characters' }).waitFor();

    const fresh = 'a brand new passphrase 42';
    await dialog.getByLabel('New password', { exact: true }).fill(fresh);
    await dialog.getByLabel('Repeat the new password').fill(fresh);
    const clicked = Date.now();
    await dialog.getByRole('button', { name: 'Change password' }).click();
    await there.page.waitForURL(/\/login\?reason=password_changed/, { timeout: PUSH_WAIT_MS });
    console.info(`the other tab reached the login page ${Date.now() - clicked} ms after the change`);
    await there.page.getByText('Your password was changed').waitFor();
    await dialog.getByText('Password changed').waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();

    // This tab stays logged in; the other logs in with the new password.
    await page.reload();
    await page.getByRole('heading', { name: 'Session Information' }).waitFor();
    await there.page.getByLabel('Username').fill(user.username);
    await there.page.getByLabel('Password').fill(fresh);
    await there.page.getByRole('button', { name: 'Log in' }).click();
    await there.page.getByRole('heading', { name: 'Session Information' }).waitFor();
    expect(here.problems.messages).toEqual([]);
    expect(there.problems.messages).toEqual([]);
    await here.context.close();
    await there.context.close();
  });
});
