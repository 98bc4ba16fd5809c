import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminLogin } from './helpers/api.ts';
import { launchChromium, logInThroughForm, openTab, screenshotPath } from './helpers/browser.ts';
import { type DemoOrg, seedDemoOrg } from './helpers/seed.ts';
import { ADMIN, type RunningServer, startServer } from './helpers/server.ts';

/**
 * The pages of the README, on a server of their own so other tests' users do not show up.
 * `npm run screenshots` writes them to docs/screenshots/; a plain test run to a scratch folder.
 */
let server: RunningServer;
let browser: Browser;
let org: DemoOrg;
/** The admin's browser "comes from" here (the test server trusts X-Forwarded-For from loopback). */
const ADMIN_IP = '5.9.0.1';

beforeAll(async () => {
  server = await startServer();
  browser = await launchChromium();
  org = await seedDemoOrg(server.baseUrl, await adminLogin(server.baseUrl, { ip: '8.8.4.4' }));
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('Screenshots', () => {
  it('login, Session Information, the Logout confirmation, an ended session, the Activity Log', async () => {
    const base = server.baseUrl;
    const adminTab = await openTab(browser, { extraHTTPHeaders: { 'x-forwarded-for': ADMIN_IP } });
    const { page } = adminTab;
    await page.goto(`${base}/login`);
    await page.getByLabel('Username').waitFor();
    await page.screenshot({ path: screenshotPath('01-login') });

    const maria = org.users[0] as DemoOrg['users'][number];
    const userTab = await openTab(browser, { extraHTTPHeaders: { 'x-forwarded-for': '81.2.69.142' } });
    await logInThroughForm(userTab.page, base, maria.username, maria.password);

    await logInThroughForm(page, base, ADMIN.username, ADMIN.password);
    await page.getByText('Live', { exact: true }).waitFor();
    await page.locator('tbody tr').nth(7).waitFor();
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
    await page.getByLabel('Activity', { exact: true }).fill('backup, replicate');
    await page.getByRole('button', { name: 'Get Details' }).click();
    await page.waitForURL(/activity=replicate/);
    await page
      .getByText(/^Page 1 · \d+ results$/)
      .first()
      .waitFor();
    await page.mouse.move(0, 600);
    await page.screenshot({ path: screenshotPath('05-activity-log') });

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
      extraHTTPHeaders: { 'x-forwarded-for': '1.1.1.1' },
    });
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

    await page.goto(`${base}/activity?period=7d`);
    await page.locator('tbody tr').first().waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
    await page.getByRole('heading', { name: 'Activity Log' }).waitFor();
    await page.evaluate("document.querySelector('.results-head').scrollIntoView()");
    await page.screenshot({ path: screenshotPath('07-mobile-activity-log') });
    expect(tab.problems.messages).toEqual([]);
    await tab.context.close();
  });
});
