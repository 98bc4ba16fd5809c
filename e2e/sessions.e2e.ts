import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { STREAM_HEARTBEAT_MS } from '../src/sessions/stream.routes.ts';
import { adminLogin, apiLogin, createUser, USER_AGENTS } from './helpers/api.ts';
import { launchChromium, logInThroughForm, openTab } from './helpers/browser.ts';
import { ADMIN } from './helpers/server.ts';

/**
 * How long a tab may take to reach the login page before the test gives up: a third of the
 * stream's own re-check, so getting there at all means the Logout was pushed. The one-second
 * promise is a timing: printed, not asserted, so a loaded machine cannot fail a correct build.
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

interface SessionRow {
  id: string;
  userId: string;
}

describe('Session Information', () => {
  it("an admin logs out a user's session and the user's open tab is sent to the login page by push", async () => {
    const admin = await adminLogin(baseUrl);
    const user = await createUser(admin, 'ulla');
    const adminTab = await openTab(browser);
    const userTab = await openTab(browser);
    await logInThroughForm(userTab.page, baseUrl, user.username, user.password);
    await userTab.page.getByText('Live', { exact: true }).waitFor();
    await logInThroughForm(adminTab.page, baseUrl, ADMIN.username, ADMIN.password);

    const { page } = adminTab;
    await page.getByLabel('User', { exact: true }).selectOption({ label: user.username });
    await page.waitForURL(/\/sessions\?userId=/);
    const rows = page.locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(1);
    await expect.poll(() => rows.first().innerText()).toContain(user.username);
    await rows.first().getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Logout (1)' }).click();
    const dialog = page.getByRole('dialog', { name: 'Log out 1 session?' });
    await dialog.waitFor();
    expect(await dialog.innerText()).toContain(`1 session of ${user.username}`);

    const clicked = Date.now();
    await dialog.getByRole('button', { name: 'Log out 1 session' }).click();
    await userTab.page.waitForURL(/\/login\?reason=terminated/, { timeout: PUSH_WAIT_MS });
    console.info(`the user's tab reached the login page ${Date.now() - clicked} ms after the Logout click`);
    await userTab.page.getByRole('status').filter({ hasText: 'Your session was ended' }).waitFor();

    // The admin's list follows (sessions-changed), and the session is over for real.
    await page.getByText('No sessions match').waitFor();
    await userTab.page.reload();
    await userTab.page.getByRole('heading', { name: 'Log in to Vault' }).waitFor();
    expect(adminTab.problems.messages).toEqual([]);
    expect(userTab.problems.messages).toEqual([]);
    await adminTab.context.close();
    await userTab.context.close();
  });

  it('Logout ends several selected sessions after a confirmation naming how many of which users', async () => {
    const admin = await adminLogin(baseUrl);
    const first = await createUser(admin, 'multi');
    const second = await createUser(admin, 'other');
    await apiLogin(baseUrl, first.username, first.password, {
      userAgent: USER_AGENTS.windowsChrome,
      ip: '8.8.8.8',
    });
    await apiLogin(baseUrl, first.username, first.password, {
      userAgent: USER_AGENTS.iphone,
      ip: '81.2.69.142',
    });
    const kept = await apiLogin(baseUrl, first.username, first.password, { userAgent: USER_AGENTS.ipad });
    await apiLogin(baseUrl, second.username, second.password, {
      userAgent: USER_AGENTS.macSafari,
      ip: '2a02:908::1',
    });

    const tab = await openTab(browser);
    const { page } = tab;
    await logInThroughForm(page, baseUrl, ADMIN.username, ADMIN.password);
    const logout = page.getByRole('button', { name: /^Logout/ });
    expect(await logout.isDisabled()).toBe(true);

    const rowOf = (text: string) => page.locator('tbody tr').filter({ hasText: text });
    await rowOf('8.8.8.8').filter({ hasText: first.username }).getByRole('checkbox').check();
    await rowOf('81.2.69.142').filter({ hasText: first.username }).getByRole('checkbox').check();
    await rowOf(second.username).getByRole('checkbox').check();
    expect(await logout.isDisabled()).toBe(false);
    await page.getByRole('button', { name: 'Logout (3)' }).click();

    const dialog = page.getByRole('dialog', { name: 'Log out 3 sessions?' });
    await dialog.waitFor();
    const text = await dialog.innerText();
    expect(text).toContain(`2 sessions of ${first.username} and 1 session of ${second.username}`);
    expect(text).not.toContain('This device is included');
    // Cancel keeps everything; then confirm for real.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await dialog.isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Logout (3)' }).click();
    await dialog.getByRole('button', { name: 'Log out 3 sessions' }).click();
    await page.getByRole('status').filter({ hasText: 'Logged out 3 sessions' }).waitFor();

    const { sessions: firsts } = await admin.request<{ sessions: SessionRow[] }>(
      'GET',
      `/api/sessions?userId=${first.id}`,
    );
    expect(firsts.map((s) => s.id)).toEqual([kept.sessionId]);
    const { sessions: seconds } = await admin.request<{ sessions: SessionRow[] }>(
      'GET',
      `/api/sessions?userId=${second.id}`,
    );
    expect(seconds).toEqual([]);
    await expect.poll(() => rowOf(second.username).count()).toBe(0);
    expect(await logout.isDisabled()).toBe(true);
    expect(tab.problems.messages).toEqual([]);
    await tab.context.close();
  });

  it('select-all selects every row, and a new login appears live without a reload', async () => {
    const admin = await adminLogin(baseUrl);
    const user = await createUser(admin, 'live');
    const tab = await openTab(browser);
    const { page } = tab;
    await logInThroughForm(page, baseUrl, ADMIN.username, ADMIN.password);
    await page.getByText('Live', { exact: true }).waitFor();
    await page.getByLabel('User', { exact: true }).selectOption({ label: user.username });
    await page.getByText('No sessions match').waitFor();

    await apiLogin(baseUrl, user.username, user.password, {
      userAgent: USER_AGENTS.androidFirefox,
      ip: '1.1.1.1',
    });
    await apiLogin(baseUrl, user.username, user.password, {
      userAgent: USER_AGENTS.windowsChrome,
      ip: '8.8.8.8',
    });
    const rows = page.locator('tbody tr');
    await expect.poll(() => rows.count(), { timeout: 2_000 }).toBe(2);
    expect(await rows.filter({ hasText: '1.1.1.1' }).innerText()).toMatch(
      /Mobile[\s\S]*Android[\s\S]*Firefox/,
    );

    await page.getByRole('checkbox', { name: 'Select all on this page' }).check();
    expect(await page.locator('tbody input[type=checkbox]:checked').count()).toBe(2);
    await page.getByRole('button', { name: 'Logout (2)' }).waitFor();
    // Every match is on this page: nothing more to offer.
    expect(await page.getByText(/Select all \d+ sessions that match/).count()).toBe(0);
    await page.getByRole('checkbox', { name: 'Select all on this page' }).uncheck();
    expect(await page.locator('tbody input[type=checkbox]:checked').count()).toBe(0);
    expect(tab.problems.messages).toEqual([]);
    await tab.context.close();
  });

  it('a non-admin sees only their own sessions, this device marked, and can log out another of them', async () => {
    const admin = await adminLogin(baseUrl);
    const user = await createUser(admin, 'self');
    const stranger = await createUser(admin, 'stranger');
    await apiLogin(baseUrl, stranger.username, stranger.password, { ip: '8.8.8.8' });
    const phone = await apiLogin(baseUrl, user.username, user.password, {
      userAgent: USER_AGENTS.iphone,
      ip: '81.2.69.142',
    });

    const tab = await openTab(browser);
    const { page } = tab;
    await logInThroughForm(page, baseUrl, user.username, user.password);
    const rows = page.locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    const text = await page.locator('tbody').innerText();
    expect(text).not.toContain(stranger.username);
    expect(text).not.toContain(ADMIN.username);
    expect(await page.getByLabel('User', { exact: true }).count()).toBe(0);
    expect(await rows.filter({ hasText: 'This device' }).count()).toBe(1);
    expect(await rows.filter({ hasText: '81.2.69.142' }).innerText()).toContain('London');

    await rows.filter({ hasText: '81.2.69.142' }).getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Logout (1)' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.innerText()).toContain(`1 session of ${user.username}`);
    await dialog.getByRole('button', { name: 'Log out 1 session' }).click();
    await expect.poll(() => rows.count()).toBe(1);
    await expect(phone.request('GET', '/api/me')).rejects.toThrow(/401/);
    expect(tab.problems.messages).toEqual([]);
    await tab.context.close();
  });

  it('says when the list cannot be loaded, and Try again recovers', async () => {
    const tab = await openTab(browser);
    const { page } = tab;
    await logInThroughForm(page, baseUrl, ADMIN.username, ADMIN.password);
    await page.locator('tbody tr').first().waitFor();
    await page.route('**/api/sessions?*', (route) =>
      route.fulfill({
        status: 503,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          error: { code: 'DATABASE_UNAVAILABLE', message: 'The database is unavailable' },
        }),
      }),
    );
    await page.reload();
    const alert = page.getByRole('alert').filter({ hasText: 'The sessions could not be loaded' });
    await alert.waitFor();
    expect(await alert.innerText()).toContain('The database is unavailable');
    await page.unroute('**/api/sessions?*');
    await alert.getByRole('button', { name: 'Try again' }).click();
    await page.locator('tbody tr').first().waitFor();
    expect(await alert.count()).toBe(0);
    // The browser's own note about the refused request is the only console error.
    expect(tab.problems.messages.every((m) => m.includes('status of 503'))).toBe(true);
    await tab.context.close();
  });

  it('after one Logout the list is fetched once, by the change the server announces', async () => {
    const admin = await adminLogin(baseUrl);
    const user = await createUser(admin, 'once');
    await apiLogin(baseUrl, user.username, user.password, { ip: '8.8.8.8' });
    const tab = await openTab(browser);
    const { page } = tab;
    await logInThroughForm(page, baseUrl, ADMIN.username, ADMIN.password);
    await page.getByText('Live', { exact: true }).waitFor();
    await page.getByLabel('User', { exact: true }).selectOption({ label: user.username });
    const rows = page.locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(1);

    let listFetches = 0;
    page.on('request', (request) => {
      if (request.method() === 'GET' && new URL(request.url()).pathname === '/api/sessions') listFetches += 1;
    });
    await rows.first().getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Logout (1)' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Log out 1 session' }).click();
    await page.getByText('No sessions match').waitFor();
    await expect.poll(() => listFetches).toBe(1);

    // A later change (a new login) is the marker: had the Logout brought a second fetch, it came before this one's.
    await apiLogin(baseUrl, user.username, user.password, { ip: '1.1.1.1' });
    await expect.poll(() => rows.count()).toBe(1);
    expect(listFetches).toBe(2);
    expect(tab.problems.messages).toEqual([]);
    await tab.context.close();
  });
});
