import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS as KNOWN_MIGRATIONS } from '../src/db/migrate.js';
import { type CliRun, runCli } from './helpers/cli.js';
import { describeEachEngine, POSTGRES_URL } from './helpers/engines.js';
import { PASSWORD, type SeededOrg, seedOrg, signIn } from './helpers/factories.js';
import { createTestApp, dropSchema, type TestApp } from './helpers/test-app.js';

// Each run starts a process that loads the sources through tsx: seconds on a busy machine.
const SLOW = 180_000;
// Every migration the code knows; a new one must not break these tests.
const MIGRATIONS = Object.keys(KNOWN_MIGRATIONS).length;

const withSchema = (url: string, schema: string) => `${url}${url.includes('?') ? '&' : '?'}schema=${schema}`;

/** What every run must show: the database named first on stderr, and never a stack trace. */
function expectTidy(run: CliRun, database: string | RegExp): void {
  expect(`${run.stdout}${run.stderr}`).not.toMatch(/^\s+at /m);
  const first = run.stderr.split('\n')[0] as string;
  if (typeof database === 'string') expect(first).toBe(`database: ${database}`);
  else expect(first).toMatch(database);
}

/** A refusal: exit 1, nothing on stdout, one line after the database line. */
function expectRefusal(run: CliRun, message: RegExp): void {
  expect(run.code, run.stderr).toBe(1);
  expect(run.stdout).toBe('');
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(2);
  expect(lines[1]).toMatch(message);
}

describeEachEngine('the CLI and its database', (engine) => {
  let folder: string;
  let schema: string;
  let env: Record<string, string>;
  let shown: string;

  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'vault-cli-'));
    schema = `t_${randomBytes(6).toString('hex')}`;
    // SQLite: the default DATABASE_URL, relative to the folder the command runs in.
    env = engine === 'postgres' ? { DATABASE_URL: withSchema(POSTGRES_URL as string, schema) } : {};
    shown =
      engine === 'postgres'
        ? `${POSTGRES_URL} (schema ${schema})`
        : `sqlite:${join(folder, 'data', 'vault.db')}`;
  });

  afterAll(async () => {
    rmSync(folder, { recursive: true, force: true });
    if (engine === 'postgres') await dropSchema(schema);
  });

  async function migrationRows(): Promise<number | undefined> {
    if (engine === 'sqlite') {
      const path = join(folder, 'data', 'vault.db');
      if (!existsSync(path)) return undefined;
      const db = new SQLite(path, { readonly: true });
      try {
        const table = db.prepare("select 1 from sqlite_master where name = 'kysely_migration'").get();
        return table
          ? (db.prepare('select count(*) as n from kysely_migration').get() as { n: number }).n
          : 0;
      } finally {
        db.close();
      }
    }
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      const exists = await client.query('select 1 from information_schema.schemata where schema_name = $1', [
        schema,
      ]);
      if (exists.rowCount === 0) return undefined;
      const table = await client.query('select to_regclass($1) as t', [`${schema}.kysely_migration`]);
      if (table.rows[0].t === null) return 0;
      return Number((await client.query(`select count(*) as n from ${schema}.kysely_migration`)).rows[0].n);
    } finally {
      await client.end();
    }
  }

  async function forgetLastMigration(): Promise<void> {
    const statement = 'delete from kysely_migration where name = (select max(name) from kysely_migration)';
    if (engine === 'sqlite') {
      const db = new SQLite(join(folder, 'data', 'vault.db'));
      db.prepare(statement).run();
      db.close();
      return;
    }
    const client = new pg.Client({ connectionString: POSTGRES_URL, options: `-c search_path=${schema}` });
    await client.connect();
    await client.query(statement);
    await client.end();
  }

  it(
    'refuses a missing database without creating it, lets org create make it, and refuses a schema behind without migrating it',
    async () => {
      const missing = await runCli(['sessions', 'list', '--org', 'Acme'], { env, cwd: folder });
      expectTidy(missing, shown);
      expectRefusal(
        missing,
        engine === 'sqlite'
          ? /^no database at .*vault\.db \(\.\/data\/vault\.db is relative to the current folder\): .*`vault-sessions migrate`$/
          : new RegExp(
              `^the database at .* is at migration 0 of ${MIGRATIONS}: run \`vault-sessions migrate\`$`,
            ),
      );
      // Not the file, not its folder; on PostgreSQL not the schema.
      expect(existsSync(join(folder, 'data'))).toBe(false);
      expect(await migrationRows()).toBeUndefined();

      const created = await runCli(
        ['org', 'create', '--name', 'Acme', '--admin', 'alice', '--password', PASSWORD],
        { env, cwd: folder },
      );
      expectTidy(created, shown);
      expect(created.code, created.stderr).toBe(0);
      expect(created.stdout).toMatch(/^created org "Acme"/);
      expect(await migrationRows()).toBe(MIGRATIONS);

      // As if this were an older version's database.
      await forgetLastMigration();
      const behind = await runCli(['activity', 'verify'], { env, cwd: folder });
      expectTidy(behind, shown);
      expectRefusal(
        behind,
        new RegExp(
          `^the database at ${shown.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is at migration ${MIGRATIONS - 1} of ${MIGRATIONS}: run \`vault-sessions migrate\`$`,
        ),
      );
      expect(await migrationRows()).toBe(MIGRATIONS - 1);
    },
    SLOW,
  );
});

describeEachEngine('the CLI on a working database', (engine) => {
  let t: TestApp;
  let org: SeededOrg;
  let env: Record<string, string>;
  let folder: string;
  const name = `Acme ${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    t = await createTestApp(engine);
    org = await seedOrg(t.app, name);
    await signIn(t.app, org.user.username, { ip: '8.8.8.8' });
    await signIn(t.app, org.admin.username, {
      ip: '81.2.69.142',
      userAgent:
        'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15',
    });
    env = {
      DATABASE_URL:
        t.config.database.engine === 'sqlite'
          ? `sqlite:${t.config.database.path}`
          : withSchema(POSTGRES_URL as string, t.database.postgresSchema as string),
    };
    folder = mkdtempSync(join(tmpdir(), 'vault-cli-'));
  }, SLOW);

  afterAll(async () => {
    await t?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it(
    'prints the sessions as a table whose columns line up, and exports a --from D --to D range as that whole day',
    async () => {
      const login = await t.database.db
        .selectFrom('activities')
        .select('occurredAt')
        .where('orgId', '=', org.orgId)
        .where('activity', '=', 'user.login')
        .orderBy('occurredAt', 'desc')
        .executeTakeFirstOrThrow();
      const day = new Date(Number(login.occurredAt)).toISOString().slice(0, 10);
      const out = join(folder, 'day.csv');
      const [list, exported] = await Promise.all([
        runCli(['sessions', 'list', '--org', name], { env, cwd: folder }),
        runCli(['activity', 'export', '--org', name, '--from', day, '--to', day, '--out', out], {
          env,
          cwd: folder,
        }),
      ]);

      expectTidy(list, /^database: (sqlite:\/|postgres:\/\/)/);
      expect(list.code, list.stderr).toBe(0);
      const lines = list.stdout.trimEnd().split('\n');
      expect(lines).toHaveLength(3);
      const header = lines[0] as string;
      expect(header).toMatch(/^ID +USER +IP +CITY +LOCATION +DEVICE +OS +BROWSER +LAST ACCESS \(UTC\)$/);
      // Every column starts where its header does, on every row.
      const starts = [...header.matchAll(/(?:^| {2})(\S)/g)].map((m) => (m.index ?? 0) + m[0].length - 1);
      for (const row of lines.slice(1)) {
        expect(row).not.toMatch(/\s$/);
        for (const start of starts.slice(1)) expect(row.slice(start - 2, start)).toBe('  ');
      }
      expect(list.stdout).toContain(org.user.username);
      expect(list.stdout).toContain('Mountain View');

      expectTidy(exported, /^database: /);
      expect(exported.code, exported.stderr).toBe(0);
      expect(readFileSync(out, 'utf8')).toContain(org.user.username);
    },
    SLOW,
  );
});

describe('the CLI, when something is wrong', () => {
  let t: TestApp;
  let org: SeededOrg;
  let env: Record<string, string>;
  let name: string;
  let cwd: string;

  beforeAll(async () => {
    // A command that wrongly went ahead would write its default file here, not in the checkout.
    cwd = mkdtempSync(join(tmpdir(), 'vault-cli-'));
    t = await createTestApp('sqlite');
    name = `Acme ${randomBytes(3).toString('hex')}`;
    org = await seedOrg(t.app, name);
    env = { DATABASE_URL: `sqlite:${(t.config.database as { path: string }).path}` };
  }, SLOW);

  afterAll(async () => {
    await t?.close();
    rmSync(cwd, { recursive: true, force: true });
  });

  it(
    'says so in one line and exits non-zero: nothing to end, an unknown user, an unwritable --out, an unreachable database',
    async () => {
      const [nothingToEnd, nobody, badOut, unreachable, version] = await Promise.all([
        runCli(['sessions', 'end', '--org', name, '--user', org.user.username], { env, cwd }),
        runCli(['activity', 'export', '--org', name, '--user', 'nobody'], { env, cwd }),
        runCli(['activity', 'export', '--org', name, '--out', '/no/such/folder/x.csv'], { env, cwd }),
        runCli(['sessions', 'list', '--org', name], {
          env: { DATABASE_URL: 'postgres://vault:hunter2@127.0.0.1:1/vault' },
          cwd,
        }),
        runCli(['--version'], { cwd }),
      ]);
      for (const run of [nothingToEnd, nobody, badOut]) expectTidy(run, /^database: sqlite:\//);
      expectRefusal(nothingToEnd, /^".*" has no active sessions: nothing ended$/);
      expectRefusal(nobody, new RegExp(`^no user named "nobody" in org "${name}"$`));
      expectRefusal(badOut, /^cannot write \/no\/such\/folder\/x\.csv: no folder \/no\/such\/folder$/);
      expect(existsSync('/no/such/folder')).toBe(false);
      expect(readdirSync(cwd)).toEqual([]);

      expectTidy(unreachable, 'postgres://vault:***@127.0.0.1:1/vault');
      expectRefusal(
        unreachable,
        /^cannot use the database at postgres:\/\/vault:\*\*\*@127\.0\.0\.1:1\/vault: .*ECONNREFUSED/,
      );
      expect(unreachable.stderr).not.toContain('hunter2');

      const { version: expected } = JSON.parse(
        readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
      );
      expect(version).toEqual({ code: 0, stdout: `${expected}\n`, stderr: '' });
    },
    SLOW,
  );
});
