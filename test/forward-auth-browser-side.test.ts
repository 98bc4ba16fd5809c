import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { describeEachEngine } from './helpers/engines.js';
import { as, type SeededOrg, seedOrg, signIn } from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const ENV = { ALLOWED_REDIRECT_HOSTS: 'app.example.com,files.example.com:8443' };

describeEachEngine('forward auth in the browser: rd, CORS, session.js, COOKIE_DOMAIN', (engine) => {
  let t: TestApp;
  let acme: SeededOrg;
  afterEach(() => t.close());

  async function start(env: Record<string, string> = ENV) {
    const webRoot = mkdtempSync(join(tmpdir(), 'vault-web-'));
    writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>Vault</title>');
    t = await createTestApp(engine, { env, webRoot });
    acme = await seedOrg(t.app);
  }

  const loginPage = (query: string, cookie?: string) =>
    t.app.inject({
      method: 'GET',
      url: `/login${query}`,
      headers: { host: 'vault.example.com', ...(cookie ? { cookie } : {}) },
    });

  describe('GET /login?rd=', () => {
    it('sends someone already logged in to an allowed rd, taken verbatim after rd=', async () => {
      await start();
      const user = await signIn(t.app, acme.user.username);
      const response = await loginPage('?rd=https://app.example.com/backups?page=2&sort=size', user.cookie);
      expect(response.statusCode).toBe(302);
      expect(response.headers.location).toBe('https://app.example.com/backups?page=2&sort=size');
      expect(response.headers['cache-control']).toBe('no-store');
      const pinned = await loginPage('?reason=expired&rd=https://files.example.com:8443/f', user.cookie);
      expect(pinned.headers.location).toBe('https://files.example.com:8443/f');
      const own = await loginPage('?rd=http://vault.example.com/activity', user.cookie);
      expect(own.headers.location).toBe('http://vault.example.com/activity');
    });

    it.each([
      '//evil.test',
      'https://evil.test/',
      'javascript:alert(1)',
      'https:\\\\evil.test',
      'https://app.example.com@evil.test/',
      'https://app.example.com.evil.test/',
      'https://files.example.com/',
      'https%3A%2F%2Fevil.test',
    ])('sends someone logged in to / instead of %j (no open redirect)', async (rd) => {
      await start();
      const user = await signIn(t.app, acme.user.username);
      const response = await loginPage(`?rd=${rd}`, user.cookie);
      expect(response.statusCode).toBe(302);
      expect(response.headers.location).toBe('/');
    });

    it('shows the login page to someone not logged in, or whose session ended', async () => {
      await start();
      const fresh = await loginPage('?rd=https://app.example.com/');
      expect(fresh.statusCode).toBe(200);
      expect(fresh.headers['content-type']).toMatch(/^text\/html/);
      const user = await signIn(t.app, acme.user.username);
      await as(t.app, user).post('/api/auth/logout');
      const ended = await loginPage('?rd=https://app.example.com/', user.cookie);
      expect(ended.statusCode).toBe(200);
    });

    it('without ALLOWED_REDIRECT_HOSTS goes only to the vault itself', async () => {
      await start({});
      const user = await signIn(t.app, acme.user.username);
      expect((await loginPage('?rd=https://app.example.com/', user.cookie)).headers.location).toBe('/');
      expect((await loginPage('?rd=http://vault.example.com/x', user.cookie)).headers.location).toBe(
        'http://vault.example.com/x',
      );
    });
  });

  describe('CORS for protected apps', () => {
    it('lets an allowed origin read the stream and verify with credentials, and no one else', async () => {
      await start();
      const user = await signIn(t.app, acme.user.username);
      const call = (url: string, origin: string) =>
        t.app.inject({ method: 'GET', url, headers: { cookie: user.cookie, origin } });
      const allowed = await call('/api/auth/verify', 'https://app.example.com');
      expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example.com');
      expect(allowed.headers['access-control-allow-credentials']).toBe('true');
      expect(String(allowed.headers.vary)).toMatch(/origin/i);
      for (const origin of [
        'https://evil.test',
        'https://files.example.com',
        'null',
        'https://app.example.com.evil.test',
      ]) {
        expect(
          (await call('/api/auth/verify', origin)).headers['access-control-allow-origin'],
        ).toBeUndefined();
      }
      // Other routes stay same-origin only, even for an allowed origin.
      expect(
        (await call('/api/me', 'https://app.example.com')).headers['access-control-allow-origin'],
      ).toBeUndefined();
      expect(
        (await call('/api/sessions', 'https://app.example.com')).headers['access-control-allow-origin'],
      ).toBeUndefined();
    });

    it('over HTTPS answers only HTTPS pages of an allowed host', async () => {
      await start({ ...ENV, TRUST_PROXY: 'loopback' });
      const user = await signIn(t.app, acme.user.username);
      const call = (origin: string) =>
        t.app.inject({
          method: 'GET',
          url: '/api/auth/verify',
          headers: { cookie: user.cookie, origin, 'x-forwarded-proto': 'https' },
        });
      expect((await call('https://app.example.com')).headers['access-control-allow-origin']).toBe(
        'https://app.example.com',
      );
      expect((await call('http://app.example.com')).headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  describe('/api/auth/session.js', () => {
    it('is served as JavaScript that other origins may load with a script tag', async () => {
      await start();
      const response = await t.app.inject({ method: 'GET', url: '/api/auth/session.js' });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(response.headers['cross-origin-resource-policy']).toBe('cross-origin');
      expect(response.body).toContain('/api/sessions/stream');
      expect(response.body).toContain("'rd=' + window.location.href");
      // It parses as a script.
      expect(() => new Function(response.body)).not.toThrow();
    });
  });

  describe('COOKIE_DOMAIN', () => {
    it('sets the session cookie for the domain (host-only without it), and it works on the siblings', async () => {
      await start({ ...ENV, COOKIE_DOMAIN: 'example.com' });
      const user = await signIn(t.app, acme.user.username);
      const cookie = user.response.cookies.find((c) => c.name === 'vault_session');
      expect(cookie?.domain).toBe('example.com');
      const verify = await t.app.inject({
        method: 'GET',
        url: '/api/auth/verify',
        headers: { cookie: user.cookie, host: 'vault.example.com', 'x-forwarded-host': 'app.example.com' },
      });
      expect(verify.statusCode).toBe(200);
    });

    it('over HTTPS is __Secure-vault_session with the Domain (a __Host- cookie cannot have one)', async () => {
      await start({ ...ENV, COOKIE_DOMAIN: 'example.com', TRUST_PROXY: 'loopback' });
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        headers: { 'x-forwarded-proto': 'https' },
        payload: { username: acme.user.username, password: 'correct horse battery staple' },
      });
      const cookie = response.cookies.find((c) => c.name.endsWith('vault_session'));
      expect(cookie).toMatchObject({
        name: '__Secure-vault_session',
        domain: 'example.com',
        secure: true,
        httpOnly: true,
      });
      const ok = await t.app.inject({
        method: 'GET',
        url: '/api/auth/verify',
        headers: { cookie: `__Secure-vault_session=${cookie?.value}`, 'x-forwarded-proto': 'https' },
      });
      expect(ok.statusCode).toBe(200);
      // The plain name is not read over HTTPS: a sibling host or plain-HTTP page could plant it.
      const plain = await t.app.inject({
        method: 'GET',
        url: '/api/auth/verify',
        headers: { cookie: `vault_session=${cookie?.value}`, 'x-forwarded-proto': 'https' },
      });
      expect(plain.statusCode).toBe(401);
    });

    it('expires the host-only cookie kept from before COOKIE_DOMAIN, at login and when a session is refused', async () => {
      await start({ ...ENV, COOKIE_DOMAIN: 'example.com' });
      const user = await signIn(t.app, acme.user.username);
      const hostOnly = (response: LightMyRequestResponse) =>
        response.cookies.find((c) => c.name === 'vault_session' && c.domain === undefined);
      const fresh = user.response.cookies.find(
        (c) => c.name === 'vault_session' && c.domain === 'example.com',
      );
      expect(fresh?.value).toBe(user.token);
      expect(hostOnly(user.response)).toMatchObject({ value: '', path: '/' });
      expect(new Date(hostOnly(user.response)?.expires ?? 0).getTime()).toBeLessThan(Date.now());
      // An old, ended host-only cookie sent first: refused, and expired along with the answer.
      const refused = await t.app.inject({
        method: 'GET',
        url: '/api/me',
        headers: { cookie: `vault_session=ended-before-the-domain; ${user.cookie}` },
      });
      expect(refused.statusCode).toBe(401);
      expect(hostOnly(refused)).toMatchObject({ value: '' });
    });

    it('without it the cookie is host-only', async () => {
      await start();
      const user = await signIn(t.app, acme.user.username);
      expect(user.response.cookies.find((c) => c.name === 'vault_session')?.domain).toBeUndefined();
    });
  });
});
