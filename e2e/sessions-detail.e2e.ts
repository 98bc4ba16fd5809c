import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { adminLogin, apiLogin, createUser, USER_AGENTS } from './helpers/api.ts';
import { launchChromium, logInThroughForm, openTab } from './helpers/browser.ts';
import { ADMIN } from './helpers/server.ts';

/** A session's panel: everything known about it, its place on a map, its timeline, and its Logout. */
const baseUrl = inject('baseUrl');
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

const CHROME_HINTS = {
  'sec-ch-ua': '"Chromium";v="131", "Google Chrome";v="131", "Not_A Brand";v="24"',
  'sec-ch-ua-platform': '"Windows"',
  'sec-ch-ua-platform-version': '"15.0.0"',
};

describe('A session’s details', () => {
  it('a row opens its details at /sessions/<id>: User-Agent, client hints, a drawn map, the timeline; the link survives a reload', async () => {
    const admin = await adminLogin(baseUrl);
    const user = await createUser(admin, 'detail');
    const session = await apiLogin(baseUrl, user.username, user.password, {
      userAgent: USER_AGENTS.windowsChrome,
      ip: '81.2.69.142',
    });
    // A login's client hints come with the login request itself; this one sends them.
    const hinted = await fetch(`${baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        origin: baseUrl,
        'user-agent': USER_AGENTS.windowsChrome,
        'x-forwarded-for': '81.2.69.142',
        ...CHROME_HINTS,
      },
      body: JSON.stringify({ username: user.username, password: user.password }),
    });
    const hintedId = ((await hinted.json()) as { session: { id: string } }).session.id;

    const tab = await openTab(browser);
    const { page } = tab;
    await logInThroughForm(page, baseUrl, ADMIN.username, ADMIN.password);
    await page.goto(`${baseUrl}/sessions?userId=${user.id}`);
    const links = page.getByRole('link', {
      name: `Details of the session of ${user.username} from 81.2.69.142`,
    });
    await links.nth(1).waitFor();
    // A click anywhere on the row (not on its checkbox) opens it.
    await page
      .locator(`tbody tr:has(a[href^="/sessions/${hintedId}"]) td[data-label="Device Details"]`)
      .click();
    await page.waitForURL(`${baseUrl}/sessions/${hintedId}?userId=${user.id}`);
    const panel = page.getByRole('dialog', { name: new RegExp(`Session of ${user.username}`) });
    await panel.waitFor();
    const text = await panel.innerText();
    expect(text).toContain(USER_AGENTS.windowsChrome);
    expect(text).toContain('sec-ch-ua-platform-version');
    expect(text).toContain('Windows 11');
    expect(text).toContain('London');
    expect(text).toMatch(/Live/);
    // The map: countries drawn from the bundled atlas, and the dot.
    const map = panel.locator('svg.world-map');
    await map.waitFor();
    expect(await map.getAttribute('aria-label')).toContain('London');
    expect(await map.locator('.world-map-countries path').count()).toBeGreaterThan(150);
    expect(await map.locator('.country-here').count()).toBe(1);
    expect(await map.locator('.world-map-dot').count()).toBe(1);
    const timeline = panel.getByRole('list', { name: 'Timeline' });
    expect(await timeline.innerText()).toContain('user.login');

    // The list stays behind it; Escape closes the panel and goes back to the list's URL.
    await page.keyboard.press('Escape');
    await page.waitForURL(`${baseUrl}/sessions?userId=${user.id}`);
    expect(await panel.isVisible()).toBe(false);

    // A link to it works on its own: a fresh load opens the panel over the list.
    await page.goto(`${baseUrl}/sessions/${session.sessionId}`);
    await panel.waitFor();
    expect(await panel.innerText()).not.toContain('sec-ch-ua-platform-version');
    await panel.locator('svg.world-map').waitFor();
    expect(tab.problems.messages).toEqual([]);
    await tab.context.close();
  });

  it('Log out from the panel ends that session, which stays viewable: when, how and by whom it ended', async () => {
    const admin = await adminLogin(baseUrl);
    const user = await createUser(admin, 'ended');
    const session = await apiLogin(baseUrl, user.username, user.password, {
      userAgent: USER_AGENTS.iphone,
      ip: '1.1.1.1',
    });
    const tab = await openTab(browser);
    const { page } = tab;
    await logInThroughForm(page, baseUrl, ADMIN.username, ADMIN.password);
    await page.goto(`${baseUrl}/sessions/${session.sessionId}?userId=${user.id}`);
    const panel = page.getByRole('dialog', { name: new RegExp(`Session of ${user.username}`) });
    await panel.getByRole('button', { name: 'Log out this session' }).click();
    const confirm = page.getByRole('dialog', { name: 'Log out 1 session?' });
    await confirm.getByRole('button', { name: 'Log out 1 session' }).click();

    await panel.getByText('Logged out by admin').first().waitFor();
    expect(await panel.innerText()).toMatch(/Ended/);
    expect(await panel.getByRole('button', { name: 'Log out this session' }).count()).toBe(0);
    await expect(session.request('GET', '/api/me')).rejects.toThrow(/401/);
    // The list behind it follows.
    await page.getByText('No sessions match').waitFor();
    expect(tab.problems.messages).toEqual([]);
    await tab.context.close();
  });

  it('"Log out all sessions of this user" ends every one of them (a Logout by the user filter), and no one else’s', async () => {
    const admin = await adminLogin(baseUrl);
    const user = await createUser(admin, 'allofthem');
    const other = await createUser(admin, 'notthem');
    const first = await apiLogin(baseUrl, user.username, user.password, { ip: '8.8.8.8' });
    await apiLogin(baseUrl, user.username, user.password, { userAgent: USER_AGENTS.ipad, ip: '1.1.1.1' });
    await apiLogin(baseUrl, user.username, user.password, { userAgent: USER_AGENTS.macSafari });
    await apiLogin(baseUrl, other.username, other.password, { ip: '8.8.8.8' });

    const tab = await openTab(browser);
    const { page } = tab;
    await logInThroughForm(page, baseUrl, ADMIN.username, ADMIN.password);
    let body: unknown;
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().endsWith('/api/sessions/logout')) {
        body = request.postDataJSON();
      }
    });
    await page.goto(`${baseUrl}/sessions/${first.sessionId}`);
    const panel = page.getByRole('dialog', { name: new RegExp(`Session of ${user.username}`) });
    await panel.getByRole('button', { name: `Log out all sessions of ${user.username}` }).click();
    const confirm = page.getByRole('dialog', { name: 'Log out 3 sessions?' });
    await confirm.waitFor();
    expect(await confirm.innerText()).toContain(`3 sessions of ${user.username}`);
    await confirm.getByRole('button', { name: 'Log out 3 sessions' }).click();
    await page.getByRole('status').filter({ hasText: 'Logged out 3 sessions' }).waitFor();
    expect(body).toEqual({ filter: { userId: user.id } });

    const left = await admin.request<{ total: number }>('GET', `/api/sessions?userId=${user.id}`);
    expect(left.total).toBe(0);
    const kept = await admin.request<{ total: number }>('GET', `/api/sessions?userId=${other.id}`);
    expect(kept.total).toBe(1);
    expect(tab.problems.messages).toEqual([]);
    await tab.context.close();
  });
});
