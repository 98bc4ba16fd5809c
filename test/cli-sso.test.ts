import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { secretsKeyPath } from '../src/kernel/secret-box.js';
import { runCli } from './helpers/cli.js';
import { describeEachEngine, POSTGRES_URL } from './helpers/engines.js';
import { as, PASSWORD, type SeededOrg, seedOrg, signIn } from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Each CLI run is a process of its own, seconds on a busy machine. */
const SLOW = 120_000;

/** `org sso` as the operator runs it: a child process of the CLI on the test's database and secrets key. */
describeEachEngine('CLI: org sso', (engine) => {
  let t: TestApp;
  let acme: SeededOrg;
  let orgName: string;

  beforeEach(async () => {
    t = await createTestApp(engine, { env: { PUBLIC_URL: 'https://vault.acme.test' } });
    orgName = `acme-sso-${engine}`;
    acme = await seedOrg(t.app, orgName);
  });
  afterEach(() => t.close());

  const cli = (args: string[]) => {
    const { database } = t.config;
    const separator = (POSTGRES_URL ?? '').includes('?') ? '&' : '?';
    const url =
      database.engine === 'sqlite'
        ? `sqlite:${database.path}`
        : `${POSTGRES_URL}${separator}schema=${t.database.postgresSchema}`;
    return runCli(['org', 'sso', '--org', orgName, ...args], {
      env: {
        DATABASE_URL: url,
        SECRETS_KEY_FILE: secretsKeyPath(t.config),
        PUBLIC_URL: 'https://vault.acme.test',
      },
      cwd: ROOT,
    });
  };
  const login = (username: string) =>
    t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: PASSWORD } });

  it(
    'sets, shows, turns enforcement off (break-glass) and removes an org’s SSO; the secret is never printed',
    async () => {
      const none = await cli([]);
      expect(none.code, none.stderr).toBe(0);
      expect(none.stdout).toContain('has no single sign-on');

      const set = await cli([
        '--issuer',
        'https://login.acme.test/realms/acme',
        '--client-id',
        'vault',
        '--client-secret',
        'cli-secret-value',
        '--domain',
        'acme.test',
        '--domain',
        'corp.acme.test',
        '--auto-create',
        '--enforced',
      ]);
      expect(set.code, set.stderr).toBe(0);
      expect(set.stdout).toContain('https://login.acme.test/realms/acme');
      expect(set.stdout).toContain('acme.test, corp.acme.test');
      expect(set.stdout).toContain('https://vault.acme.test/api/auth/sso/callback');
      expect(set.stdout + set.stderr).not.toContain('cli-secret-value');
      expect((await login(acme.user.username)).json().error.code).toBe('SSO_REQUIRED');

      // Enforced without allowAdminPasswordLogin: the admin is locked out too, until the operator steps in.
      const admin = await signIn(t.app, acme.admin.username).catch(() => undefined);
      expect(admin).toBeUndefined();
      const breakGlass = await cli(['--no-enforced']);
      expect(breakGlass.code, breakGlass.stderr).toBe(0);
      expect(breakGlass.stdout).toMatch(/enforced:\s+no/);
      const who = await signIn(t.app, acme.admin.username);
      // What the API shows is what the CLI set.
      const shown = await as(t.app, who).get('/api/org/sso');
      expect(shown.json()).toMatchObject({
        clientId: 'vault',
        emailDomains: ['acme.test', 'corp.acme.test'],
        autoCreateUsers: true,
        enforced: false,
      });

      const removed = await cli(['--remove']);
      expect(removed.code, removed.stderr).toBe(0);
      expect((await as(t.app, who).get('/api/org/sso')).statusCode).toBe(404);
    },
    SLOW,
  );

  it(
    'refuses a first config without the issuer, and a plain-http issuer, with a clear message',
    async () => {
      const incomplete = await cli(['--client-id', 'vault']);
      expect(incomplete.code).not.toBe(0);
      expect(incomplete.stderr).toContain('--issuer');
      const http = await cli([
        '--issuer',
        'http://login.acme.test',
        '--client-id',
        'vault',
        '--client-secret',
        's',
        '--domain',
        'acme.test',
      ]);
      expect(http.code).not.toBe(0);
      expect(http.stderr).toContain('https');
    },
    SLOW,
  );
});
