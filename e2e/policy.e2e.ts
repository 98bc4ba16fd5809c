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
  it('shows an admin the defaults, refuses a value out of bounds at its field, and saves the policy', async () => {
    const { context, page, problems } = await openTab(browser);
    await logInThroughForm(page, baseUrl, ADMIN.username, ADMIN.password);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Session policy' }).waitFor();

    const idle = page.getByLabel('Idle timeout (minutes)');
    expect(await idle.getAttribute('placeholder')).toBe('30 (default)');
    expect(await page.getByLabel('Sessions per user').getAttribute('placeholder')).toBe('No limit');

    await idle.fill('0');
    await page.getByRole('button', { name: 'Save policy' }).click();
    await expect.poll(() => idle.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#idle-minutes-error').innerText()).toBe('0 is outside 1 to 10,080.');

    await idle.fill('45');
    await page.getByLabel('Sessions per user').fill('500');
    await page.getByLabel('At the limit, a new login').selectOption('deny');
    await page.getByRole('button', { name: 'Save policy' }).click();
    await page.getByText(/^Session policy saved: /).waitFor();

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
    expect(problems.messages).toEqual([]);
    await context.close();
  });

  it('refuses a typo at its field without saving, reads "1,000" as a thousand, sends only what changed, and refuses a save over another admin’s change', async () => {
    await admin.request('PUT', '/api/org/policy', { ...RESET, maxSessionsPerUser: 20 });
    const { context, page, problems } = await openTab(browser);
    const puts: unknown[] = [];
    page.on('request', (request) => {
      if (request.method() === 'PUT' && request.url().endsWith('/api/org/policy'))
        puts.push(request.postDataJSON());
    });
    await logInThroughForm(page, baseUrl, ADMIN.username, ADMIN.password);
    await page.goto(`${baseUrl}/settings`);
    await page.getByRole('heading', { name: 'Session policy' }).waitFor();
    const idle = page.getByLabel('Idle timeout (minutes)');
    const limit = page.getByLabel('Sessions per user');
    await expect.poll(() => limit.inputValue()).toBe('20');
    const before = await admin.request('GET', '/api/org/policy');

    await idle.fill('30m');
    await page.getByRole('button', { name: 'Save policy' }).click();
    await expect.poll(() => idle.getAttribute('aria-invalid')).toBe('true');
    // The reason is read with the field: its description names the error first.
    const describedBy = (await idle.getAttribute('aria-describedby'))?.split(' ') ?? [];
    expect(await page.locator(`#${describedBy[0]}`).innerText()).toBe(
      'Enter a whole number from 1 to 10,080.',
    );
    await expect.poll(() => page.evaluate<string>('document.activeElement?.id')).toBe('idle-minutes');
    await page.screenshot({ path: screenshotPath('settings-session-policy-refused'), fullPage: true });
    expect(puts).toEqual([]);
    expect(await admin.request('GET', '/api/org/policy')).toEqual(before);

    // Another admin changes the policy meanwhile: this form's save is refused, not laid over it.
    const { version } = before as { version: number };
    await admin.request('PUT', '/api/org/policy', { onLimit: 'deny' });
    await idle.fill('');
    expect(await idle.getAttribute('aria-invalid')).toBe('false');
    await limit.fill('1,000');
    await page.getByRole('button', { name: 'Save policy' }).click();
    await page.getByText('Someone else changed the policy; reload to see their change.').waitFor();
    expect(puts).toEqual([{ maxSessionsPerUser: 1000, version }]);
    expect(await admin.request('GET', '/api/org/policy')).toMatchObject({ maxSessionsPerUser: 20 });
    await page.screenshot({ path: screenshotPath('settings-session-policy-conflict'), fullPage: true });

    // Reloaded, the form shows the other admin's change; the save from there goes through.
    await page.getByRole('button', { name: 'Reload' }).click();
    await expect.poll(() => page.getByLabel('At the limit, a new login').inputValue()).toBe('deny');
    expect(await limit.inputValue()).toBe('20');
    await limit.fill('1,000');
    await page.getByRole('button', { name: 'Save policy' }).click();
    await page.getByText('Session policy saved: sessions per user 1,000.').waitFor();
    expect(puts).toEqual([
      { maxSessionsPerUser: 1000, version },
      { maxSessionsPerUser: 1000, version: version + 1 },
    ]);
    expect(await admin.request('GET', '/api/org/policy')).toMatchObject({
      maxSessionsPerUser: 1000,
      onLimit: 'deny',
      usesDefault: { idleMinutes: true },
    });
    expect(await page.getByLabel('At the limit, a new login').inputValue()).toBe('deny');
    expect(await limit.inputValue()).toBe('1000');
    // The only console error is the browser's own note about the refused (stale) save.
    expect(problems.messages).toHaveLength(1);
    expect(problems.messages[0]).toMatch(/status of 409/);
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
