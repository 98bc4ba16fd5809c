import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDatabase } from '../src/db/database.ts';
import { StreamReceiver, signatureIsValid } from '../test/helpers/stream-receiver.ts';
import { adminLogin, createUser } from './helpers/api.ts';
import { launchChromium, logInThroughForm, openTab } from './helpers/browser.ts';
import { ADMIN } from './helpers/server.ts';

const baseUrl = inject('baseUrl');
const databasePath = inject('databasePath');
const DAY_MS = 24 * 60 * 60 * 1000;
/** The page asks every 5 s, and a failing stream backs off up to 15 s between attempts. */
const SLOW = { timeout: 45_000 };
let browser: Browser;
let receiver: StreamReceiver | undefined;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await receiver?.stop();
  await browser?.close();
});

/**
 * Makes the stream's failures a day old, as if its receiver had been down since yesterday: the next
 * failed attempt stops it. Written again until it holds, since an attempt in flight writes back
 * the time it read.
 */
async function failingSinceYesterday(streamId: string, stopped: () => Promise<boolean>): Promise<void> {
  const database = createDatabase({ engine: 'sqlite', path: databasePath }, { mustExist: true });
  try {
    const deadline = Date.now() + SLOW.timeout;
    while (!(await stopped())) {
      if (Date.now() > deadline) throw new Error('the stream did not stop');
      await database.db
        .updateTable('activityStreams')
        .set({ failingSince: Date.now() - DAY_MS - 60_000 })
        .where('id', '=', streamId)
        .where('state', '=', 'active')
        .execute();
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } finally {
    await database.close();
  }
}

interface StreamView {
  id: string;
  name: string;
  state: string;
}

describe('Streams', () => {
  it('creates a stream through the form, delivers, tests, shows its failure, resumes it and deletes it', {
    timeout: 180_000,
  }, async () => {
    const admin = await adminLogin(baseUrl);
    const listed = async () =>
      (await admin.request<{ streams: StreamView[] }>('GET', '/api/streams')).streams;
    receiver = await new StreamReceiver().listen();
    const { context, page, problems } = await openTab(browser);
    await logInThroughForm(page, baseUrl, ADMIN.username, ADMIN.password);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Streams' }).click();
    await page.getByRole('heading', { name: 'Streams', level: 1 }).waitFor();
    await page.getByText('No streams yet.').waitFor();

    const form = page.getByRole('form', { name: 'New stream' });
    const name = `siem ${Date.now()}`;
    await form.getByLabel('Name').fill(name);

    // The token belongs to Splunk HEC only.
    expect(await form.getByLabel('HEC token').count()).toBe(0);
    await form.getByLabel('Format').selectOption({ label: 'Splunk HEC' });
    await form.getByLabel('HEC token').waitFor();
    await form.getByLabel('Format').selectOption({ label: 'JSON webhook' });
    await form.getByLabel('HEC token').waitFor({ state: 'detached' });

    // The API's refusal shows under the field it names.
    await form.getByLabel('URL').fill('ftp://collector.example.com/vault');
    await form.getByRole('button', { name: 'Generate' }).click();
    const secret = await form.getByLabel('Signing secret').inputValue();
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    await form.getByText('shown only now').waitFor();
    await form.getByRole('button', { name: 'Create stream' }).click();
    await form.getByText('url must be http or https, not ftp').waitFor();
    expect(await form.getByLabel('URL').getAttribute('aria-invalid')).toBe('true');

    await form.getByLabel('URL').fill(receiver.url);
    await form.getByRole('button', { name: 'Create stream' }).click();
    const row = page.locator('tbody tr', { hasText: name });
    await row.waitFor();
    // The form empties: the secret is not on the page any more.
    expect(await form.getByLabel('Signing secret').inputValue()).toBe('');
    expect(await page.content()).not.toContain(secret);
    expect(await row.innerText()).toContain('JSON webhook');
    expect(await row.innerText()).toContain(receiver.url);

    // Its own stream.created goes first, signed with the secret the form generated.
    await row.getByText('up to date').waitFor(SLOW);
    await row.getByText('Delivering').waitFor();
    await row.locator('td[data-label="Last success"] time').waitFor();
    expect(await row.locator('td[data-label="Last error"]').innerText()).toContain('none');
    const created = receiver.acceptedEvents().find((e) => e.activity === 'stream.created');
    expect(created).toMatchObject({ target: name });
    const batch = receiver.received.find((r) => r.headers['x-vault-delivery'] !== 'test');
    expect(batch && signatureIsValid(secret, batch)).toBe(true);

    await row.getByRole('button', { name: 'Send test' }).click();
    await row.getByText('Delivered (HTTP 200)').waitFor();
    const test = receiver.received.find((r) => r.headers['x-vault-delivery'] === 'test');
    expect(test && JSON.parse(test.body)).toMatchObject({ test: true, events: [] });
    expect(test && signatureIsValid(secret, test)).toBe(true);

    // The receiver goes away; the next activity (a sign-in) cannot be delivered.
    await receiver.stop();
    await adminLogin(baseUrl);
    const lastError = row.locator('td[data-label="Last error"]');
    await lastError.getByText(/could not connect: ECONNREFUSED/).waitFor(SLOW);
    await lastError.locator('time[title]').waitFor();
    expect(await row.locator('td[data-label="Lag"]').innerText()).toMatch(/^\d+ behind$/);
    expect(await row.getByRole('button', { name: 'Resume' }).count()).toBe(0);
    await row.getByRole('button', { name: 'Send test' }).click();
    await row.getByText(/^Not delivered: could not connect: ECONNREFUSED/).waitFor();

    // A day of failures stops it until an admin resumes it.
    const id = (await listed()).find((s) => s.name === name)?.id as string;
    await failingSinceYesterday(id, async () =>
      (await listed()).some((s) => s.id === id && s.state === 'failed'),
    );
    await row.getByText('Failed', { exact: true }).waitFor(SLOW);
    await row.getByRole('button', { name: 'Resume' }).click();
    await page.getByText(`${name} delivers again from where it stopped.`).waitFor();
    await row.getByText('Delivering').waitFor();
    await row.getByRole('button', { name: 'Resume' }).waitFor({ state: 'detached' });

    await row.getByRole('button', { name: 'Delete' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete this stream?' });
    await confirm.getByText(name).waitFor();
    await confirm.getByRole('button', { name: 'Delete stream' }).click();
    await row.waitFor({ state: 'detached' });
    expect((await listed()).some((s) => s.id === id)).toBe(false);
    await page.getByText('No streams yet.').waitFor();

    // The one refusal asked for (the ftp URL): the browser logs every 4xx answer.
    expect(problems.messages).toHaveLength(1);
    expect(problems.messages[0]).toMatch(/status of 400/);
    await admin.request('POST', '/api/auth/logout');
    await context.close();
  });

  it('a user sees no Streams link, and /streams tells them it is for admins without asking the API', async () => {
    const admin = await adminLogin(baseUrl);
    const user = await createUser(admin, 'plain');
    const { context, page, problems } = await openTab(browser);
    const asked: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname.startsWith('/api/streams')) asked.push(request.url());
    });
    await logInThroughForm(page, baseUrl, user.username, user.password);
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Activity Log' }).waitFor();
    expect(await nav.getByRole('link', { name: 'Streams' }).count()).toBe(0);

    await page.goto(`${baseUrl}/streams`);
    await page.getByText('Only an admin of your organization can manage its activity streams.').waitFor();
    expect(await page.getByRole('form', { name: 'New stream' }).count()).toBe(0);
    expect(asked).toEqual([]);
    expect(problems.messages).toEqual([]);
    await admin.request('POST', '/api/auth/logout');
    await context.close();
  });
});
