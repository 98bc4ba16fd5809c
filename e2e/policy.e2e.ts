import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type ApiSession, adminLogin, createUser } from './helpers/api.ts';
import { launchChromium, logInThroughForm, openTab, screenshotPath } from './helpers/browser.ts';
import { ADMIN } from './helpers/server.ts';

const baseUrl = inject('baseUrl');
let browser: Browser;
let admin: ApiSession;

/** The tests share one server and org: leave its policy as every other file expects it. */
const RESET = {
  idleMinutes: null,
  maxHours: null,
  maxSessionsPerUser: null,
  onLimit: 'end_oldest',
  requireMfa: false,
};

beforeAll(async () => {
  browser = await launchChromium();
  admin = await adminLogin(baseUrl);
});
afterAll(async () => {
  await admin?.request('PUT', '/api/org/policy', RESET);
  await browser?.close();
});

describe('Settings: the session policy', () => {
  it('shows an admin the defaults, explains a refused value, and saves the policy', async () => {
    const { context, page, problems } = await openTab(browser);
    await logInThroughForm(page, baseUrl, ADMIN.username, ADMIN.password);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Session policy' }).waitFor();

    const idle = page.getByLabel('Idle timeout (minutes)');
    expect(await idle.getAttribute('placeholder')).toBe('30 (default)');
    expect(await page.getByLabel('Sessions per user').getAttribute('placeholder')).toBe('No limit');

    await idle.fill('0');
    await page.getByRole('button', { name: 'Save policy' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toContain('idleMinutes must be >= 1');

    await idle.fill('45');
    await page.getByLabel('Sessions per user').fill('500');
    await page.getByLabel('At the limit, a new login').selectOption('deny');
    await page.getByRole('button', { name: 'Save policy' }).click();
    await page.getByText('Session policy saved.').waitFor();

    const stored = await admin.request<{ idleMinutes: number; maxSessionsPerUser: number; onLimit: string }>(
      'GET',
      '/api/org/policy',
    );
    expect(stored).toMatchObject({ idleMinutes: 45, maxSessionsPerUser: 500, onLimit: 'deny' });
    // A reload shows what is stored.
    await page.reload();
    await page.getByRole('heading', { name: 'Session policy' }).waitFor();
    await expect.poll(() => page.getByLabel('Idle timeout (minutes)').inputValue()).toBe('45');
    await page.screenshot({ path: screenshotPath('settings-session-policy'), fullPage: true });
    // The browser logs the refused save's 400 itself; nothing else may go wrong.
    expect(problems.messages.filter((m) => !m.includes('400'))).toEqual([]);
    await context.close();
  });

  it('shows a user no Settings link', async () => {
    const ana = await createUser(admin, 'ana');
    const { context, page } = await openTab(browser);
    await logInThroughForm(page, baseUrl, ana.username, ana.password);
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Activity Log' }).waitFor();
    expect(await nav.getByRole('link', { name: 'Settings' }).count()).toBe(0);
    await context.close();
  });
});
