import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type ApiSession, adminLogin, createUser, orgIdOf, USER_AGENTS } from './helpers/api.ts';
import { launchChromium, logInThroughForm, openTab } from './helpers/browser.ts';
import { insertSessions, type SessionSeed } from './helpers/seed-rows.ts';
import { ADMIN } from './helpers/server.ts';

/** Session Information with more sessions than a page holds: paging, filters, sorting, Logout by filter. */
const baseUrl = inject('baseUrl');
const databasePath = inject('databasePath');
let browser: Browser;
let admin: ApiSession;
let orgId: string;

beforeAll(async () => {
  browser = await launchChromium();
  admin = await adminLogin(baseUrl);
  orgId = await orgIdOf(admin);
});
afterAll(async () => {
  await browser?.close();
});

interface Page_ {
  sessions: Array<{ id: string; username: string }>;
  total: number;
}

/** `count` sessions of one user, alternating between London and Mountain View, used over the last 25 minutes. */
function sessionsOf(user: { id: string; username: string }, count: number): SessionSeed[] {
  return Array.from({ length: count }, (_, i) => ({
    orgId,
    userId: user.id,
    username: user.username,
    ip: i % 2 === 0 ? '81.2.69.142' : '8.8.8.8',
    userAgent: i % 3 === 0 ? USER_AGENTS.iphone : USER_AGENTS.windowsChrome,
    createdMinutesAgo: 60 + i,
    usedMinutesAgo: (i * 25) / count,
  }));
}

const rows = (page: Page) => page.locator('tbody tr');

async function openAsAdmin(path: string) {
  const tab = await openTab(browser);
  await logInThroughForm(tab.page, baseUrl, ADMIN.username, ADMIN.password);
  await tab.page.goto(`${baseUrl}${path}`);
  await rows(tab.page).first().waitFor();
  return tab;
}

describe('Session Information at scale', () => {
  it('pages 100 at a time: page 1 of 2, Next shows the rest, Previous comes back', async () => {
    const user = await createUser(admin, 'pager');
    await insertSessions(databasePath, sessionsOf(user, 130));
    const tab = await openAsAdmin(`/sessions?userId=${user.id}`);
    const { page } = tab;
    await page.getByText('130 matching sessions').waitFor();
    expect(await rows(page).count()).toBe(100);
    const nav = page.getByRole('navigation', { name: 'Pages' });
    expect(await nav.innerText()).toContain('Page 1 of 2');
    const firstIp = await rows(page).first().locator('td').nth(1).innerText();

    await nav.getByRole('button', { name: 'Next ›' }).click();
    await nav.getByText('Page 2 of 2').waitFor();
    await expect.poll(() => rows(page).count()).toBe(30);
    expect(await nav.getByRole('button', { name: 'Next ›' }).isDisabled()).toBe(true);

    await nav.getByRole('button', { name: '‹ Previous' }).click();
    await nav.getByText('Page 1 of 2').waitFor();
    await expect.poll(() => rows(page).count()).toBe(100);
    expect(await rows(page).first().locator('td').nth(1).innerText()).toBe(firstIp);
    expect(await nav.getByRole('button', { name: '‹ Previous' }).isDisabled()).toBe(true);
    expect(tab.problems.messages).toEqual([]);
    await tab.context.close();
  });

  it('a filter narrows the list and is kept in the URL, so the link shows the same list', async () => {
    const user = await createUser(admin, 'filtered');
    await insertSessions(databasePath, sessionsOf(user, 12));
    const tab = await openAsAdmin(`/sessions?userId=${user.id}`);
    const { page } = tab;
    await page.getByText('12 matching sessions').waitFor();

    await page.getByLabel('Country').selectOption({ label: 'United Kingdom' });
    await page.waitForURL(/[?&]country=GB(&|$)/);
    await page.getByText('6 matching sessions').waitFor();
    for (const text of await rows(page).allInnerTexts()) expect(text).toContain('London');

    await page.getByLabel('Device').selectOption('Mobile');
    await page.waitForURL(/deviceType=Mobile/);
    // i % 3 === 0 is an iPhone; of those, the even ones are in London: 0 and 6.
    await page.getByText('2 matching sessions').waitFor();
    for (const text of await rows(page).allInnerTexts()) expect(text).toMatch(/Mobile[\s\S]*iOS/);

    await page.getByLabel('Search').fill('81.2.');
    await page.getByLabel('Search').press('Enter');
    await page.waitForURL(/q=81\.2\./);
    await page.getByText('2 matching sessions').waitFor();

    // The link alone (another tab, a bookmark) shows the same list, with the controls set.
    const url = page.url();
    const other = await tab.context.newPage();
    await other.goto(url);
    await other.getByText('2 matching sessions').waitFor();
    expect(await other.getByLabel('Country').inputValue()).toBe('GB');
    expect(await other.getByLabel('Search').inputValue()).toBe('81.2.');
    await other.close();

    await page.getByRole('button', { name: 'Clear' }).click();
    await page.waitForURL(`${baseUrl}/sessions`);
    expect(tab.problems.messages).toEqual([]);
    await tab.context.close();
  });

  it('sorts by user on the server, with aria-sort on the header; a second click reverses', async () => {
    const tag = `srt${Date.now().toString(36)}`;
    const zed = await createUser(admin, `${tag}-zed`, { exact: true });
    const amy = await createUser(admin, `${tag}-amy`, { exact: true });
    const max = await createUser(admin, `${tag}-max`, { exact: true });
    await insertSessions(databasePath, [
      ...sessionsOf(max, 1),
      ...sessionsOf(zed, 2),
      ...sessionsOf(amy, 2).map((s) => ({ ...s, usedMinutesAgo: 20 })),
    ]);
    const tab = await openAsAdmin(`/sessions?q=${tag}`);
    const { page } = tab;
    await page.getByText('5 matching sessions').waitFor();
    const header = page.getByRole('columnheader', { name: /^User/ });
    expect(await header.getAttribute('aria-sort')).toBe('none');
    const users = async () =>
      (await rows(page).locator('.username').allInnerTexts()).map((name) => name.slice(tag.length + 1));

    await header.getByRole('button').click();
    await page.waitForURL(/sort=username&order=asc/);
    await expect.poll(users).toEqual(['amy', 'amy', 'max', 'zed', 'zed']);
    expect(await header.getAttribute('aria-sort')).toBe('ascending');

    await header.getByRole('button').click();
    await page.waitForURL(/sort=username&order=desc/);
    await expect.poll(users).toEqual(['zed', 'zed', 'max', 'amy', 'amy']);
    expect(await header.getAttribute('aria-sort')).toBe('descending');
    expect(await page.getByRole('columnheader', { name: /^Last Access/ }).getAttribute('aria-sort')).toBe(
      'none',
    );
    expect(tab.problems.messages).toEqual([]);
    await tab.context.close();
  });

  it('"select all N that match" logs out every match, on every page, after a confirmation saying how many of whom', async () => {
    const user = await createUser(admin, 'bulk');
    const bystander = await createUser(admin, 'bystander');
    await insertSessions(databasePath, [...sessionsOf(user, 130), ...sessionsOf(bystander, 3)]);
    const tab = await openAsAdmin(`/sessions?userId=${user.id}`);
    const { page } = tab;
    await page.getByText('130 matching sessions').waitFor();

    await page.getByRole('checkbox', { name: 'Select all on this page' }).check();
    const banner = page.locator('.selection-banner');
    expect(await banner.innerText()).toContain('All 100 sessions on this page are selected.');
    await banner.getByRole('button', { name: 'Select all 130 sessions that match' }).click();
    await banner.getByText('All 130 sessions that match are selected').waitFor();
    await page.getByRole('button', { name: 'Logout (130)' }).click();

    const dialog = page.getByRole('dialog', { name: 'Log out 130 sessions?' });
    await dialog.waitFor();
    const text = await dialog.innerText();
    expect(text).toContain(`130 sessions of ${user.username}`);
    expect(text).toContain('on every page');
    await dialog.getByRole('button', { name: 'Log out 130 sessions' }).click();
    await page.getByRole('status').filter({ hasText: 'Logged out 130 sessions' }).waitFor();
    await page.getByText('No sessions match').waitFor();

    const left = await admin.request<Page_>('GET', `/api/sessions?userId=${user.id}`);
    expect(left.total).toBe(0);
    const kept = await admin.request<Page_>('GET', `/api/sessions?userId=${bystander.id}`);
    expect(kept.total).toBe(3);
    expect(tab.problems.messages).toEqual([]);
    await tab.context.close();
  });

  it('without a filter, selecting the whole page never offers to end every session of the org', async () => {
    const user = await createUser(admin, 'many');
    await insertSessions(databasePath, sessionsOf(user, 101));
    const tab = await openAsAdmin('/sessions');
    const { page } = tab;
    await page.getByRole('checkbox', { name: 'Select all on this page' }).check();
    const banner = page.locator('.selection-banner');
    expect(await banner.innerText()).toContain('narrow the list with a filter first');
    expect(await banner.getByRole('button').count()).toBe(0);
    await page.getByRole('button', { name: 'Logout (100)' }).waitFor();
    await admin.request('POST', '/api/sessions/logout', { filter: { userId: user.id } });
    expect(tab.problems.messages).toEqual([]);
    await tab.context.close();
  });

  it('a risk flag shows as a badge that explains itself on hover', async () => {
    const user = await createUser(admin, 'traveller');
    await insertSessions(databasePath, [
      {
        ...sessionsOf(user, 1)[0],
        ip: '1.1.1.1',
        flags: ['new_country', 'impossible_travel'],
        travel: {
          distanceKm: 9000,
          hours: 1,
          speedKmh: 9000,
          fromLocation: 'Berlin, Germany',
          fromSessionId: '00000000-0000-4000-8000-000000000000',
        },
      } as SessionSeed,
    ]);
    const tab = await openAsAdmin(`/sessions?userId=${user.id}&flag=impossible_travel`);
    const { page } = tab;
    const badge = rows(page).first().getByRole('button', { name: 'Impossible travel' });
    await badge.hover();
    const tip = page.getByRole('tooltip').filter({ hasText: 'km/h' });
    await tip.waitFor();
    expect(await tip.innerText()).toBe('9,000 km in 1.0 h (9,000 km/h) from Berlin, Germany');
    // The same explanation reaches a screen reader, as the badge's description.
    expect(await badge.getAttribute('aria-describedby')).toBe(await tip.getAttribute('id'));
    await page.mouse.move(0, 0);
    await expect.poll(() => tip.isVisible()).toBe(false);

    await rows(page).first().getByRole('button', { name: 'New country' }).hover();
    await page
      .getByRole('tooltip')
      .filter({ hasText: `First login of ${user.username} from` })
      .waitFor();
    expect(tab.problems.messages).toEqual([]);
    await tab.context.close();
  });

  it('at 1366 px the eight columns and the checkboxes fit without scrolling sideways', async () => {
    const user = await createUser(admin, 'wide.username.example');
    const long = sessionsOf(user, 3).map((s, i) => ({
      ...s,
      ip: ['2a02:908:1f2:4a0:9d6e:8b1c:5e2f:1a7d', '200.160.2.3', '81.2.69.142'][i] as string,
      userAgent: [USER_AGENTS.edge, USER_AGENTS.androidFirefox, USER_AGENTS.ipad][i] as string,
      lastUsedOn: 'restore-eu-west.files.vault.example',
      flags: ['new_device', 'new_country'] as SessionSeed['flags'],
    }));
    await insertSessions(databasePath, long);
    const tab = await openTab(browser, { viewport: { width: 1366, height: 768 } });
    const { page } = tab;
    await logInThroughForm(page, baseUrl, ADMIN.username, ADMIN.password);
    await rows(page).nth(2).waitFor();
    const overflow = await page.evaluate<{ table: number; page: number }>(`(() => {
      const wrap = document.querySelector('.table-wrap');
      return {
        table: wrap.scrollWidth - wrap.clientWidth,
        page: document.documentElement.scrollWidth - window.innerWidth,
      };
    })()`);
    expect(overflow).toEqual({ table: 0, page: 0 });
    expect(await page.locator('thead th').allInnerTexts()).toEqual(
      expect.arrayContaining([
        'PUBLIC IP',
        expect.stringMatching(/^USER/),
        expect.stringMatching(/^CITY/),
        expect.stringMatching(/^LOCATION/),
        'DEVICE DETAILS',
        'OS DETAILS',
        'BROWSER DETAILS',
        expect.stringMatching(/^LAST ACCESS TIME/),
      ]),
    );
    await admin.request('POST', '/api/sessions/logout', { filter: { userId: user.id } });
    expect(tab.problems.messages).toEqual([]);
    await tab.context.close();
  });
});
