import type { AddressInfo } from 'node:net';
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { describeEachEngine } from './helpers/engines.js';
import { PASSWORD, type SeededOrg, seedOrg } from './helpers/factories.js';
import { openSse } from './helpers/sse.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const PLAIN = 'vault_session';
const PREFIXED = '__Host-vault_session';
/** What a TLS-terminating proxy in front of the app adds (trusted with TRUST_PROXY=loopback). */
const OVER_HTTPS = { 'x-forwarded-proto': 'https' };

describeEachEngine('the session cookie over HTTPS is __Host- prefixed', (engine) => {
  let t: TestApp | undefined;
  let org: SeededOrg;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  async function start(env: Record<string, string>): Promise<TestApp> {
    t = await createTestApp(engine, { env });
    org = await seedOrg(t.app);
    return t;
  }

  const login = (app: TestApp, username: string, headers: Record<string, string> = {}) =>
    app.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers,
      payload: { username, password: PASSWORD },
    });
  const me = (app: TestApp, cookie: string, headers: Record<string, string> = {}) =>
    app.app.inject({ method: 'GET', url: '/api/me', headers: { cookie, ...headers } });
  /** The one session cookie an answer sets (the known-device cookie, vault_device, aside). */
  const only = (response: LightMyRequestResponse) => {
    const session = response.cookies.filter((c) => c.name !== 'vault_device');
    expect(session).toHaveLength(1);
    return session[0] as LightMyRequestResponse['cookies'][number];
  };

  describe('behind a trusted proxy that terminated HTTPS', () => {
    it('is set as __Host-vault_session: Secure, Path=/, no Domain, HttpOnly, SameSite=Lax', async () => {
      const app = await start({ TRUST_PROXY: 'loopback' });
      const response = await login(app, org.user.username, OVER_HTTPS);
      expect(response.statusCode).toBe(200);
      const cookie = only(response);
      expect(cookie).toMatchObject({
        name: PREFIXED,
        secure: true,
        path: '/',
        httpOnly: true,
        sameSite: 'Lax',
      });
      expect(cookie.domain).toBeUndefined();
      expect(cookie.maxAge).toBeUndefined();
      const ok = await me(app, `${PREFIXED}=${cookie.value}`, OVER_HTTPS);
      expect(ok.statusCode).toBe(200);
      expect(ok.json().user.username).toBe(org.user.username);
    });

    it('ignores a plain vault_session cookie, even a valid one: it is what a sibling host could plant', async () => {
      const app = await start({ TRUST_PROXY: 'loopback' });
      const token = only(await login(app, org.user.username, OVER_HTTPS)).value;
      const plain = await me(app, `${PLAIN}=${token}`, OVER_HTTPS);
      expect(plain.statusCode).toBe(401);
      expect(plain.json().error.code).toBe('NOT_AUTHENTICATED');
    });

    it("goes by the prefixed cookie when an attacker's plain one rides along", async () => {
      const app = await start({ TRUST_PROXY: 'loopback' });
      const victim = only(await login(app, org.user.username, OVER_HTTPS)).value;
      const attacker = only(await login(app, org.admin.username, OVER_HTTPS)).value;
      const response = await me(app, `${PLAIN}=${attacker}; ${PREFIXED}=${victim}`, OVER_HTTPS);
      expect(response.statusCode).toBe(200);
      expect(response.json().user.username).toBe(org.user.username);
    });

    it('is cleared by logout with the attributes a browser needs to replace it', async () => {
      const app = await start({ TRUST_PROXY: 'loopback' });
      const token = only(await login(app, org.user.username, OVER_HTTPS)).value;
      const response = await app.app.inject({
        method: 'POST',
        url: '/api/auth/logout',
        headers: { cookie: `${PREFIXED}=${token}`, ...OVER_HTTPS },
      });
      expect(response.statusCode).toBe(204);
      expect(only(response)).toMatchObject({ name: PREFIXED, value: '', maxAge: 0, secure: true, path: '/' });
      // And an ended session's cookie is cleared the same way by the next request.
      const after = await me(app, `${PREFIXED}=${token}`, OVER_HTTPS);
      expect(after.statusCode).toBe(401);
      expect(only(after)).toMatchObject({ name: PREFIXED, value: '', maxAge: 0, secure: true, path: '/' });
    });

    it('stays vault_session over plain HTTP through the same proxy, where __Host- would not count', async () => {
      const app = await start({ TRUST_PROXY: 'loopback' });
      const cookie = only(await login(app, org.user.username));
      expect(cookie.name).toBe(PLAIN);
      expect(cookie.secure).toBeFalsy();
      expect((await me(app, `${PLAIN}=${cookie.value}`)).statusCode).toBe(200);
      expect((await me(app, `${PREFIXED}=${cookie.value}`)).statusCode).toBe(401);
    });
  });

  it('ignores X-Forwarded-Proto from a proxy that is not trusted', async () => {
    const app = await start({});
    expect(only(await login(app, org.user.username, OVER_HTTPS)).name).toBe(PLAIN);
  });

  it('is __Host- prefixed with COOKIE_SECURE=true, and the event stream reads it', async () => {
    const app = await start({ COOKIE_SECURE: 'true' });
    const cookie = only(await login(app, org.user.username));
    expect(cookie).toMatchObject({ name: PREFIXED, secure: true, path: '/' });
    await app.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.app.server.address() as AddressInfo;
    const url = `http://127.0.0.1:${port}/api/sessions/stream`;
    const stream = await openSse(url, { cookie: `${PREFIXED}=${cookie.value}` });
    try {
      expect(stream.status).toBe(200);
      expect((await stream.next())?.event).toBe('ready');
    } finally {
      stream.close();
    }
    const plain = await openSse(url, { cookie: `${PLAIN}=${cookie.value}` });
    expect(plain.status).toBe(401);
    plain.close();
  });

  it('is plain vault_session with COOKIE_SECURE=false, even over HTTPS', async () => {
    const app = await start({ COOKIE_SECURE: 'false', TRUST_PROXY: 'loopback' });
    const cookie = only(await login(app, org.user.username, OVER_HTTPS));
    expect(cookie.name).toBe(PLAIN);
    expect(cookie.secure).toBeFalsy();
    expect((await me(app, `${PLAIN}=${cookie.value}`, OVER_HTTPS)).statusCode).toBe(200);
  });
});
