import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { adminLogin, apiLogin, createUser, USER_AGENTS } from './helpers/api.ts';
import { launchChromium, logInThroughForm, openTab } from './helpers/browser.ts';

/** Risk flags raised by real logins: the server compares each login with the user's history. */
const baseUrl = inject('baseUrl');
let browser: Browser;

/** Public addresses the bundled DB-IP database places in Paris and Newark (the server trusts loopback's X-Forwarded-For). */
const PARIS = '80.67.169.12';
const NEWARK = '13.107.42.14';

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe('risk flags at login', () => {
  it('a login from a new device in a far country moments later shows its flags, each explained on hover and in the details', async () => {
    const admin = await adminLogin(baseUrl);
    const user = await createUser(admin, 'flagged');
    // The user's history: one login from Paris, on Windows.
    await apiLogin(baseUrl, user.username, user.password, {
      ip: PARIS,
      userAgent: USER_AGENTS.windowsChrome,
    });

    // Then this browser (Chromium on Linux), from Newark.
    const tab = await openTab(browser, { extraHTTPHeaders: { 'x-forwarded-for': NEWARK } });
    const { page } = tab;
    await logInThroughForm(page, baseUrl, user.username, user.password);
    const own = page.locator('tbody tr').filter({ hasText: NEWARK });
    await own.waitFor();

    const badge = own.getByRole('button', { name: 'New device' });
    await badge.hover();
    const deviceTip = page.getByRole('tooltip').filter({ hasText: 'First login of' });
    await deviceTip.waitFor();
    expect(await deviceTip.innerText()).toMatch(
      new RegExp(`^First login of ${user.username} with .+ on Linux \\(Desktop\\)$`),
    );
    expect(await badge.getAttribute('aria-describedby')).toBe(await deviceTip.getAttribute('id'));
    await page.mouse.move(0, 0);

    await own.getByRole('button', { name: 'Impossible travel' }).hover();
    const travelTip = page.getByRole('tooltip').filter({ hasText: 'km/h' });
    await travelTip.waitFor();
    // Paris to Newark is 5,847 km; the logins were moments apart, which counts as at least a minute.
    const travel = await travelTip.innerText();
    expect(travel).toMatch(/^5,847 km in \d+ min \([\d,]+ km\/h\) from Paris, France$/);
    await page.mouse.move(0, 0);
    await own.getByRole('button', { name: 'New country' }).waitFor();

    // The session's page says the same, in words.
    await own.locator('td[data-label="Device Details"]').click();
    await page.waitForURL(/\/sessions\/[0-9a-f-]{36}/);
    const risk = page.locator('.flag-list');
    await risk.waitFor();
    const text = await risk.innerText();
    expect(text).toContain('New device');
    expect(text).toContain(`First login of ${user.username} from New Jersey, United States`);
    expect(text).toContain(travel);
    expect(tab.problems.messages).toEqual([]);
    await tab.context.close();
  });
});
