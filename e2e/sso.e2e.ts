import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiSession, adminLogin, createUser } from './helpers/api.ts';
import { launchChromium, logInThroughForm, openTab, screenshotPath } from './helpers/browser.ts';
import { type PageProvider, startPageProvider } from './helpers/oidc-pages.ts';
import { ADMIN, freePort, type RunningServer, startServer } from './helpers/server.ts';

/**
 * Single sign-on in Chromium against a real OpenID provider (oidc-provider) with sign-in and
 * consent pages: the admin page, "Continue with SSO" on the login page, the refusals the callback
 * sends back, and SSO_REQUIRED. Its own server: an enforced SSO must not reach the other files' org.
 */
let server: RunningServer;
let idp: PageProvider;
let browser: Browser;
let admin: ApiSession;

beforeAll(async () => {
  server = await startServer();
  idp = await startPageProvider(`${server.baseUrl}/api/auth/sso/callback`);
  browser = await launchChromium();
  admin = await adminLogin(server.baseUrl);
});
afterAll(async () => {
  await browser?.close();
  await idp?.close();
  await server?.stop();
});

const ssoButton = (page: Page) => page.getByRole('button', { name: 'Continue with SSO' });

/** Through the provider's own pages: sign in as `email`, then allow Vault; back at the vault. */
async function signInAtProvider(page: Page, email: string) {
  await page.getByRole('heading', { name: 'Test IdP: sign in' }).waitFor();
  expect(page.url().startsWith(idp.issuer)).toBe(true);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('whatever the IdP checks');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.waitForURL((url) => url.origin === server.baseUrl);
}

describe('Single sign-on', () => {
  it('an admin sets up the provider: field errors by the field, Test connection check by check, Save, a write-only secret', {
    timeout: 120_000,
  }, async () => {
    const { context, page, problems } = await openTab(browser);
    await logInThroughForm(page, server.baseUrl, ADMIN.username, ADMIN.password);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'SSO' }).click();
    await page.getByRole('heading', { name: 'Single sign-on', level: 1 }).waitFor();
    await page.getByText('Not set up yet').waitFor();
    expect(await page.getByLabel('Redirect URI').inputValue()).toBe(
      `${server.baseUrl}/api/auth/sso/callback`,
    );
    expect(await page.getByLabel('Redirect URI').getAttribute('readonly')).not.toBeNull();

    const form = page.getByRole('form', { name: 'Single sign-on settings' });
    // Nothing typed: each field says what it needs, and the first takes the focus.
    await form.getByRole('button', { name: 'Save' }).click();
    await form.getByText('Enter the provider’s issuer URL.').waitFor();
    await form.getByText('Enter at least one email domain').waitFor();
    await expect.poll(() => page.evaluate<string>('document.activeElement?.id')).toBe('sso-issuer');

    await form.getByLabel('Client ID').fill(idp.clientId);
    await form.getByLabel('Client secret').fill(idp.clientSecret);
    // The server's refusal of a domain, by the field, naming it (the test checks the input too).
    await form.getByLabel('Issuer URL').fill(idp.issuer);
    await form.getByLabel('Email domains').fill('example.com\nacme');
    await form.getByRole('button', { name: 'Test connection' }).click();
    await form.getByText('“acme” is not a domain').waitFor();
    expect(await form.getByLabel('Email domains').getAttribute('aria-invalid')).toBe('true');
    await form.getByLabel('Email domains').fill('example.com');
    expect(await form.getByLabel('Email domains').getAttribute('aria-invalid')).toBeNull();

    // Nothing listens at this issuer: the test says where it fails, before anything is saved.
    await form.getByLabel('Issuer URL').fill(`http://127.0.0.1:${await freePort()}`);
    await form.getByRole('button', { name: 'Test connection' }).click();
    await page.getByText('The connection does not work yet.').waitFor();
    const failed = page.locator('.sso-checks li.failed');
    expect(await failed.innerText()).toMatch(/discovery[\s\S]*could not be reached/);
    expect(await admin.request('GET', '/api/org/sso').catch((e: Error) => e.message)).toContain('404');

    // The provider refuses a wrong secret: the test names the check and what to fix.
    await form.getByLabel('Issuer URL').fill(idp.issuer);
    await form.getByLabel('Client secret').fill('not the secret');
    await form.getByRole('button', { name: 'Test connection' }).click();
    await page.locator('.sso-checks li.failed', { hasText: 'client credentials' }).waitFor();
    expect(await failed.innerText()).toMatch(/refused the client id or secret/);
    expect(await failed.count()).toBe(1);

    await form.getByLabel('Client secret').fill(idp.clientSecret);
    await form.getByRole('button', { name: 'Test connection' }).click();
    await page.getByText('The connection works.').waitFor();
    expect(await failed.count()).toBe(0);
    for (const check of ['issuer', 'discovery', 'endpoints', 'PKCE S256', 'client credentials']) {
      expect(await page.locator('.sso-checks li.ok', { hasText: check }).count()).toBe(1);
    }

    // Break-glass means something only while SSO is required.
    const breakGlass = form.getByLabel('Let admins still log in with a password (break-glass)');
    expect(await breakGlass.isDisabled()).toBe(true);
    await form.getByLabel('Require SSO').check();
    expect(await breakGlass.isDisabled()).toBe(false);
    await form.getByLabel('Require SSO').uncheck();
    await form.getByLabel('Create accounts at the first sign-in').check();
    await form.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Single sign-on saved.').waitFor();
    await page.getByText('Passwords still work').waitFor();

    // The secret is write-only: gone from the page, the field says one is stored.
    expect(await form.getByLabel('Client secret').inputValue()).toBe('');
    expect(await form.getByLabel('Client secret').getAttribute('placeholder')).toBe(
      'stored — leave empty to keep',
    );
    expect(await page.content()).not.toContain(idp.clientSecret);
    const stored = await admin.request<Record<string, unknown>>('GET', '/api/org/sso');
    expect(stored).toMatchObject({
      issuer: idp.issuer,
      clientId: idp.clientId,
      emailDomains: ['example.com'],
      autoCreateUsers: true,
      enforced: false,
    });
    expect(JSON.stringify(stored)).not.toContain(idp.clientSecret);

    // After a reload the form is the stored config, and the test uses the stored secret.
    await page.reload();
    await form.getByLabel('Issuer URL').waitFor();
    expect(await form.getByLabel('Issuer URL').inputValue()).toBe(idp.issuer);
    expect(await form.getByLabel('Email domains').inputValue()).toBe('example.com');
    await form.getByRole('button', { name: 'Test connection' }).click();
    await page.getByText('The connection works.').waitFor();
    await page.screenshot({ path: screenshotPath('18-sso-admin'), fullPage: true });

    const phone = await openTab(browser, {
      viewport: { width: 375, height: 812 },
      isMobile: true,
      hasTouch: true,
    });
    await logInThroughForm(phone.page, server.baseUrl, ADMIN.username, ADMIN.password);
    await phone.page.goto(`${server.baseUrl}/sso`);
    await phone.page.getByLabel('Issuer URL').waitFor();
    await phone.page.getByRole('button', { name: 'Test connection' }).click();
    await phone.page.getByText('The connection works.').waitFor();
    const overflow = await phone.page.evaluate<number>(
      'document.documentElement.scrollWidth - window.innerWidth',
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await phone.page.screenshot({ path: screenshotPath('20-mobile-sso-admin'), fullPage: true });
    await phone.context.close();

    // The browser logs the two refusals the page turned into words: "not set up yet" and the domain.
    expect(problems.messages).toHaveLength(2);
    expect(problems.messages[0]).toMatch(/status of 404/);
    expect(problems.messages[1]).toMatch(/status of 400/);
    await context.close();
  });

  it('a person types their email, continues with SSO through the provider’s pages, and lands on their sessions with the SSO badge', {
    timeout: 60_000,
  }, async () => {
    const { context, page, problems } = await openTab(browser);
    await page.goto(`${server.baseUrl}/login`);
    await page.getByLabel('Username or email').waitFor();
    await page.screenshot({ path: screenshotPath('15-login-email') });

    // A plain username keeps the password; an email of an SSO domain swaps it for the button.
    await page.getByLabel('Username or email').fill('alice');
    expect(await page.getByLabel('Password').isVisible()).toBe(true);
    await page.getByLabel('Username or email').fill('Alice@Example.com');
    await ssoButton(page).waitFor();
    expect(await page.getByLabel('Password').isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: 'Log in', exact: true }).isVisible()).toBe(false);
    await page.screenshot({ path: screenshotPath('16-login-sso') });

    await ssoButton(page).click();
    await signInAtProvider(page, 'alice@example.com');
    await page.getByRole('heading', { name: 'Session Information' }).waitFor();
    await page
      .getByRole('button', { name: /^Profile/ })
      .getByText('alice@example.com')
      .waitFor();
    const row = page.locator('tbody tr').first();
    await row.locator('.badge-sso', { hasText: 'SSO' }).waitFor();
    expect(await row.innerText()).toContain('alice@example.com');
    // The vault's pages logged nothing wrong (the test provider's own pages are not under test).
    expect(problems.messages.filter((m) => !m.includes(idp.issuer))).toEqual([]);
    await context.close();
  });

  it('a refused sign-in comes back to the login page saying why, without a session', {
    timeout: 60_000,
  }, async () => {
    const { context, page } = await openTab(browser);
    idp.unverified.add('bob@example.com');
    await page.goto(`${server.baseUrl}/login`);
    await page.getByLabel('Username or email').fill('bob@example.com');
    await ssoButton(page).click();
    await signInAtProvider(page, 'bob@example.com');
    await page.waitForURL(/\/login\?error=sso_email_unverified$/);
    const alert = page.getByRole('alert');
    await alert.getByText('Your email address is not verified').waitFor();
    await page.getByRole('heading', { name: 'Log in to Vault' }).waitFor();
    const me = await page.evaluate(() => fetch('/api/me').then((r) => r.status));
    expect(me).toBe(401);
    // Starting again is one click: the email it started with is back in the field.
    expect(await page.getByLabel('Username or email').inputValue()).toBe('bob@example.com');
    await ssoButton(page).waitFor();
    await page.screenshot({ path: screenshotPath('17-login-sso-error') });
    // Without a refusal to come back from, the field starts empty.
    await page.goto(`${server.baseUrl}/login`);
    await page.getByLabel('Username or email').waitFor();
    expect(await page.getByLabel('Username or email').inputValue()).toBe('');

    // Started as a colleague of the domain, signed in at the provider as someone from elsewhere
    // (without the provider's session for bob, so it asks who signs in).
    await context.clearCookies();
    await page.getByLabel('Username or email').fill('carol@example.com');
    await ssoButton(page).click();
    await signInAtProvider(page, 'carol@elsewhere.org');
    await page.waitForURL(/\/login\?error=sso_email_not_allowed$/);
    await page.getByRole('alert').getByText('This email cannot sign in here').waitFor();
    await context.close();
  });

  it('with SSO required, a password login turns into the SSO button and says why; admins keep break-glass', {
    timeout: 60_000,
  }, async () => {
    await admin.request('POST', '/api/users', {
      username: 'dave@example.com',
      password: 'a long enough passphrase',
      role: 'user',
    });
    const eve = await createUser(admin, 'eve');
    const stored = await admin.request<Record<string, unknown>>('GET', '/api/org/sso');
    await admin.request('PUT', '/api/org/sso', {
      issuer: stored.issuer,
      clientId: stored.clientId,
      emailDomains: stored.emailDomains,
      autoCreateUsers: true,
      enforced: true,
      allowAdminPasswordLogin: true,
    });

    const { context, page, problems } = await openTab(browser, { viewport: { width: 375, height: 812 } });
    await page.goto(`${server.baseUrl}/login`);
    await page.getByLabel('Username or email').fill('dave@example.com');
    await page.getByRole('button', { name: 'Log in with a password instead' }).click();
    await page.getByLabel('Password').waitFor();
    await expect.poll(() => page.evaluate<string>('document.activeElement?.id')).toBe('password');
    await page.getByLabel('Password').fill('a long enough passphrase');
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await page.getByText('Password logins are turned off for your account.').waitFor();
    expect(await page.getByLabel('Password').isVisible()).toBe(false);
    await expect
      .poll(() => page.evaluate<string>('document.activeElement?.textContent'))
      .toBe('Continue with SSO');
    expect(await page.getByRole('button', { name: 'Log in with a password instead' }).count()).toBe(0);
    await page.screenshot({ path: screenshotPath('19-mobile-login-sso-required') });

    // A username finds no provider: the page asks for the work email.
    await page.goto(`${server.baseUrl}/login`);
    await page.getByLabel('Username or email').fill(eve.username);
    await page.getByLabel('Password').fill(eve.password);
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await page.getByText('Enter your work email instead of your username').waitFor();
    await expect.poll(() => page.evaluate<string>('document.activeElement?.id')).toBe('username');

    // Break-glass: the admin's password still works.
    await logInThroughForm(page, server.baseUrl, ADMIN.username, ADMIN.password);
    expect(problems.messages.filter((m) => !m.includes('403'))).toEqual([]);
    await context.close();
  });

  it('Remove asks first, and afterwards the email logs in with a password again', {
    timeout: 60_000,
  }, async () => {
    const { context, page, problems } = await openTab(browser);
    await logInThroughForm(page, server.baseUrl, ADMIN.username, ADMIN.password);
    await page.goto(`${server.baseUrl}/sso`);
    await page.getByText('Required for everyone').waitFor();
    await page.getByRole('button', { name: 'Remove', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove single sign-on?' });
    await dialog.getByText(idp.issuer).waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await admin.request('GET', '/api/org/sso')).toMatchObject({ issuer: idp.issuer });
    await page.getByRole('button', { name: 'Remove', exact: true }).click();
    await dialog.getByRole('button', { name: 'Remove single sign-on' }).click();
    await page.getByText('Single sign-on was removed').waitFor();
    await page.getByText('Not set up yet').waitFor();

    const other = await openTab(browser);
    await logInThroughForm(other.page, server.baseUrl, 'dave@example.com', 'a long enough passphrase');
    expect(await ssoButton(other.page).count()).toBe(0);
    await other.context.close();
    expect(problems.messages).toEqual([]);
    await context.close();
  });
});
