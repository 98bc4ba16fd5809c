import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type ApiSession, adminLogin, createUser, type IngestEvent, ingest } from './helpers/api.ts';
import { launchChromium, logInThroughForm, openTab } from './helpers/browser.ts';
import { ADMIN } from './helpers/server.ts';

const baseUrl = inject('baseUrl');
const DAY = 86_400_000;
let browser: Browser;
let admin: ApiSession;
let ana: { id: string; username: string; password: string };
let ben: { id: string; username: string; password: string };
/** Ana's backups of the last 6 days, newest first. */
let anaBackups: IngestEvent[];

beforeAll(async () => {
  browser = await launchChromium();
  admin = await adminLogin(baseUrl);
  ana = await createUser(admin, 'ana');
  ben = await createUser(admin, 'ben');
  const now = Date.now();
  anaBackups = Array.from({ length: 230 }, (_, i) => ({
    activity: 'backup',
    username: ana.username,
    occurredAt: new Date(now - 60_000 - i * 37 * 60_000).toISOString(),
    status: i % 10 === 3 ? 'failure' : 'success',
    target: i % 2 ? 'Org Acme Prod' : 'Sandbox QA-2',
    details: `${i + 1} records`,
    publicIp: '8.8.8.8',
  }));
  const anaCompares = Array.from({ length: 30 }, (_, i) => ({
    activity: 'compare',
    username: ana.username,
    occurredAt: new Date(now - 10 * DAY - i * 7 * 3_600_000).toISOString(),
    target: 'Org Acme UAT',
  }));
  const benBackups = Array.from({ length: 40 }, (_, i) => ({
    activity: 'backup',
    username: ben.username,
    occurredAt: new Date(now - 120_000 - i * 3_600_000).toISOString(),
    target: 'Ben Sandbox',
  }));
  await ingest(baseUrl, admin, [...anaBackups, ...anaCompares, ...benBackups]);
});
afterAll(async () => {
  await browser?.close();
});

/** Opens the Activity picker, types a name, takes it with Enter, and closes the picker. */
async function chooseActivity(page: Page, typed: string) {
  await page.getByLabel('Activity', { exact: true }).click();
  await page.getByLabel('Find or type an activity').fill(typed);
  await page.getByLabel('Find or type an activity').press('Enter');
  await page.getByLabel('Find or type an activity').press('Escape');
}

const summary = (page: Page) => page.locator('.results-summary').innerText();
const bodyRows = (page: Page) => page.locator('.activity-table tbody tr');
const firstTime = (page: Page) => page.locator('tbody tr time').first().getAttribute('datetime');

describe('Activity Log', () => {
  it('filters by period, user and activity, pages 100 at a time, sorts, keeps the filter in the URL, and downloads exactly that', async () => {
    const { context, page, problems } = await openTab(browser);
    await logInThroughForm(page, baseUrl, ADMIN.username, ADMIN.password);
    // The seed's way in: the Activity Log button on Session Information.
    await page.getByRole('main').getByRole('link', { name: 'Activity Log' }).click();
    await page.getByRole('heading', { name: 'Activity Log' }).waitFor();

    await page.getByLabel('Time Period').selectOption('7d');
    await page.getByLabel('Users').selectOption({ label: ana.username });
    // Typed as a person would, capitalised: it stands for the org's `backup`.
    await chooseActivity(page, 'Backup');
    await page.getByRole('button', { name: 'Get Details' }).click();
    await page.waitForURL(/period=7d/);
    const url = new URL(page.url());
    expect(url.searchParams.get('user')).toBe(ana.id);
    expect(url.searchParams.getAll('activity')).toEqual(['backup']);
    await expect.poll(() => summary(page)).toBe('Page 1 · 230 results');
    expect(await bodyRows(page).count()).toBe(100);
    expect(Date.parse((await firstTime(page)) ?? '')).toBe(Date.parse(anaBackups[0]?.occurredAt ?? ''));
    const users = new Set(await page.locator('tbody td[data-label="User"]').allInnerTexts());
    expect([...users]).toEqual([ana.username]);

    const next = page.getByRole('button', { name: 'Next ›' });
    const previous = page.getByRole('button', { name: '‹ Previous' });
    expect(await previous.isDisabled()).toBe(true);
    await next.click();
    await expect.poll(() => summary(page)).toBe('Page 2 · 230 results');
    await expect
      .poll(() => firstTime(page).then((t) => Date.parse(t ?? '')))
      .toBe(Date.parse(anaBackups[100]?.occurredAt ?? ''));
    await next.click();
    await expect.poll(() => summary(page)).toBe('Page 3 · 230 results');
    await expect.poll(() => bodyRows(page).count()).toBe(30);
    expect(await next.isDisabled()).toBe(true);
    await previous.click();
    await expect.poll(() => summary(page)).toBe('Page 2 · 230 results');
    await expect
      .poll(() => firstTime(page).then((t) => Date.parse(t ?? '')))
      .toBe(Date.parse(anaBackups[100]?.occurredAt ?? ''));

    // Date/Time is sorted newest first; a click reverses it (and starts again at page 1).
    const dateHeader = page.getByRole('columnheader', { name: /Date\/Time/ });
    expect(await dateHeader.getAttribute('aria-sort')).toBe('descending');
    await dateHeader.getByRole('button').click();
    await page.waitForURL(/order=asc/);
    await expect.poll(() => summary(page)).toBe('Page 1 · 230 results');
    expect(await dateHeader.getAttribute('aria-sort')).toBe('ascending');
    await expect
      .poll(() => firstTime(page).then((t) => Date.parse(t ?? '')))
      .toBe(Date.parse(anaBackups[229]?.occurredAt ?? ''));

    // The view survives a reload (and could be shared as a link).
    await page.reload();
    await expect.poll(() => summary(page)).toBe('Page 1 · 230 results');
    expect(await page.getByLabel('Time Period').inputValue()).toBe('7d');
    expect(await page.getByLabel('Users').inputValue()).toBe(ana.id);
    expect(await page.getByLabel('Activity', { exact: true }).innerText()).toBe('backup');
    expect(await page.getByText(/Times in Europe\/Berlin \(UTC\+0[12]:00\)/).count()).toBe(1);

    const downloading = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Download CSV' }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(/^activity-log-.*\.csv$/);
    const csv = readFileSync((await download.path()) as string, 'utf8');
    const records = parse(csv, { bom: true, columns: true }) as Array<Record<string, string>>;
    expect(records).toHaveLength(230);
    expect(new Set(records.map((r) => r.User))).toEqual(new Set([ana.username]));
    expect(new Set(records.map((r) => r.Activity))).toEqual(new Set(['backup']));
    // Same order as on screen: oldest first.
    expect(Date.parse(records[0]?.['Date/Time (UTC)'] ?? '')).toBe(
      Date.parse(anaBackups[229]?.occurredAt ?? ''),
    );
    expect(problems.messages).toEqual([]);
    await context.close();
  });

  it('a custom range and free text narrow the results; an empty result says so', async () => {
    const { context, page, problems } = await openTab(browser);
    await logInThroughForm(page, baseUrl, ADMIN.username, ADMIN.password);
    await page.goto(`${baseUrl}/activity?user=${ana.id}`);
    await page.getByLabel('Time Period').selectOption('custom');
    const day = (msAgo: number) => {
      const d = new Date(Date.now() - msAgo);
      return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    };
    await page.getByLabel('From').fill(day(25 * DAY));
    await page.getByLabel('To (included)').fill(day(8 * DAY));
    await page.getByRole('button', { name: 'Get Details' }).click();
    await page.waitForURL(/period=custom/);
    await expect.poll(() => summary(page)).toBe('Page 1 · 30 results');
    expect(new Set(await page.locator('tbody td[data-label="Activity"]').allInnerTexts())).toEqual(
      new Set(['compare']),
    );

    await page.getByLabel('Time Period').selectOption('7d');
    await page.getByLabel('Text or IP').fill('Sandbox QA');
    await page.getByRole('button', { name: 'Get Details' }).click();
    await expect.poll(() => summary(page)).toBe('Page 1 · 115 results');
    const targets = await page.locator('tbody td[data-label="Target"]').allInnerTexts();
    expect(targets.every((t) => t.includes('Sandbox QA-2'))).toBe(true);

    // Ana's 230 backups of the week, but the 23 her job reported as "failure".
    await page.getByLabel('Text or IP').fill('');
    await page.getByLabel('Status').selectOption('success');
    await page.getByRole('button', { name: 'Get Details' }).click();
    await page.waitForURL(/status=success/);
    await expect.poll(() => summary(page)).toBe('Page 1 · 207 results');

    await page.getByLabel('Status').selectOption('');
    await page.getByLabel('Activity', { exact: true }).click();
    await page.getByLabel('Find or type an activity').fill('no-such-activity');
    await page.getByLabel('Find or type an activity').press('Enter');
    await page.getByText('Never recorded in this org: no-such-activity').waitFor();
    await page.getByRole('button', { name: 'Get Details' }).click();
    await page.getByText('No activities match').waitFor();
    expect(problems.messages).toEqual([]);
    await context.close();
  });

  it('draws the period as bars above the table, and a click on a bar narrows the search to it', async () => {
    const { context, page, problems } = await openTab(browser);
    await logInThroughForm(page, baseUrl, ADMIN.username, ADMIN.password);
    // The page's own histogram: the one its bars were drawn from.
    const answered = page.waitForResponse((r) => r.url().includes('/api/activities/histogram'));
    await page.goto(`${baseUrl}/activity?user=${ana.id}&period=7d&activity=backup`);
    const histogram = (await (await answered).json()) as {
      interval: string;
      buckets: Array<{ start: string; total: number }>;
    };
    const chart = page.locator('.histogram-chart');
    await chart.locator('canvas').waitFor();
    // Ana's 230 backups of the week; the 23 her job reported as "failure" count as failed.
    expect(await chart.getAttribute('aria-label')).toBe('230 activities, 23 failed, in bars of 3h');
    const width = 3 * 3_600_000;
    const spanFrom = Date.parse(histogram.buckets[0]?.start ?? '');
    const spanUntil = spanFrom + histogram.buckets.length * width;
    const busiest = histogram.buckets.reduce((a, b) => (b.total > a.total ? b : a));
    const over = await page.locator('.histogram-chart .u-over').boundingBox();
    if (!over) throw new Error('no plot area');
    const middle = Date.parse(busiest.start) + width / 2;
    await page.mouse.click(
      over.x + (over.width * (middle - spanFrom)) / (spanUntil - spanFrom),
      over.y + over.height - 4,
    );
    await page.waitForURL(/period=custom/);
    const url = new URL(page.url());
    expect(url.searchParams.get('from')).toBe(busiest.start);
    expect(url.searchParams.get('to')).toBe(new Date(Date.parse(busiest.start) + width).toISOString());
    await expect.poll(() => summary(page)).toBe(`Page 1 · ${busiest.total} results`);
    await page.getByText('Narrowed on the chart').waitFor();
    expect(problems.messages).toEqual([]);
    await context.close();
  });

  it('a non-admin sees only their own activity, whatever the URL asks for', async () => {
    const { context, page, problems } = await openTab(browser);
    await logInThroughForm(page, baseUrl, ben.username, ben.password);
    await page.goto(`${baseUrl}/activity?user=${ana.id}&period=7d`);
    await page.locator('tbody tr').first().waitFor();
    const options = await page.getByLabel('Users').locator('option').allInnerTexts();
    expect(options).toEqual([ben.username]);
    const users = new Set(await page.locator('tbody td[data-label="User"]').allInnerTexts());
    expect([...users]).toEqual([ben.username]);
    // 40 backups and this login.
    await expect.poll(() => summary(page)).toBe('Page 1 · 41 results');

    const downloading = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Download CSV' }).click();
    const csv = readFileSync((await (await downloading).path()) as string, 'utf8');
    const records = parse(csv, { bom: true, columns: true }) as Array<Record<string, string>>;
    expect(records).toHaveLength(41);
    expect(new Set(records.map((r) => r.User))).toEqual(new Set([ben.username]));
    expect(problems.messages).toEqual([]);
    await context.close();
  });

  // Last: its user and events would change the counts the tests above expect.
  it('a row with object details expands into a key/value block; string details show as they are', async () => {
    const cara = await createUser(admin, 'cara');
    await ingest(baseUrl, admin, [
      { activity: 'replicate', username: cara.username, target: 'Org Acme Prod', details: '12 records' },
      {
        activity: 'replicate',
        username: cara.username,
        target: 'Org Acme UAT',
        details: { job: { id: 4711, kind: 'full' }, objects: ['Account', 'Contact'], warnings: 0 },
      },
    ]);
    const { context, page, problems } = await openTab(browser);
    await logInThroughForm(page, baseUrl, ADMIN.username, ADMIN.password);
    await page.goto(`${baseUrl}/activity?user=${cara.id}&period=7d&activity=replicate`);
    const toggle = page.getByRole('button', { name: /job\.id: 4711/ });
    await toggle.waitFor();
    expect(await page.getByText('12 records').count()).toBe(1);
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    await toggle.click();
    const block = page.locator('.details-fields');
    await block.waitFor();
    expect(await block.locator('dt').allInnerTexts()).toEqual([
      'job.id',
      'job.kind',
      'objects[0]',
      'objects[1]',
      'warnings',
    ]);
    expect(await block.locator('dd').allInnerTexts()).toEqual(['4711', 'full', 'Account', 'Contact', '0']);
    if (process.env.DETAILS_SHOT) await page.screenshot({ path: process.env.DETAILS_SHOT, fullPage: false });
    await page.getByRole('button', { name: '5 fields' }).click();
    await expect.poll(() => block.count()).toBe(0);
    expect(problems.messages).toEqual([]);
    await context.close();
  });
});
