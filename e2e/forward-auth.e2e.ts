import { createServer, type Server } from 'node:http';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningProxy, startNginx } from '../test/helpers/proxies.ts';
import { adminLogin, createUser } from './helpers/api.ts';
import { launchChromium, openTab } from './helpers/browser.ts';
import { freePort, type RunningServer, startServer } from './helpers/server.ts';

/**
 * A protected app behind real nginx (the README's snippet), in Chromium: the login redirect with
 * `rd` and back, the identity headers, and session.js sending the app's tab to the login page when
 * an admin ends the session. Chromium resolves *.example.com to loopback, so the vault and the
 * app are two real hosts that share the cookie through COOKIE_DOMAIN.
 */
let server: RunningServer;
let nginx: RunningProxy;
let app: Server;
let browser: Browser;
let vaultOrigin: string;
let appOrigin: string;

/** The protected app: a page that shows who the proxy says is logged in, and includes session.js. */
function startApp(): Promise<{ server: Server; address: string }> {
  const server = createServer((request, response) => {
    const user = String(request.headers['x-vault-user'] ?? '(nobody)');
    const page = `<!doctype html><html><head><title>Backup Files</title></head><body>
<h1>Backup Files</h1><p>Signed in as <strong id="user">${user.replace(/[<>&]/g, '')}</strong></p>
<script src="${vaultOrigin}/api/auth/session.js" async></script></body></html>`;
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({ server, address: `127.0.0.1:${port}` });
    }),
  );
}

beforeAll(async () => {
  const port = await freePort();
  vaultOrigin = `http://vault.example.com:${port}`;
  appOrigin = `http://app.example.com:${port}`;
  server = await startServer({ COOKIE_DOMAIN: 'example.com', ALLOWED_REDIRECT_HOSTS: 'app.example.com' });
  const started = await startApp();
  app = started.server;
  nginx = await startNginx(
    { vault: new URL(server.baseUrl).host, app: started.address },
    { port, loginOrigin: vaultOrigin },
  );
  browser = await launchChromium(['--host-resolver-rules=MAP *.example.com 127.0.0.1']);
});
afterAll(async () => {
  await browser?.close();
  await nginx?.stop();
  await new Promise((resolve) => app?.close(resolve));
  await server?.stop();
});

describe('a protected app behind nginx', () => {
  it('sends a new visitor to the login page and back, and its tab to the login page on Logout', async () => {
    const admin = await adminLogin(server.baseUrl);
    const user = await createUser(admin, 'dana.files', { exact: true });
    const tab = await openTab(browser);
    const { page } = tab;

    await page.goto(`${appOrigin}/files?folder=2026&sort=size`);
    await page.getByLabel('Username').waitFor();
    expect(page.url()).toBe(`${vaultOrigin}/login?rd=${appOrigin}/files?folder=2026&sort=size`);

    await page.getByLabel('Username').fill(user.username);
    await page.getByLabel('Password').fill(user.password);
    const streamOpen = page.waitForResponse(
      (r) => r.url() === `${vaultOrigin}/api/sessions/stream?passive` && r.status() === 200,
    );
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Backup Files' }).waitFor();
    expect(page.url()).toBe(`${appOrigin}/files?folder=2026&sort=size`);
    expect(await page.locator('#user').textContent()).toBe(user.username);

    const { sessions } = await admin.request<{
      sessions: Array<{ id: string; username: string; lastUsedOn: string | null }>;
    }>('GET', '/api/sessions');
    const session = sessions.find((s) => s.username === user.username);
    expect(session?.lastUsedOn).toBe('app.example.com');

    // session.js has its stream open before the Logout.
    await streamOpen;
    await admin.request('POST', '/api/sessions/logout', { sessionIds: [session?.id] });
    await page.waitForURL(/\/login\?reason=terminated&rd=/, { timeout: 1_000 });
    expect(page.url()).toBe(
      `${vaultOrigin}/login?reason=terminated&rd=${appOrigin}/files?folder=2026&sort=size`,
    );
    await page.getByText('Your session was ended').waitFor();

    // The app itself refuses the ended session: back to the login page.
    await page.goto(`${appOrigin}/files`);
    await page.getByLabel('Username').waitFor();
    expect(page.url()).toBe(`${vaultOrigin}/login?rd=${appOrigin}/files`);
    // Over plain HTTP on a name that is not localhost, Chromium notes that it ignores the
    // Cross-Origin-Opener-Policy header: an artefact of the test's http://*.example.com hosts.
    // The login page's own check of the ended session answers 401, as it should.
    const expected = /Cross-Origin-Opener-Policy header has been ignored|responded with a status of 401/;
    expect(tab.problems.messages.filter((m) => !expected.test(m))).toEqual([]);
    await tab.context.close();
  });

  it("comes back to a hash-routed app after the login (the fragment is the browser's own)", async () => {
    const admin = await adminLogin(server.baseUrl);
    const user = await createUser(admin, 'fay.hash', { exact: true });
    const tab = await openTab(browser);
    const { page } = tab;
    await page.goto(`${appOrigin}/app#/dashboard`);
    await page.getByLabel('Username').fill(user.username);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Backup Files' }).waitFor();
    expect(new URL(page.url()).origin + new URL(page.url()).pathname).toBe(`${appOrigin}/app`);
    // Logged in, a ?next= that points off the console lands on the session list, not a blank page.
    for (const next of ['//evil.example.net/', '/\\evil.example.net', 'javascript:alert(1)']) {
      await page.goto(`${vaultOrigin}/login?next=${encodeURIComponent(next)}`);
      await page.getByRole('heading', { name: 'Session Information' }).waitFor();
    }
    await tab.context.close();
  });

  it('sends someone already logged in straight back to the app, and an unknown rd to the console', async () => {
    const admin = await adminLogin(server.baseUrl);
    const user = await createUser(admin, 'eli.restore', { exact: true });
    const tab = await openTab(browser);
    const { page } = tab;
    await page.goto(`${vaultOrigin}/login`);
    await page.getByLabel('Username').fill(user.username);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Session Information' }).waitFor();

    await page.goto(`${vaultOrigin}/login?rd=${appOrigin}/restore`);
    await page.getByRole('heading', { name: 'Backup Files' }).waitFor();
    expect(page.url()).toBe(`${appOrigin}/restore`);

    await page.goto(`${vaultOrigin}/login?rd=https://evil.example.net/`);
    await page.getByRole('heading', { name: 'Session Information' }).waitFor();
    expect(new URL(page.url()).origin).toBe(vaultOrigin);
    await tab.context.close();
  });
});
