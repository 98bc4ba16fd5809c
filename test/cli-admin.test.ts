import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { operatorActor } from '../src/kernel/actor.js';
import { runCli } from './helpers/cli.js';
import { describeEachEngine, POSTGRES_URL } from './helpers/engines.js';
import { as, PASSWORD, type SeededOrg, seedOrg, signIn } from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/**
 * The operator's commands, run as the operator runs them: a child process of the CLI's sources on
 * the test's own database. Few tests, as each run costs seconds.
 */
describeEachEngine('CLI: users, orgs and API keys', (engine) => {
  let t: TestApp;
  let acme: SeededOrg;
  let orgName: string;

  beforeEach(async () => {
    t = await createTestApp(engine);
    orgName = `acme-${engine}`;
    acme = await seedOrg(t.app, orgName);
  });
  afterEach(() => t.close());

  const databaseUrl = () => {
    const { database } = t.config;
    if (database.engine === 'sqlite') return `sqlite:${database.path}`;
    const separator = (POSTGRES_URL as string).includes('?') ? '&' : '?';
    return `${POSTGRES_URL}${separator}schema=${t.database.postgresSchema}`;
  };

  const cli = (args: string[], input?: string) =>
    runCli(args, {
      env: { DATABASE_URL: databaseUrl() },
      cwd: ROOT,
      ...(input === undefined ? {} : { input }),
    });

  const login = (username: string, password: string) =>
    t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });

  /** Each cell of a row starts where its column's header does. */
  const expectAligned = (table: string, headers: string[]) => {
    const [head, ...rows] = table.trimEnd().split('\n') as [string, ...string[]];
    const starts = headers.map((h) => head.indexOf(h));
    expect(starts.every((s, i) => s >= 0 && (i === 0 || s > (starts[i - 1] ?? 0)))).toBe(true);
    for (const row of rows) {
      for (const start of starts.slice(1)) expect(row[start - 1]).toBe(' ');
      for (const start of starts.slice(1)) expect(row[start - 2]).toBe(' ');
      for (const start of starts) expect(row[start]).not.toBe(' ');
    }
    return rows;
  };

  it('lists the users of an org and the orgs as aligned tables', async () => {
    await signIn(t.app, acme.user.username);
    const [users, orgs] = await Promise.all([cli(['user', 'list', '--org', orgName]), cli(['org', 'list'])]);
    expect(users.code, users.stderr).toBe(0);
    const userRows = expectAligned(users.stdout, [
      'USERNAME',
      'ROLE',
      'STATUS',
      'LOCKED',
      'CREATED',
      'LAST LOGIN',
    ]);
    expect(userRows).toHaveLength(2);
    const userRow = userRows.find((row) => row.startsWith(acme.user.username)) as string;
    expect(userRow.split(/\s{2,}/)).toEqual([
      acme.user.username,
      'user',
      'active',
      '-',
      expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    ]);
    expect(userRows.find((row) => row.startsWith(acme.admin.username))).toMatch(
      /admin\s+active\s+-\s+\S+\s+never$/,
    );

    expect(orgs.code, orgs.stderr).toBe(0);
    const orgRows = expectAligned(orgs.stdout, ['NAME', 'ID', 'USERS', 'ACTIVE SESSIONS']);
    expect(orgRows.map((row) => row.split(/\s{2,}/))).toEqual([[orgName, acme.orgId, '2', '1']]);
  });

  it("resets a password: generated and printed once, or read from stdin; the user's sessions end", async () => {
    const session = await signIn(t.app, acme.user.username);
    const generated = await cli(['user', 'reset-password', acme.user.username]);
    expect(generated.code, generated.stderr).toBe(0);
    const password = /new password \(shown this once\): (\S+)/.exec(generated.stdout)?.[1] as string;
    expect(generated.stdout).toContain('1 session(s) ended');
    expect((await as(t.app, session).get('/api/me')).statusCode).toBe(401);
    expect((await login(acme.user.username, PASSWORD)).statusCode).toBe(401);
    expect((await login(acme.user.username, password)).statusCode).toBe(200);

    const chosen = 'read from standard input 2026';
    const fromStdin = await cli(
      ['user', 'reset-password', acme.user.username, '--password-stdin'],
      `${chosen}\n`,
    );
    expect(fromStdin.code, fromStdin.stderr).toBe(0);
    expect(fromStdin.stdout).not.toContain(chosen);
    expect(fromStdin.stdout).not.toContain('new password');
    expect((await login(acme.user.username, chosen)).statusCode).toBe(200);
  });

  it('creates API keys printed once with their scopes, lists them without the key, and revokes one', async () => {
    const created = await cli(['apikey', 'create', '--org', orgName, '--name', 'backup service']);
    expect(created.code, created.stderr).toBe(0);
    const key = /key \(shown this once\): (vsk_\S+)/.exec(created.stdout)?.[1] as string;
    const id = /\(([0-9a-f-]{36})\)/.exec(created.stdout)?.[1] as string;
    const ingest = () =>
      t.app.inject({
        method: 'POST',
        url: '/api/activities',
        headers: { authorization: `Bearer ${key}` },
        payload: { events: [{ username: acme.user.username, activity: 'backup', status: 'success' }] },
      });
    expect(created.stdout).toContain('scopes activities:write\n');
    expect((await ingest()).statusCode).toBe(201);

    const [gateway, unknownScope] = await Promise.all([
      cli(['apikey', 'create', '--org', orgName, '--name', 'gateway', '--scope', 'sessions:introspect']),
      cli(['apikey', 'create', '--org', orgName, '--name', 'x', '--scope', 'activities:delete']),
    ]);
    expect(gateway.code, gateway.stderr).toBe(0);
    expect(gateway.stdout).toContain('scopes sessions:introspect\n');
    const gatewayKey = /key \(shown this once\): (vsk_\S+)/.exec(gateway.stdout)?.[1] as string;
    const introspect = await t.app.inject({
      method: 'POST',
      url: '/api/sessions/introspect',
      headers: { authorization: `Bearer ${gatewayKey}` },
      payload: { sessionToken: 'unknown' },
    });
    expect(introspect.json()).toEqual({ active: false });
    expect(unknownScope.code).not.toBe(0);
    expect(unknownScope.stderr).toContain('activities:delete');

    const listed = await cli(['apikey', 'list', '--org', orgName]);
    expect(listed.code, listed.stderr).toBe(0);
    const rows = expectAligned(listed.stdout, ['ID', 'NAME', 'PREFIX', 'SCOPES', 'CREATED', 'LAST USED']);
    expect(rows).toHaveLength(2);
    expect(rows.find((row) => row.includes(id))?.split(/\s{2,}/)[3]).toBe('activities:write');
    expect(rows.find((row) => row.includes('gateway'))?.split(/\s{2,}/)[3]).toBe('sessions:introspect');
    expect(listed.stdout).not.toContain(key);

    const revoked = await cli(['apikey', 'revoke', '--org', orgName, id]);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect((await ingest()).statusCode).toBe(401);
  });

  it('shows an org’s session policy, changes the fields given, and refuses a value out of bounds', async () => {
    const changed = await cli([
      'org',
      'policy',
      '--org',
      orgName,
      '--idle-minutes',
      '15',
      '--max-sessions',
      '3',
    ]);
    expect(changed.code, changed.stderr).toBe(0);
    expect(changed.stdout).toMatch(/idle minutes: +15\n/);
    expect(changed.stdout).toMatch(/max hours: +12 \(the configuration’s\)/);
    expect(changed.stdout).toMatch(/sessions per user: +3\n/);
    const refused = await cli([
      'org',
      'policy',
      '--org',
      orgName,
      '--idle-minutes',
      '0',
      '--on-limit',
      'deny',
    ]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('--idle-minutes must be 1-10080 or "default"');
    const policy = await t.app.services.policy.getPolicy(operatorActor(acme.orgId));
    expect(policy).toMatchObject({ idleMinutes: 15, maxSessionsPerUser: 3, onLimit: 'end_oldest' });
  });

  it('refuses to disable the last active admin with one line and a non-zero exit', async () => {
    const result = await cli(['user', 'disable', acme.admin.username]);
    expect(result.code).not.toBe(0);
    // The line that names the database, then the refusal: one line of it.
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^database: /),
      `"${acme.admin.username}" is the org's last active admin: make another user an admin first`,
    ]);
    expect((await login(acme.admin.username, PASSWORD)).statusCode).toBe(200);
  });

  it('adds no demo users with a known password to an org with users of its own', async () => {
    const result = await cli(['demo', '--org', orgName, '--activities', '0']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('--force');
    const users = await t.database.db
      .selectFrom('users')
      .select('username')
      .where('orgId', '=', acme.orgId)
      .execute();
    expect(users).toHaveLength(2);
  });
});
