import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StreamReceiver } from '../test/helpers/stream-receiver.ts';
import { adminLogin, createUser } from './helpers/api.ts';
import { launchChromium, logInThroughForm, openTab, screenshotPath, type Tab } from './helpers/browser.ts';
import {
  CLIENTS,
  type Client,
  PLACES,
  type ScreenshotOrg,
  seedScreenshotOrg,
} from './helpers/screenshot-org.ts';
import { ADMIN, freePort, type RunningServer, startServer } from './helpers/server.ts';

/**
 * The pages of the README, on a server of their own so other tests' users do not show up.
 * `npm run screenshots` writes them to docs/screenshots/; a plain test run to a scratch folder.
 */
let server: RunningServer;
let browser: Browser;
let org: ScreenshotOrg;

/** A tab's requests "come from" `ip` (the test server trusts X-Forwarded-For from loopback). */
const from = (ip: string) => ({ extraHTTPHeaders: { 'x-forwarded-for': ip } });

/**
 * Makes the tab introduce itself as `client` rather than as headless Chromium on Linux: its
 * User-Agent, and the client hints that browser sends (none for Safari). Chromium sends its own
 * hints unless told these, which only the DevTools protocol can.
 */
async function presentAs(tab: Tab, client: Client): Promise<void> {
  const cdp = await tab.context.newCDPSession(tab.page);
  const meta = 'metadata' in client ? client.metadata : undefined;
  const major = /Chrome\/(\d+)/.exec(client.userAgent)?.[1] ?? '131';
  await cdp.send('Emulation.setUserAgentOverride', {
    userAgent: client.userAgent,
    ...(meta && {
      userAgentMetadata: {
        brands: [
          { brand: meta.brand, version: major },
          { brand: 'Chromium', version: major },
          { brand: 'Not_A Brand', version: '24' },
        ],
        fullVersionList: [{ brand: meta.brand, version: `${major}.0.6778.86` }],
        platform: meta.platform,
        platformVersion: meta.platformVersion,
        architecture: 'x86',
        model: '',
        mobile: false,
      },
    }),
  });
}

beforeAll(async () => {
  server = await startServer();
  browser = await launchChromium();
  const seeding = await adminLogin(server.baseUrl, { ip: PLACES.amsterdam });
  org = await seedScreenshotOrg(server.baseUrl, server.databasePath, seeding);
  // The seeding session is no one's browser: it leaves the list.
  await seeding.request('POST', '/api/auth/logout');
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('Screenshots', () => {
  it('login, Session Information, the Logout confirmation, an ended session, the Activity Log, a session’s details', async () => {
    const base = server.baseUrl;
    const adminTab = await openTab(browser, from(PLACES.amsterdam));
    await presentAs(adminTab, CLIENTS.macChrome);
    const { page } = adminTab;
    await page.goto(`${base}/login`);
    await page.getByLabel('Username').waitFor();
    await page.screenshot({ path: screenshotPath('01-login') });

    const { maria } = org;
    const userTab = await openTab(browser, from(PLACES.madrid));
    await presentAs(userTab, CLIENTS.windowsChrome);
    await logInThroughForm(userTab.page, base, maria.username, maria.password);

    await logInThroughForm(page, base, ADMIN.username, ADMIN.password);
    await page.getByText('Live', { exact: true }).waitFor();
    await page.locator('tbody tr').nth(16).waitFor();
    await page.mouse.move(0, 0);
    await page.screenshot({ path: screenshotPath('02-session-information'), fullPage: true });

    const mariaRows = page.locator('tbody tr').filter({ hasText: maria.username });
    const count = await mariaRows.count();
    for (let i = 0; i < count; i += 1) await mariaRows.nth(i).getByRole('checkbox').check();
    await page.getByRole('button', { name: `Logout (${count})` }).click();
    await page.getByRole('dialog').waitFor();
    await page.screenshot({ path: screenshotPath('03-logout-confirmation') });
    await page
      .getByRole('dialog')
      .getByRole('button', { name: /^Log out \d+ sessions?$/ })
      .click();
    await userTab.page.waitForURL(/reason=terminated/, { timeout: 1_000 });
    await userTab.page.getByText('Your session was ended').waitFor();
    await userTab.page.screenshot({ path: screenshotPath('04-session-ended') });

    await page.getByRole('main').getByRole('link', { name: 'Activity Log' }).click();
    await page.getByLabel('Activity', { exact: true }).click();
    const picker = page.getByRole('group', { name: 'Activities' });
    await picker.getByLabel('backup').check();
    await picker.getByLabel('replicate').check();
    if (process.env.PICKER_SHOT) await page.screenshot({ path: process.env.PICKER_SHOT });
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Get Details' }).click();
    await page.waitForURL(/activity=replicate/);
    await page
      .getByText(/^Page 1 · \d+ results$/)
      .first()
      .waitFor();
    await page.locator('.histogram-chart canvas').waitFor();
    await page.mouse.move(0, 600);
    await page.screenshot({ path: screenshotPath('05-activity-log') });

    // The flagged session's panel over the list: its map, its risk, what it did.
    await page.goto(`${base}/sessions/${org.flaggedSessionId}`);
    const panel = page.getByRole('dialog', { name: /Session of lukas\.schmidt/ });
    await panel.locator('svg.world-map .world-map-dot').waitFor();
    await panel.getByText('activity.exported').first().waitFor();
    // Tall enough for the whole panel, down to the timeline.
    await page.setViewportSize({ width: 1440, height: 1560 });
    await page.mouse.move(0, 600);
    await page.screenshot({ path: screenshotPath('11-session-details') });

    expect(adminTab.problems.messages).toEqual([]);
    expect(userTab.problems.messages).toEqual([]);
    await adminTab.context.close();
    await userTab.context.close();
  });

  it('at 375 px the pages fit the screen: no sideways scrolling', async () => {
    const base = server.baseUrl;
    const tab = await openTab(browser, {
      viewport: { width: 375, height: 812 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      ...from(PLACES.amsterdam),
    });
    await presentAs(tab, CLIENTS.iphone);
    const { page } = tab;
    // How far the page is wider than the screen (a string: the root tsconfig has no DOM types).
    const overflow = () => page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    await page.goto(`${base}/login`);
    await page.getByLabel('Username').waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);

    await logInThroughForm(page, base, ADMIN.username, ADMIN.password);
    await page.locator('tbody tr').nth(3).waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
    // The toolbar and the first cards, as a phone shows them after a short scroll.
    await page.evaluate("document.querySelector('.toolbar').scrollIntoView()");
    await page.screenshot({ path: screenshotPath('06-mobile-session-information') });

    // A session's panel takes the whole screen, and fits it too.
    await page.goto(`${base}/sessions/${org.flaggedSessionId}`);
    await page.locator('svg.world-map').waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
    expect(
      await page.evaluate<number>(
        "(() => { const b = document.querySelector('.drawer-body'); return b.scrollWidth - b.clientWidth; })()",
      ),
    ).toBeLessThanOrEqual(0);

    await page.goto(`${base}/activity?period=7d`);
    await page.locator('tbody tr').first().waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
    await page.getByRole('heading', { name: 'Activity Log' }).waitFor();
    await page.evaluate("document.querySelector('.results-head').scrollIntoView()");
    await page.screenshot({ path: screenshotPath('07-mobile-activity-log') });
    expect(tab.problems.messages).toEqual([]);
    await tab.context.close();
  });

  it('the Users page at 1366 px: every column and action fits, no sideways scrolling', async () => {
    const base = server.baseUrl;
    // A contractor who left (disabled), and someone who forgot their password (locked out).
    const admin = await adminLogin(base, { ip: PLACES.amsterdam });
    const leaver = await createUser(admin, 'contractor.kim', { exact: true });
    await admin.request('PATCH', `/api/users/${leaver.id}`, { disabled: true });
    for (let i = 1; i <= 10; i += 1) {
      await fetch(`${base}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': `198.51.100.${i}` },
        body: JSON.stringify({ username: 'olivia.brown', password: 'not her password' }),
      });
    }
    const tab = await openTab(browser, { viewport: { width: 1366, height: 768 }, ...from(PLACES.amsterdam) });
    await presentAs(tab, CLIENTS.macChrome);
    const { page } = tab;
    await logInThroughForm(page, base, ADMIN.username, ADMIN.password);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
    await page.locator('tr[data-username="olivia.brown"]').getByText('Locked out').waitFor();
    const sideways = await page.evaluate<number>(
      "(() => { const w = document.querySelector('.table-wrap'); return w.scrollWidth - w.clientWidth; })()",
    );
    await page.mouse.move(0, 0);
    await page.screenshot({ path: screenshotPath('12-users'), fullPage: true });
    expect(sideways).toBeLessThanOrEqual(0);
    await admin.request('POST', '/api/auth/logout');
    expect(tab.problems.messages).toEqual([]);
    await tab.context.close();
  });

  it('the Streams page at 1366 px and at 375 px: a Splunk stream up to date, a webhook failing', {
    timeout: 120_000,
  }, async () => {
    const base = server.baseUrl;
    const admin = await adminLogin(base, { ip: PLACES.amsterdam });
    // The SOC's collector on a loopback port: the page shows real deliveries, not a made-up state.
    const splunk = await new StreamReceiver().listen();
    const splunkUrl = splunk.url.replace('/collect', '/services/collector/event');
    await admin.request('POST', '/api/streams', {
      name: 'Splunk (SOC)',
      url: splunkUrl,
      format: 'splunk_hec',
      secret: 'e3f1c09a7b2d4c58a6f0b1d2c3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2',
      token: '5d2f7c1e-8a4b-4c3d-9e6f-0a1b2c3d4e5f',
    });
    // A webhook whose receiver is gone: nothing listens on its port.
    await admin.request('POST', '/api/streams', {
      name: 'Archive webhook',
      url: `http://127.0.0.1:${await freePort()}/hooks/vault-activity`,
      format: 'json',
      secret: 'a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1',
    });
    await admin.request('POST', '/api/auth/logout');

    const tab = await openTab(browser, { viewport: { width: 1366, height: 768 }, ...from(PLACES.amsterdam) });
    await presentAs(tab, CLIENTS.macChrome);
    const { page } = tab;
    await logInThroughForm(page, base, ADMIN.username, ADMIN.password);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Streams' }).click();
    const soc = page.locator('tr[data-stream="Splunk (SOC)"]');
    await soc.getByText('up to date').waitFor({ timeout: 30_000 });
    await soc.locator('td[data-label="Last success"] time').waitFor();
    const archive = page.locator('tr[data-stream="Archive webhook"]');
    await archive.getByText(/ECONNREFUSED/).waitFor({ timeout: 30_000 });
    await archive.getByText(/behind$/).waitFor({ timeout: 30_000 });
    await soc.getByRole('button', { name: 'Send test' }).click();
    await soc.getByText('Delivered (HTTP 200)').waitFor();
    const sideways = await page.evaluate<number>(
      "(() => { const w = document.querySelector('.table-wrap'); return w.scrollWidth - w.clientWidth; })()",
    );
    await page.mouse.move(0, 0);
    await page.screenshot({ path: screenshotPath('13-streams'), fullPage: true });
    expect(sideways).toBeLessThanOrEqual(0);
    expect(tab.problems.messages).toEqual([]);
    await tab.context.close();

    const phone = await openTab(browser, {
      viewport: { width: 375, height: 812 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      ...from(PLACES.amsterdam),
    });
    await presentAs(phone, CLIENTS.iphone);
    await logInThroughForm(phone.page, base, ADMIN.username, ADMIN.password);
    await phone.page.goto(`${base}/streams`);
    await phone.page.locator('tr[data-stream="Splunk (SOC)"]').getByText('up to date').waitFor();
    expect(
      await phone.page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth'),
    ).toBeLessThanOrEqual(0);
    await phone.page.screenshot({ path: screenshotPath('14-mobile-streams'), fullPage: true });
    expect(phone.problems.messages).toEqual([]);
    await phone.context.close();
    await splunk.stop();
  });
});
