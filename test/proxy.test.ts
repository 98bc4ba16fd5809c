import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../src/contracts/sessions.js';
import { type GeoLocator, openGeoLocator } from '../src/sessions/geo.js';
import { describeEachEngine } from './helpers/engines.js';
import { as, PASSWORD, type SeededOrg, seedOrg, signIn } from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const CHROME_WIN =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const EDGE_WIN = `${CHROME_WIN} Edg/120.0.2210.91`;

describeEachEngine('client address and proxies', (engine) => {
  let t: TestApp | undefined;
  let org: SeededOrg;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  async function start(env: Record<string, string> = {}): Promise<TestApp> {
    t = await createTestApp(engine, { env });
    org = await seedOrg(t.app);
    return t;
  }

  /** Logs the org's user in as seen from `ip`, and returns the Session the API reports. */
  async function loginFrom(
    app: TestApp,
    ip: string,
    headers: Record<string, string> = {},
    userAgent = CHROME_WIN,
  ): Promise<Session> {
    const signed = await signIn(app.app, org.user.username, { ip, userAgent, headers });
    return signed.response.json().session as Session;
  }

  async function loginActivityIp(app: TestApp, sessionId: string): Promise<string | null> {
    const row = await app.database.db
      .selectFrom('activities')
      .select('publicIp')
      .where('activity', '=', 'user.login')
      .where('sessionId', '=', sessionId)
      .executeTakeFirstOrThrow();
    return row.publicIp;
  }

  describe('X-Forwarded-For', () => {
    it('is ignored when TRUST_PROXY is unset: a spoofed header does not change the recorded IP', async () => {
      const app = await start();
      const session = await loginFrom(app, '127.0.0.1', { 'x-forwarded-for': '8.8.8.8' });
      expect(session).toMatchObject({ publicIp: '127.0.0.1', city: null, location: 'Unknown' });
      expect(await loginActivityIp(app, session.id)).toBe('127.0.0.1');
    });

    it('is believed from a loopback proxy with TRUST_PROXY=loopback', async () => {
      const app = await start({ TRUST_PROXY: 'loopback' });
      const session = await loginFrom(app, '127.0.0.1', { 'x-forwarded-for': '8.8.8.8' });
      expect(session).toMatchObject({ publicIp: '8.8.8.8', countryCode: 'US', city: 'Mountain View' });
      expect(await loginActivityIp(app, session.id)).toBe('8.8.8.8');
      // A dual-stack socket reports the same loopback proxy as ::ffff:127.0.0.1, or ::1.
      expect((await loginFrom(app, '::ffff:127.0.0.1', { 'x-forwarded-for': '8.8.8.8' })).publicIp).toBe(
        '8.8.8.8',
      );
      expect((await loginFrom(app, '::1', { 'x-forwarded-for': '8.8.8.8' })).publicIp).toBe('8.8.8.8');
    });

    it('takes the address the trusted proxy appended, not what the client wrote before it', async () => {
      const app = await start({ TRUST_PROXY: 'loopback' });
      const session = await loginFrom(app, '127.0.0.1', { 'x-forwarded-for': '6.6.6.6, 8.8.8.8' });
      expect(session.publicIp).toBe('8.8.8.8');
    });

    it('is believed only from proxies inside a TRUST_PROXY CIDR', async () => {
      const app = await start({ TRUST_PROXY: '10.0.0.0/8' });
      const inside = await loginFrom(app, '10.1.2.3', { 'x-forwarded-for': '8.8.8.8' });
      expect(inside.publicIp).toBe('8.8.8.8');
      const outside = await loginFrom(app, '192.168.1.5', { 'x-forwarded-for': '8.8.8.8' });
      expect(outside).toMatchObject({ publicIp: '192.168.1.5', city: null, location: 'Unknown' });
      // Loopback is not in the list, so it is no proxy either.
      expect((await loginFrom(app, '127.0.0.1', { 'x-forwarded-for': '8.8.8.8' })).publicIp).toBe(
        '127.0.0.1',
      );
    });

    it('falls back to the socket address when a trusted proxy relays something that is no IP', async () => {
      const app = await start({ TRUST_PROXY: 'loopback' });
      for (const junk of ['garbage', '[2001:db8::1]:443', '<script>']) {
        const session = await loginFrom(app, '127.0.0.1', { 'x-forwarded-for': junk });
        expect(session.publicIp).toBe('127.0.0.1');
      }
    });

    it('walks back exactly the TRUST_PROXY hop count', async () => {
      const app = await start({ TRUST_PROXY: '1' });
      const session = await loginFrom(app, '127.0.0.1', { 'x-forwarded-for': '1.1.1.1, 9.9.9.9' });
      expect(session).toMatchObject({ publicIp: '9.9.9.9', countryCode: 'US' });
    });

    it('applies the per-IP login limit to the forwarded client, not to the proxy', async () => {
      const app = await start({ TRUST_PROXY: 'loopback' });
      const attempt = (client: string, password: string) =>
        app.app.inject({
          method: 'POST',
          url: '/api/auth/login',
          remoteAddress: '127.0.0.1',
          headers: { 'x-forwarded-for': client },
          payload: { username: `nobody-${Math.random()}`, password },
        });
      for (let i = 0; i < 30; i++)
        expect((await attempt('6.6.6.6', 'guess number one')).statusCode).toBe(401);
      expect((await attempt('6.6.6.6', 'guess number one')).statusCode).toBe(429);
      // Everybody else behind the same proxy can still log in.
      expect((await loginFrom(app, '127.0.0.1', { 'x-forwarded-for': '8.8.8.8' })).publicIp).toBe('8.8.8.8');
    });

    it('cannot be used to dodge the per-IP login limit when no proxy is trusted', async () => {
      const app = await start();
      const attempt = (i: number) =>
        app.app.inject({
          method: 'POST',
          url: '/api/auth/login',
          remoteAddress: '203.0.113.9',
          headers: { 'x-forwarded-for': `198.51.100.${i}` },
          payload: { username: `nobody-${i}`, password: 'guess number one' },
        });
      for (let i = 0; i < 30; i++) expect((await attempt(i)).statusCode).toBe(401);
      expect((await attempt(99)).statusCode).toBe(429);
    });
  });

  describe('address forms', () => {
    let geo: GeoLocator;
    beforeAll(async () => {
      geo = await openGeoLocator({});
    });

    it('records an IPv6 socket address canonically and geolocates it', async () => {
      const app = await start();
      const expected = geo.lookup('2001:4860:4860::8888');
      expect(expected.countryCode).not.toBeNull();
      const session = await loginFrom(app, '2001:4860:4860:0000:0000:0000:0000:8888');
      expect(session).toMatchObject({
        publicIp: '2001:4860:4860::8888',
        countryCode: expected.countryCode,
        city: expected.city,
        latitude: expected.latitude,
      });
      expect(session.location).not.toBe('Unknown');
    });

    it('records a forwarded IPv6 address in its canonical lower-case form', async () => {
      const app = await start({ TRUST_PROXY: 'loopback' });
      const session = await loginFrom(app, '127.0.0.1', {
        'x-forwarded-for': '2A00:1450:4001:081A:0:0:0:200E',
      });
      expect(session).toMatchObject({ publicIp: '2a00:1450:4001:81a::200e', countryCode: 'DE' });
    });

    it('shows an IPv4-mapped IPv6 address as plain IPv4, from the socket and from a proxy', async () => {
      const direct = await start();
      const session = await loginFrom(direct, '::ffff:8.8.8.8');
      expect(session).toMatchObject({ publicIp: '8.8.8.8', countryCode: 'US', city: 'Mountain View' });
      expect(await loginActivityIp(direct, session.id)).toBe('8.8.8.8');
      const listed = await as(direct.app, await signIn(direct.app, org.admin.username)).get('/api/sessions');
      expect(listed.json().sessions.map((s: Session) => s.publicIp)).toContain('8.8.8.8');
      expect(listed.body).not.toContain('::ffff:');
      await direct.close();

      const proxied = await start({ TRUST_PROXY: 'loopback' });
      expect((await loginFrom(proxied, '127.0.0.1', { 'x-forwarded-for': '::ffff:8.8.8.8' })).publicIp).toBe(
        '8.8.8.8',
      );
    });

    it.each([
      '10.1.2.3',
      '172.16.5.4',
      '192.168.0.5',
      '127.0.0.1',
      '169.254.169.254',
      '100.64.0.1',
      '::1',
      'fe80::1',
      'fd00::1',
      '::ffff:192.168.0.1',
    ])('shows %s through a trusted proxy as city null, location "Unknown"', async (ip) => {
      const app = await start({ TRUST_PROXY: 'loopback' });
      const session = await loginFrom(app, '127.0.0.1', { 'x-forwarded-for': ip });
      expect(session).toMatchObject({
        city: null,
        countryCode: null,
        latitude: null,
        longitude: null,
        location: 'Unknown',
      });
    });
  });

  describe('real clients logged in through a proxy', () => {
    interface Row {
      name: string;
      ip: string;
      userAgent: string;
      hints?: Record<string, string>;
      expected: Partial<Session>;
      country: string;
    }
    // Client labels as src/sessions/client-info.test.ts pins them; places as the packaged DB-IP
    // database gives them (src/sessions/geo.test.ts). City only where it has been stable (8.8.8.8).
    const rows: Row[] = [
      {
        name: 'Chrome on Windows 10 in Mountain View',
        ip: '8.8.8.8',
        userAgent: CHROME_WIN,
        expected: {
          deviceType: 'Desktop',
          os: 'Windows 10',
          browser: 'Chrome 120',
          countryCode: 'US',
          city: 'Mountain View',
          location: 'California, United States',
        },
        country: 'United States',
      },
      {
        name: 'Edge on Windows 11 (Client Hints) in the UK',
        ip: '81.2.69.142',
        userAgent: EDGE_WIN,
        hints: {
          'sec-ch-ua': '"Not_A Brand";v="8", "Chromium";v="120", "Microsoft Edge";v="120"',
          'sec-ch-ua-mobile': '?0',
          'sec-ch-ua-platform': '"Windows"',
          'sec-ch-ua-platform-version': '"15.0.0"',
        },
        expected: { deviceType: 'Desktop', os: 'Windows 11', browser: 'Edge 120', countryCode: 'GB' },
        country: 'United Kingdom',
      },
      {
        name: 'Chrome whose UA says Windows 10 but whose hints say Windows 11',
        ip: '8.8.4.4',
        userAgent: CHROME_WIN,
        hints: {
          'sec-ch-ua': '"Not_A Brand";v="8", "Chromium";v="120", "Google Chrome";v="120"',
          'sec-ch-ua-platform': '"Windows"',
          'sec-ch-ua-platform-version': '"15.0.0"',
        },
        expected: { deviceType: 'Desktop', os: 'Windows 11', browser: 'Chrome 120', countryCode: 'US' },
        country: 'United States',
      },
      {
        name: 'Safari on macOS in Australia',
        ip: '1.1.1.1',
        userAgent:
          'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2.1 Safari/605.1.15',
        expected: { deviceType: 'Desktop', os: 'macOS', browser: 'Safari 17.2', countryCode: 'AU' },
        country: 'Australia',
      },
      {
        name: 'Safari on iPhone in the Netherlands',
        ip: '193.0.14.129',
        userAgent:
          'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
        expected: { deviceType: 'Mobile', os: 'iOS 17.4', browser: 'Safari 17.4', countryCode: 'NL' },
        country: 'Netherlands',
      },
      {
        name: 'Safari on iPad in Russia',
        ip: '77.88.8.8',
        userAgent:
          'Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1',
        expected: { deviceType: 'Tablet', os: 'iPadOS 16.6', browser: 'Safari 16.6', countryCode: 'RU' },
        country: 'Russia',
      },
      {
        name: 'Samsung Internet on a Galaxy S23 Ultra over IPv6 in Germany',
        ip: '2a00:1450:4001:81a::200e',
        userAgent:
          'Mozilla/5.0 (Linux; Android 13; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36',
        expected: {
          deviceType: 'Mobile',
          os: 'Android 13',
          browser: 'Samsung Internet 23',
          countryCode: 'DE',
        },
        country: 'Germany',
      },
      {
        name: 'Chrome on a Galaxy Tab S9 over IPv6 in the US',
        ip: '2620:fe::fe',
        userAgent:
          'Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 Safari/537.36',
        expected: { deviceType: 'Tablet', os: 'Android 13', browser: 'Chrome 120', countryCode: 'US' },
        country: 'United States',
      },
      {
        name: 'Firefox on Ubuntu in the US',
        ip: '9.9.9.9',
        userAgent: 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0',
        expected: { deviceType: 'Desktop', os: 'Ubuntu', browser: 'Firefox 121', countryCode: 'US' },
        country: 'United States',
      },
      {
        name: 'Chrome on Android behind the reduced UA, refined by hints',
        ip: '8.8.8.8',
        userAgent:
          'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36',
        hints: {
          'sec-ch-ua-platform': '"Android"',
          'sec-ch-ua-platform-version': '"14.0.0"',
          'sec-ch-ua-mobile': '?1',
          'sec-ch-ua-model': '"Pixel 8"',
        },
        expected: { deviceType: 'Mobile', os: 'Android 14', browser: 'Chrome 120', countryCode: 'US' },
        country: 'United States',
      },
      {
        name: 'curl from Russia over IPv6',
        ip: '2a02:6b8::feed:ff',
        userAgent: 'curl/8.5.0',
        expected: { deviceType: 'Unknown', os: 'Unknown', browser: 'curl 8.5', countryCode: 'RU' },
        country: 'Russia',
      },
    ];

    it.each(rows.map((row) => [row.name, row] as const))('%s', async (_name, row) => {
      const app = await start({ TRUST_PROXY: 'loopback' });
      const session = await loginFrom(
        app,
        '127.0.0.1',
        { 'x-forwarded-for': row.ip, ...row.hints },
        row.userAgent,
      );
      const expected = { ...row.expected, publicIp: row.ip };
      expect(session).toMatchObject(expected);
      expect(session.location.endsWith(row.country)).toBe(true);
      expect(session.latitude).toEqual(expect.any(Number));
      expect(session.longitude).toEqual(expect.any(Number));
      // The admin's Session Information list shows the same, as stored.
      const admin = await signIn(app.app, org.admin.username);
      const listed = (await as(app.app, admin).get('/api/sessions')).json().sessions as Session[];
      expect(listed.find((s) => s.id === session.id)).toMatchObject({
        ...expected,
        location: session.location,
      });
    });

    it('records a failed login with the forwarded client address', async () => {
      const app = await start({ TRUST_PROXY: 'loopback' });
      const wrong = await app.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        headers: { 'x-forwarded-for': '8.8.8.8' },
        payload: { username: org.user.username, password: `${PASSWORD}!` },
      });
      expect(wrong.statusCode).toBe(401);
      const failed = await app.database.db
        .selectFrom('activities')
        .select(['publicIp', 'activity'])
        .where('activity', '=', 'user.login_failed')
        .executeTakeFirstOrThrow();
      expect(failed.publicIp).toBe('8.8.8.8');
    });
  });
});
