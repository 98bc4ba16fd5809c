import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
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

const readWith = (key: string) =>
  fetch(`${baseUrl}/api/activities?period=1d`, { headers: { authorization: `Bearer ${key}` } });

describe('API keys', () => {
  it('creates a key with the scopes chosen, shows it once, lists it without it, and revokes it', async () => {
    const { context, page, problems } = await openTab(browser);
    await logInThroughForm(page, baseUrl, ADMIN.username, ADMIN.password);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API keys' }).click();
    await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor();

    const name = `siem pull ${Date.now()}`;
    await page.getByLabel('Name').fill(name);
    await page.getByRole('checkbox', { name: /Record activities/ }).uncheck();
    await page.getByRole('checkbox', { name: /Read the activity log/ }).check();
    await page.getByRole('button', { name: 'Create key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Your new API key' });
    await dialog.waitFor();
    await dialog.getByText('not shown again').waitFor();
    const key = await dialog.getByLabel('The new key').inputValue();
    expect(key).toMatch(/^vsk_/);
    await dialog.getByRole('button', { name: 'Done' }).click();

    // It reads the log as the SIEM will; it cannot write.
    expect((await readWith(key)).status).toBe(200);
    const row = page.locator('tr', { hasText: name });
    await row.waitFor();
    expect(await row.innerText()).toContain('activities:read');
    expect(await row.innerText()).not.toContain('activities:write');
    // The list never holds the key itself, only its prefix.
    expect(await page.content()).not.toContain(key);

    await row.getByRole('button', { name: 'Revoke' }).click();
    const confirm = page.getByRole('dialog', { name: 'Revoke this key?' });
    await confirm.getByRole('button', { name: 'Revoke key' }).click();
    await row.waitFor({ state: 'detached' });
    expect((await readWith(key)).status).toBe(401);
    expect(problems.messages).toEqual([]);
    await context.close();
  });
});
