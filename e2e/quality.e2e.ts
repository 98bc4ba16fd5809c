import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { adminLogin, ingest } from './helpers/api.ts';
import { launchChromium, logInThroughForm, openTab } from './helpers/browser.ts';
import { jobActivities } from './helpers/seed.ts';
import { ADMIN, REPO } from './helpers/server.ts';

const baseUrl = inject('baseUrl');
const JS_BUDGET_BYTES = 200 * 1024;
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
  await ingest(baseUrl, await adminLogin(baseUrl), jobActivities([ADMIN.username], 150));
});
afterAll(async () => {
  await browser?.close();
});

// Scripts run in the page are strings: the root tsconfig (src, test, e2e) has no DOM types.

/** Form controls without an accessible name: a <label>, aria-label or aria-labelledby. */
const UNLABELLED_CONTROLS = `[...document.querySelectorAll('input, select, textarea')]
  .filter((el) => el.type !== 'hidden' && !el.hidden && el.getClientRects().length > 0)
  .filter((el) => !el.labels?.length && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
  .map((el) => el.outerHTML)`;
const unlabelledControls = (page: Page) => page.evaluate<string[]>(UNLABELLED_CONTROLS);

interface FocusStop {
  label: string;
  type: string;
  inTable: boolean;
  /** An outline of at least 2 px: the focus can be seen. */
  visible: boolean;
}

/** The focused element, and whether its focus ring shows. */
const FOCUSED = `(() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {
    label: el.getAttribute('aria-label') ?? el.textContent?.trim() ?? el.tagName,
    type: el.type ?? '',
    inTable: Boolean(el.closest('tbody')),
    visible: style.outlineStyle !== 'none' && Number.parseFloat(style.outlineWidth) >= 2,
  };
})()`;

/**
 * Milliseconds from the start of navigation to the app's `vault:ready` mark: the login form, the
 * session list or the first activities on screen (web/src/lib/perf.ts).
 */
async function readyAfter(page: Page): Promise<number> {
  await page.waitForFunction(() => performance.getEntriesByName('vault:ready').length > 0);
  return page.evaluate(() => performance.getEntriesByName('vault:ready')[0]?.startTime ?? Number.NaN);
}

describe('Quality', () => {
  it(`ships at most ${JS_BUDGET_BYTES / 1024} kB of JavaScript (gzip), all of it from our own origin`, async () => {
    const assets = join(REPO, 'web', 'dist', 'assets');
    const scripts = readdirSync(assets).filter((name) => name.endsWith('.js'));
    const gzipped = scripts.reduce((sum, name) => sum + gzipSync(readFileSync(join(assets, name))).length, 0);
    expect(scripts.length).toBeGreaterThan(0);
    expect(gzipped).toBeLessThanOrEqual(JS_BUDGET_BYTES);

    const { context, page } = await openTab(browser);
    const origins = new Set<string>();
    page.on('request', (request) => origins.add(new URL(request.url()).origin));
    await logInThroughForm(page, baseUrl, ADMIN.username, ADMIN.password);
    await page.goto(`${baseUrl}/activity`);
    await page.locator('.activity-table tbody tr').first().waitFor();
    // The chart's chunk (uPlot) and its stylesheet too.
    await page.locator('.histogram-chart canvas').waitFor();
    expect([...origins]).toEqual([baseUrl]);
    await context.close();
  });

  // Times are printed, not asserted: a loaded CI machine once took 1,021 ms and failed a landing on noise.
  it('the first pages become ready and report how long they took: login, Session Information, Activity Log', async () => {
    const { context, page, problems } = await openTab(browser);
    await page.goto(`${baseUrl}/login`);
    const login = await readyAfter(page);

    await logInThroughForm(page, baseUrl, ADMIN.username, ADMIN.password);
    // A fresh tab with the session cookie: HTML, JS, /api/me, then the list.
    const sessionsTab = await context.newPage();
    await sessionsTab.goto(`${baseUrl}/sessions`);
    const sessions = await readyAfter(sessionsTab);
    expect(await sessionsTab.locator('tbody tr').count()).toBeGreaterThan(0);

    const activityTab = await context.newPage();
    await activityTab.goto(`${baseUrl}/activity?period=7d`);
    const activity = await readyAfter(activityTab);
    expect(await activityTab.locator('.activity-table tbody tr').count()).toBeGreaterThan(0);

    console.log(
      `first page ready: login ${login.toFixed(0)} ms, sessions ${sessions.toFixed(0)} ms, activity ${activity.toFixed(0)} ms`,
    );
    expect(problems.messages).toEqual([]);
    await context.close();
  });

  it('every field has a label, on every page and in the dialogs', async () => {
    const { context, page, problems } = await openTab(browser);
    await page.goto(`${baseUrl}/login`);
    await page.getByLabel('Username').waitFor();
    expect(await unlabelledControls(page)).toEqual([]);
    await logInThroughForm(page, baseUrl, ADMIN.username, ADMIN.password);
    await page.locator('tbody tr').first().waitFor();
    expect(await unlabelledControls(page)).toEqual([]);
    await page.getByRole('button', { name: /^Profile/ }).click();
    await page.getByRole('menuitem', { name: 'Change password' }).click();
    await page.getByRole('dialog', { name: 'Change password' }).waitFor();
    expect(await unlabelledControls(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await page.goto(`${baseUrl}/activity?period=custom&from=2020-01-01&to=2030-01-01`);
    await page.getByLabel('From').waitFor();
    expect(await unlabelledControls(page)).toEqual([]);
    // The Streams form with every field it can show (the token is Splunk HEC's).
    await page.goto(`${baseUrl}/streams`);
    await page.getByLabel('Format').selectOption({ label: 'Splunk HEC' });
    await page.getByLabel('HEC token').waitFor();
    expect(await unlabelledControls(page)).toEqual([]);
    // The Single sign-on form: empty, as GET /api/org/sso answers 404 SSO_NOT_CONFIGURED (which the
    // browser logs) for an org without one.
    await page.goto(`${baseUrl}/sso`);
    await page.getByLabel('Issuer URL').waitFor();
    expect(await unlabelledControls(page)).toEqual([]);
    expect(problems.messages).toEqual([expect.stringMatching(/status of 404 .*\/sso\)$/)]);
    await context.close();
  });

  it('Session Information works from the keyboard alone, with a visible focus on every stop', async () => {
    const { context, page, problems } = await openTab(browser);
    await logInThroughForm(page, baseUrl, ADMIN.username, ADMIN.password);
    await page.locator('tbody tr').first().waitFor();
    await page.reload();
    await page.locator('tbody tr').first().waitFor();

    const focused = () => page.evaluate<FocusStop>(FOCUSED);
    const stops: FocusStop[] = [];
    // Past the header, the filters, the toolbar and the table's select-all and sort buttons.
    for (let i = 0; i < 30; i += 1) {
      await page.keyboard.press('Tab');
      const stop = await focused();
      stops.push(stop);
      if (stop.inTable && stop.type === 'checkbox') break;
    }
    expect(stops[0]?.label).toBe('Skip to content');
    expect(stops.filter((s) => !s.visible)).toEqual([]);
    expect(stops.at(-1)?.inTable).toBe(true);

    // Space selects the row; Shift+Tab back to Logout; Enter opens the confirmation; Escape cancels.
    await page.keyboard.press('Space');
    expect(await page.locator('tbody input[type=checkbox]:checked').count()).toBe(1);
    for (let i = 0; i < 8; i += 1) {
      await page.keyboard.press('Shift+Tab');
      if ((await focused()).label.startsWith('Logout')) break;
    }
    expect((await focused()).label).toBe('Logout (1)');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    expect(await page.locator('dialog :focus').count()).toBe(1);
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.isVisible()).toBe(false);
    expect(problems.messages).toEqual([]);
    await context.close();
  });
});
