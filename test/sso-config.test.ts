import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { describeEachEngine } from './helpers/engines.js';
import { as, type SeededOrg, type SignedIn, seedOrg, signIn } from './helpers/factories.js';
import { startTestProvider, type TestProvider } from './helpers/oidc-provider.js';
import { REDIRECT_URI, VAULT_ORIGIN } from './helpers/sso-flow.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const SSO = '/api/org/sso';

/** A server that publishes whatever discovery document a test gives it. */
async function fakeDiscovery(
  document: (issuer: string) => object,
): Promise<{ issuer: string; close(): Promise<void> }> {
  let issuer = '';
  const server: Server = createServer((req, res) => {
    if (req.url !== '/.well-known/openid-configuration') {
      res.statusCode = 404;
      return res.end();
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(document(issuer)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { issuer, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describeEachEngine('the org’s SSO config', (engine) => {
  let idp: TestProvider;
  let t: TestApp;
  let acme: SeededOrg;
  let admin: SignedIn;
  let log: string;

  beforeAll(async () => {
    idp = await startTestProvider({ redirectUri: REDIRECT_URI });
  });
  afterAll(() => idp.close());
  beforeEach(async () => {
    log = '';
    const logStream = new PassThrough();
    logStream.on('data', (chunk: Buffer) => {
      log += chunk.toString('utf8');
    });
    t = await createTestApp(engine, { env: { PUBLIC_URL: VAULT_ORIGIN, LOG_LEVEL: 'debug' }, logStream });
    acme = await seedOrg(t.app);
    admin = await signIn(t.app, acme.admin.username);
  });
  afterEach(() => t.close());

  const body = (overrides: object = {}) => ({
    issuer: idp.issuer,
    clientId: idp.clientId,
    clientSecret: idp.clientSecret,
    emailDomains: ['acme.test'],
    autoCreateUsers: false,
    enforced: false,
    allowAdminPasswordLogin: false,
    ...overrides,
  });

  it('is 404 SSO_NOT_CONFIGURED until set; PUT answers it without the secret and with the redirect URI; GET reads it back', async () => {
    const before = await as(t.app, admin).get(SSO);
    expect(before.statusCode).toBe(404);
    expect(before.json().error.code).toBe('SSO_NOT_CONFIGURED');
    const put = await as(t.app, admin).put(SSO, body({ emailDomains: ['Acme.test', 'corp.acme.test'] }));
    expect(put.statusCode, put.body).toBe(200);
    const expected = {
      issuer: idp.issuer,
      clientId: idp.clientId,
      emailDomains: ['acme.test', 'corp.acme.test'],
      autoCreateUsers: false,
      enforced: false,
      allowAdminPasswordLogin: false,
      redirectUri: `${VAULT_ORIGIN}/api/auth/sso/callback`,
    };
    expect(put.json()).toMatchObject(expected);
    const get = await as(t.app, admin).get(SSO);
    expect(get.json()).toMatchObject(expected);
    expect(Object.keys(get.json())).not.toContain('clientSecret');
  });

  it('keeps the stored secret when a PUT leaves it out, and refuses a first PUT without one (400 naming it)', async () => {
    const first = await as(t.app, admin).put(SSO, body({ clientSecret: undefined }));
    expect(first.statusCode).toBe(400);
    expect(first.json().error.message).toContain('clientSecret');
    expect((await as(t.app, admin).put(SSO, body())).statusCode).toBe(200);
    const sealed = await t.database.db
      .selectFrom('ssoConfigs')
      .select('clientSecret')
      .executeTakeFirstOrThrow();
    const again = await as(t.app, admin).put(SSO, body({ clientSecret: undefined, enforced: true }));
    expect(again.statusCode).toBe(200);
    expect(again.json().enforced).toBe(true);
    const after = await t.database.db
      .selectFrom('ssoConfigs')
      .select('clientSecret')
      .executeTakeFirstOrThrow();
    expect(after.clientSecret).toBe(sealed.clientSecret);
    // And the kept secret still works: the test answers ok with it.
    const test = await as(t.app, admin).post(`${SSO}/test`, body({ clientSecret: undefined }));
    expect(test.json().ok, test.body).toBe(true);
  });

  it('never shows the secret: not in GET, the activity log, the server’s log, or the database in plaintext', async () => {
    await as(t.app, admin).put(SSO, body());
    await as(t.app, admin).get(SSO);
    await as(t.app, admin).post(`${SSO}/test`, body());
    await as(t.app, admin).post(`${SSO}/test`, body({ clientSecret: 'a-wrong-secret-to-log' }));
    const secret = idp.clientSecret;
    expect((await as(t.app, admin).get(SSO)).body).not.toContain(secret);
    const tables = ['ssoConfigs', 'activities', 'ssoLogins', 'sessions'] as const;
    for (const table of tables) {
      const rows = await t.database.db.selectFrom(table).selectAll().execute();
      expect(JSON.stringify(rows), table).not.toContain(secret);
    }
    const stored = await t.database.db
      .selectFrom('ssoConfigs')
      .select('clientSecret')
      .executeTakeFirstOrThrow();
    expect(stored.clientSecret).toMatch(/^v1\./);
    expect(log.length).toBeGreaterThan(0);
    expect(log).not.toContain(secret);
    expect(log).not.toContain('a-wrong-secret-to-log');
  });

  it('records sso.configured (the settings, not the secret) and sso.removed; DELETE makes it 404 again', async () => {
    await as(t.app, admin).put(SSO, body());
    const removed = await as(t.app, admin).delete(SSO);
    expect(removed.statusCode).toBe(204);
    expect((await as(t.app, admin).get(SSO)).statusCode).toBe(404);
    expect((await as(t.app, admin).delete(SSO)).statusCode).toBe(404);
    const rows = await t.database.db
      .selectFrom('activities')
      .select(['activity', 'username', 'detailsJson'])
      .where('orgId', '=', acme.orgId)
      .where('activity', 'like', 'sso.%')
      .orderBy('id')
      .execute();
    expect(rows.map((r) => r.activity)).toEqual(['sso.configured', 'sso.removed']);
    expect(JSON.parse(rows[0]?.detailsJson as string)).toMatchObject({
      issuer: idp.issuer,
      emailDomains: ['acme.test'],
      clientSecretChanged: true,
    });
  });

  it('wants https, or plain http on a loopback address only', async () => {
    for (const issuer of [
      'http://login.example.com',
      'ftp://127.0.0.1',
      'not a url',
      'https://u:p@login.example.com',
    ]) {
      const response = await as(t.app, admin).put(SSO, body({ issuer }));
      expect(response.statusCode, issuer).toBe(400);
      expect(response.json().error.message, issuer).toContain('body.issuer');
    }
    for (const issuer of [
      'https://login.example.com/realms/acme',
      'http://localhost:9000',
      'http://[::1]:9000',
    ]) {
      expect((await as(t.app, admin).put(SSO, body({ issuer }))).statusCode, issuer).toBe(200);
    }
  });

  it('without PUBLIC_URL, the redirect URI is the request’s origin as the trusted proxy tells it', async () => {
    const proxied = await createTestApp(engine, { env: { TRUST_PROXY: 'loopback' } });
    try {
      const org = await seedOrg(proxied.app);
      const forwarded = {
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'vault.example.com',
        origin: 'https://vault.example.com',
      };
      const who = await signIn(proxied.app, org.admin.username, { headers: forwarded });
      const response = await proxied.app.inject({
        method: 'PUT',
        url: SSO,
        remoteAddress: '127.0.0.1',
        headers: { cookie: who.cookie, ...forwarded },
        payload: body({ emailDomains: ['proxied.test'] }),
      });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json().redirectUri).toBe('https://vault.example.com/api/auth/sso/callback');
    } finally {
      await proxied.close();
    }
  });

  it('is the admin’s: a user gets 403, another org’s admin sees and changes only their own, and a domain belongs to one org', async () => {
    await as(t.app, admin).put(SSO, body());
    const user = await signIn(t.app, acme.user.username);
    expect((await as(t.app, user).get(SSO)).statusCode).toBe(403);
    expect((await as(t.app, user).put(SSO, body())).statusCode).toBe(403);
    expect((await as(t.app, user).delete(SSO)).statusCode).toBe(403);
    expect((await as(t.app, user).post(`${SSO}/test`, body())).statusCode).toBe(403);
    const other = await seedOrg(t.app);
    const otherAdmin = await signIn(t.app, other.admin.username);
    expect((await as(t.app, otherAdmin).get(SSO)).statusCode).toBe(404);
    expect((await as(t.app, otherAdmin).delete(SSO)).statusCode).toBe(404);
    const taken = await as(t.app, otherAdmin).put(SSO, body());
    expect(taken.statusCode).toBe(409);
    expect(taken.json().error.message).toContain('acme.test');
    expect((await as(t.app, otherAdmin).put(SSO, body({ emailDomains: ['other.test'] }))).statusCode).toBe(
      200,
    );
    expect((await as(t.app, admin).get(SSO)).json().emailDomains).toEqual(['acme.test']);
  });

  it('of 50 parallel PUTs by two orgs for one domain, the domain ends up with one org only', async () => {
    const other = await seedOrg(t.app);
    const otherAdmin = await signIn(t.app, other.admin.username);
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        as(t.app, i % 2 ? admin : otherAdmin).put(SSO, body({ emailDomains: ['race.test'] })),
      ),
    );
    expect(answers.every((a) => a.statusCode === 200 || a.statusCode === 409)).toBe(true);
    const owners = await t.database.db
      .selectFrom('ssoDomains')
      .selectAll()
      .where('domain', '=', 'race.test')
      .execute();
    expect(owners).toHaveLength(1);
    const winner = answers.filter((a) => a.statusCode === 200);
    expect(winner.length).toBeGreaterThan(0);
  });

  it('answers a bad body with a 400 naming the field, never a 5xx', async () => {
    const fields = [
      'issuer',
      'clientId',
      'clientSecret',
      'emailDomains',
      'autoCreateUsers',
      'enforced',
      'allowAdminPasswordLogin',
    ] as const;
    const badValue: Record<(typeof fields)[number], fc.Arbitrary<unknown>> = {
      issuer: fc.oneof(fc.constant(''), fc.integer(), fc.constant('http://example.com'), fc.constant(null)),
      clientId: fc.oneof(fc.constant(''), fc.integer(), fc.boolean(), fc.constant(null)),
      clientSecret: fc.oneof(
        fc.constant(''),
        fc.integer(),
        fc.constant(null),
        fc.string({ minLength: 1025, maxLength: 1100 }),
      ),
      emailDomains: fc.oneof(
        fc.constant([]),
        fc.constant('acme.test'),
        fc.constant(['not a domain']),
        fc.constant(['a@b.test']),
        fc.constant(['acme.test', 'ACME.test']),
        fc.array(fc.integer(), { minLength: 1, maxLength: 3 }),
      ),
      autoCreateUsers: fc.oneof(fc.constant('true'), fc.integer(), fc.constant(null)),
      enforced: fc.oneof(fc.constant('yes'), fc.constant(1), fc.constant(null)),
      allowAdminPasswordLogin: fc.oneof(fc.constant('false'), fc.constant(0), fc.constant([])),
    };
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...fields).chain((field) => fc.tuple(fc.constant(field), badValue[field])),
        async ([field, value]) => {
          const response = await as(t.app, admin).put(SSO, { ...body(), [field]: value });
          expect(response.statusCode, `${field}=${JSON.stringify(value)}: ${response.body}`).toBe(400);
          expect(response.json().error.message).toContain(field);
        },
      ),
      { numRuns: 60 },
    );
    for (const missing of fields.filter((f) => f !== 'clientSecret')) {
      const { [missing]: _, ...rest } = body();
      const response = await as(t.app, admin).put(SSO, rest);
      expect(response.statusCode, missing).toBe(400);
      expect(response.json().error.message, missing).toContain(missing);
    }
    const extra = await as(t.app, admin).put(SSO, { ...body(), clientSecrt: 'typo' });
    expect(extra.statusCode).toBe(400);
    expect(extra.json().error.message).toContain('clientSecrt');
  });

  it('Test connection: ok against a good provider, and each problem named', async () => {
    const good = await as(t.app, admin).post(`${SSO}/test`, body());
    expect(good.statusCode).toBe(200);
    expect(good.json()).toMatchObject({ ok: true });
    expect(good.json().checks.map((c: { name: string }) => c.name)).toEqual([
      'issuer',
      'discovery',
      'endpoints',
      'PKCE S256',
      'client credentials',
    ]);

    const failing = async (overrides: object, name: string, detail: RegExp) => {
      const response = await as(t.app, admin).post(`${SSO}/test`, body(overrides));
      expect(response.statusCode).toBe(200);
      const result = response.json();
      expect(result.ok, response.body).toBe(false);
      const check = result.checks.find((c: { name: string }) => c.name === name);
      expect(check, response.body).toMatchObject({ ok: false });
      expect(check.detail).toMatch(detail);
    };
    await failing({ clientSecret: 'wrong' }, 'client credentials', /refused the client id or secret/);
    await failing({ issuer: 'http://example.com' }, 'issuer', /https/);
    const closed = await startTestProvider({ redirectUri: REDIRECT_URI });
    await closed.close();
    await failing({ issuer: closed.issuer }, 'discovery', /could not be reached/);

    const mismatch = await fakeDiscovery(() => ({ issuer: 'https://someone-else.test' }));
    const noToken = await fakeDiscovery((issuer) => ({
      issuer,
      authorization_endpoint: `${issuer}/auth`,
      code_challenge_methods_supported: ['S256'],
    }));
    const plainOnly = await fakeDiscovery((issuer) => ({
      issuer,
      authorization_endpoint: `${issuer}/auth`,
      token_endpoint: `${issuer}/token`,
      code_challenge_methods_supported: ['plain'],
    }));
    try {
      await failing({ issuer: mismatch.issuer }, 'discovery', /issuer/);
      await failing({ issuer: noToken.issuer }, 'endpoints', /token_endpoint/);
      await failing({ issuer: plainOnly.issuer }, 'PKCE S256', /S256/);
    } finally {
      await Promise.all([mismatch.close(), noToken.close(), plainOnly.close()]);
    }
  });
});
