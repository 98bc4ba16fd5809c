import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { REPO } from './server.ts';

/** Debian's Chromium (apt-get install chromium); the tests never download a browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** `args`: more Chromium flags, e.g. `--host-resolver-rules` to give loopback servers real names. */
export function launchChromium(args: string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', ...args],
  });
}

/** Everything a page reported as wrong: console errors and uncaught exceptions. */
export interface PageProblems {
  messages: string[];
}

/** Collects console errors and page errors of every page of the context. */
export function watchProblems(context: BrowserContext): PageProblems {
  const problems: PageProblems = { messages: [] };
  const watch = (page: Page) => {
    page.on('console', (message) => {
      if (message.type() === 'error') problems.messages.push(`console: ${message.text()} (${page.url()})`);
    });
    page.on('pageerror', (error) => problems.messages.push(`pageerror: ${error.message} (${page.url()})`));
  };
  for (const page of context.pages()) watch(page);
  context.on('page', watch);
  return problems;
}

/**
 * Where screenshots go: docs/screenshots/ with UPDATE_SCREENSHOTS=1 (`npm run screenshots`),
 * otherwise a scratch folder, so an ordinary test run leaves the work tree alone.
 */
export function screenshotPath(name: string): string {
  const dir = process.env.UPDATE_SCREENSHOTS
    ? join(REPO, 'docs', 'screenshots')
    : join(tmpdir(), 'vault-e2e-screenshots');
  mkdirSync(dir, { recursive: true });
  return join(dir, `${name}.png`);
}

/** Logs in through the login form, as a person would. */
export async function logInThroughForm(page: Page, baseUrl: string, username: string, password: string) {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Session Information' }).waitFor();
}

export interface Tab {
  context: BrowserContext;
  page: Page;
  problems: PageProblems;
}

/** A fresh browser profile (its own cookies) with one tab, watched for console errors. */
export async function openTab(
  browser: Browser,
  options: Parameters<Browser['newContext']>[0] = {},
): Promise<Tab> {
  const context = await browser.newContext({
    viewport: { width: 1440, height: 900 },
    locale: 'en-US',
    timezoneId: 'Europe/Berlin',
    acceptDownloads: true,
    ...options,
  });
  const problems = watchProblems(context);
  const page = await context.newPage();
  return { context, page, problems };
}
