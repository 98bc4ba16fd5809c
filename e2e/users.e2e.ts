import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { adminLogin, apiLogin, createUser } from './helpers/api.ts';
import { launchChromium, logInThroughForm, openTab } from './helpers/browser.ts';
import { ADMIN } from './helpers/server.ts';

const baseUrl = inject('baseUrl');
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** The row of one user in the Users table (the tests share a server: other tests' users are there too). */
const rowOf = (page: Page, username: string) => page.locator(`tr[data-username="${username}"]`);

/** Clicks a row's action and confirms it in the dialog that asks. */
async function confirmAction(page: Page, username: string, action: string, confirm: string) {
  await page.getByRole('button', { name: `${action} ${username}`, exact: true }).click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  await dialog.getByRole('button', { name: confirm, exact: true }).click();
  await dialog.waitFor({ state: 'hidden' });
}

/** Whether the user's session is still accepted by the API. */
const accepted = (session: { request: (m: string, p: string) => Promise<unknown> }) =>
  session.request('GET', '/api/me').then(
    () => true,
    () => false,
  );

describe('Users page', () => {
  it('an admin adds a user, disables them (their sessions end), enables them again and makes them an admin', async () => {
    const { context, page, problems } = await openTab(browser);
    await logInThroughForm(page, baseUrl, ADMIN.username, ADMIN.password);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
    await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();

    // A taken username is said at the field, and the dialog stays open to fix it.
    await page.getByRole('button', { name: 'Add user' }).click();
    const add = page.getByRole('dialog', { name: 'Add user' });
    await add.getByLabel('Username').fill(ADMIN.username);
    await add.getByLabel('Password').fill('a long enough passphrase');
    await add.getByRole('button', { name: 'Add user' }).click();
    await add.getByText(`username "${ADMIN.username}" is already taken`).waitFor();

    const username = `dana${Date.now().toString(36)}`;
    const password = 'a long enough passphrase';
    await add.getByLabel('Username').fill(username);
    await add.getByRole('button', { name: 'Add user' }).click();
    await add.waitFor({ state: 'hidden' });
    const row = rowOf(page, username);
    await row.waitFor();
    expect(await row.getByRole('cell').allInnerTexts()).toEqual([
      username,
      'User',
      'Active',
      '0',
      'Never',
      expect.any(String),
      expect.any(String),
    ]);

    // They log in twice; the list counts their live sessions and links to them.
    const laptop = await apiLogin(baseUrl, username, password);
    await apiLogin(baseUrl, username, password, { ip: '8.8.8.8' });
    await page.reload();
    await row.getByRole('link', { name: `2 live sessions of ${username}` }).waitFor();
    expect(await row.getByText('Active').count()).toBe(1);

    await confirmAction(page, username, 'Disable', 'Disable');
    await row.getByText('Disabled').waitFor();
    expect(await row.getByRole('cell').nth(3).innerText()).toBe('0');
    expect(await accepted(laptop)).toBe(false);
    await expect(apiLogin(baseUrl, username, password)).rejects.toThrow(/401/);

    await confirmAction(page, username, 'Enable', 'Enable');
    await row.getByText('Active').waitFor();
    const again = await apiLogin(baseUrl, username, password);
    expect(await accepted(again)).toBe(true);

    await confirmAction(page, username, 'Make admin:', 'Make admin');
    await row.getByText('Admin', { exact: true }).waitFor();
    const promoted = await again.request<{ users: unknown[] }>('GET', '/api/users');
    expect(promoted.users.length).toBeGreaterThan(1);

    // The live sessions link opens Session Information filtered to that user.
    await page.reload();
    await row.getByRole('link', { name: `1 live session of ${username}` }).click();
    await page.waitForURL(/\/sessions\?userId=/);
    await page.getByRole('heading', { name: 'Session Information' }).waitFor();
    // The only console error is the browser's own note about the refused (taken) username.
    expect(problems.messages).toHaveLength(1);
    expect(problems.messages[0]).toMatch(/status of 409/);
    await context.close();
  });

  it('a reset password is shown once, works, and ends the old sessions; one’s own row offers no disabling', async () => {
    const admin = await adminLogin(baseUrl);
    const user = await createUser(admin, 'reset');
    const old = await apiLogin(baseUrl, user.username, user.password);
    const { context, page, problems } = await openTab(browser);
    await logInThroughForm(page, baseUrl, ADMIN.username, ADMIN.password);
    await page.goto(`${baseUrl}/users`);
    await rowOf(page, user.username).waitFor();

    await page.getByRole('button', { name: `Reset password of ${user.username}` }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Reset password' }).click();
    const shown = await dialog.getByTestId('generated-password').innerText();
    expect(shown).toMatch(/^[A-Za-z0-9_-]{24}$/);
    await dialog.getByRole('button', { name: 'Done' }).click();
    expect(await accepted(old)).toBe(false);
    expect(await accepted(await apiLogin(baseUrl, user.username, shown))).toBe(true);

    const own = rowOf(page, ADMIN.username);
    expect(await own.getByRole('button', { name: `Disable ${ADMIN.username}` }).isDisabled()).toBe(true);
    expect(await own.getByRole('button', { name: `Make user: ${ADMIN.username}` }).isDisabled()).toBe(true);
    expect(problems.messages).toEqual([]);
    await context.close();
  });

  it('an org of more than a page: 100 a page with Next and Previous, the search asks the server, actions work on page 2', async () => {
    const admin = await adminLogin(baseUrl);
    const prefix = `crowd${Date.now().toString(36)}-`;
    const names: string[] = [];
    for (let batch = 0; batch < 101; batch += 10) {
      const made = await Promise.all(
        Array.from({ length: Math.min(10, 101 - batch) }, (_, i) =>
          createUser(admin, `${prefix}${String(batch + i).padStart(3, '0')}`, { exact: true }),
        ),
      );
      names.push(...made.map((u) => u.username));
    }
    const { context, page, problems } = await openTab(browser);
    await logInThroughForm(page, baseUrl, ADMIN.username, ADMIN.password);
    await page.goto(`${baseUrl}/users`);
    const pager = page.getByRole('navigation', { name: 'Pages' });
    await pager.waitFor();
    expect(await page.locator('tbody tr').count()).toBe(100);

    await page.getByLabel('Find').fill(prefix.toUpperCase());
    await page.getByText('101 matching users').waitFor();
    await pager.getByText('Page 1 of 2').waitFor();
    expect(await page.locator('tbody tr').count()).toBe(100);
    await rowOf(page, names[0] ?? '').waitFor();

    await pager.getByRole('button', { name: 'Next ›' }).click();
    await pager.getByText('Page 2 of 2').waitFor();
    const last = names.at(-1) ?? '';
    await rowOf(page, last).waitFor();
    expect(await page.locator('tbody tr').count()).toBe(1);
    await confirmAction(page, last, 'Disable', 'Disable');
    await rowOf(page, last).getByText('Disabled').waitFor();
    await pager.getByText('Page 2 of 2').waitFor();

    await pager.getByRole('button', { name: '‹ Previous' }).click();
    await pager.getByText('Page 1 of 2').waitFor();
    await rowOf(page, names[0] ?? '').waitFor();
    expect(problems.messages).toEqual([]);
    await context.close();
  });

  it('a user sees no Users link, and /users tells them it is for admins only', async () => {
    const admin = await adminLogin(baseUrl);
    const user = await createUser(admin, 'plain');
    const { context, page, problems } = await openTab(browser);
    await logInThroughForm(page, baseUrl, user.username, user.password);
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Activity Log' }).waitFor();
    expect(await nav.getByRole('link', { name: 'Users' }).count()).toBe(0);

    await page.goto(`${baseUrl}/users`);
    await page.getByText('Admins only').waitFor();
    expect(await page.getByRole('button', { name: 'Add user' }).count()).toBe(0);
    expect(problems.messages).toEqual([]);
    await context.close();
  });
});
