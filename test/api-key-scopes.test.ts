import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { type Migration, Migrator, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiKeyScope } from '../src/contracts/api-keys.js';
import { createDatabase } from '../src/db/database.js';
import { MIGRATION_LOCK_KEY, MIGRATIONS } from '../src/db/migrate.js';
import { operatorActor } from '../src/kernel/actor.js';
import { loadConfig } from '../src/kernel/config.js';
import { describeEachEngine, POSTGRES_URL, type TestEngine } from './helpers/engines.js';
import { as, type SeededOrg, type SignedIn, seedOrg, signIn } from './helpers/factories.js';
import { createTestApp, dropSchema, type TestApp } from './helpers/test-app.js';

const expectError = (response: LightMyRequestResponse, status: number, code: string) => {
  expect(response.statusCode, response.body).toBe(status);
  expect(response.json().error.code).toBe(code);
};

describeEachEngine('API key scopes', (engine) => {
  let t: TestApp;
  let acme: SeededOrg;
  let admin: SignedIn;

  beforeEach(async () => {
    t = await createTestApp(engine);
    acme = await seedOrg(t.app);
    admin = await signIn(t.app, acme.admin.username);
  });
  afterEach(() => t.close());

  const create = (body: object) => as(t.app, admin).post('/api/api-keys', body);
  const ingestWith = (key: string) =>
    t.app.inject({
      method: 'POST',
      url: '/api/activities',
      headers: { authorization: `Bearer ${key}` },
      payload: { events: [{ activity: 'backup', username: acme.user.username }] },
    });
  const countIngested = async () =>
    Number(
      (
        await t.database.db
          .selectFrom('activities')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('activity', '=', 'backup')
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('gives a key created without scopes activities:write, in the answer and the list', async () => {
    const created = await create({ name: 'backup' });
    expect(created.statusCode).toBe(201);
    expect(created.json().scopes).toEqual(['activities:write']);
    const listed = (await as(t.app, admin).get('/api/api-keys')).json().apiKeys;
    expect(listed).toEqual([
      expect.objectContaining({ id: created.json().id, scopes: ['activities:write'] }),
    ]);
    expect((await ingestWith(created.json().key)).statusCode).toBe(201);
  });

  it('creates a key with the scopes named, and lists each key’s own', async () => {
    const both = await create({ name: 'both', scopes: ['sessions:introspect', 'activities:write'] });
    const introspectOnly = await create({ name: 'gateway', scopes: ['sessions:introspect'] });
    expect(both.json().scopes).toEqual(['sessions:introspect', 'activities:write']);
    expect(introspectOnly.json().scopes).toEqual(['sessions:introspect']);
    const listed = (await as(t.app, admin).get('/api/api-keys')).json().apiKeys;
    const scopesById = Object.fromEntries(
      listed.map((k: { id: string; scopes: string[] }) => [k.id, k.scopes]),
    );
    expect(scopesById).toEqual({
      [both.json().id]: ['sessions:introspect', 'activities:write'],
      [introspectOnly.json().id]: ['sessions:introspect'],
    });
  });

  it.each([
    ['an unknown scope', ['activities:delete']],
    ['a scope in another case', ['Activities:Write']],
    ['no scope', []],
    ['a scope twice', ['activities:write', 'activities:write']],
    ['a scope that is not a string', [42]],
    ['scopes that are not a list', { 'activities:write': true }],
  ])('refuses %s with 400 naming scopes, and creates nothing', async (_case, scopes) => {
    const response = await create({ name: 'x', scopes });
    expectError(response, 400, 'INVALID_INPUT');
    expect(response.json().error.message).toContain('scopes');
    expect((await as(t.app, admin).get('/api/api-keys')).json().apiKeys).toEqual([]);
  });

  it('refuses no scope and a scope twice from the CLI’s path too (the service, without the route’s schema)', async () => {
    const operator = operatorActor(acme.orgId);
    for (const scopes of [[], ['sessions:introspect', 'sessions:introspect']] as ApiKeyScope[][]) {
      await expect(t.app.services.apiKeys.createApiKey(operator, 'x', { scopes })).rejects.toMatchObject({
        code: 'INVALID_INPUT',
        message: expect.stringContaining('scopes'),
      });
    }
    expect((await as(t.app, admin).get('/api/api-keys')).json().apiKeys).toEqual([]);
  });

  it('refuses ingest to a key without activities:write with 403 naming the scope, and writes nothing', async () => {
    const { key } = (await create({ name: 'gateway', scopes: ['sessions:introspect'] })).json();
    const response = await ingestWith(key);
    expectError(response, 403, 'INSUFFICIENT_SCOPE');
    expect(response.json().error.message).toContain('activities:write');
    expect(await countIngested()).toBe(0);
  });

  it('still lets an admin ingest with the session, which has no scopes to lack', async () => {
    const response = await as(t.app, admin).post('/api/activities', {
      events: [{ activity: 'backup', username: acme.user.username }],
    });
    expect(response.statusCode, response.body).toBe(201);
  });

  it('records the scopes of a new key in its api_key.created activity', async () => {
    await create({ name: 'gateway', scopes: ['sessions:introspect'] });
    const row = await t.database.db
      .selectFrom('activities')
      .select(['target', 'details'])
      .where('orgId', '=', acme.orgId)
      .where('activity', '=', 'api_key.created')
      .executeTakeFirstOrThrow();
    expect(row.details).toBe('scopes: sessions:introspect');
  });
});

/** The migrations of the version before scopes, under their recorded names. */
const BEFORE_SCOPES: Record<string, Migration> = Object.fromEntries(
  Object.entries(MIGRATIONS).filter(([name]) => name < '008'),
);

describeEachEngine('an API key made before scopes, after the upgrade', (engine: TestEngine) => {
  let t: TestApp;
  let sqliteDir: string | undefined;
  let schema: string | undefined;
  const key = `vsk_${randomBytes(32).toString('base64url')}`;
  const keyId = randomUUID();
  const orgId = randomUUID();
  const username = `old-${randomBytes(4).toString('hex')}`;

  beforeEach(async () => {
    sqliteDir = engine === 'sqlite' ? mkdtempSync(join(tmpdir(), 'vault-scopes-')) : undefined;
    schema = engine === 'postgres' ? `t_${randomBytes(6).toString('hex')}` : undefined;
    const databaseUrl = sqliteDir ? `sqlite:${join(sqliteDir, 'vault.db')}` : (POSTGRES_URL as string);
    const old = createDatabase(
      loadConfig({ DATABASE_URL: databaseUrl }).database,
      schema ? { postgresSchema: schema } : {},
    );
    if (schema) await sql`create schema ${sql.id(schema)}`.execute(old.db);
    // Under the migration lock, as migrateToLatest runs: Kysely's migrator lists every schema's
    // tables and trips over another test's schema that is dropped meanwhile (dropSchema).
    const migrated = await old.db.connection().execute(async (connection) => {
      if (schema) await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`.execute(connection);
      try {
        return await new Migrator({
          db: connection,
          provider: { getMigrations: async () => BEFORE_SCOPES },
          ...(schema ? { migrationTableSchema: schema } : {}),
        }).migrateToLatest();
      } finally {
        if (schema) await sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`.execute(connection);
      }
    });
    if (migrated.error) throw migrated.error;
    // As the version before wrote them: no scopes column yet.
    await sql`insert into orgs (id, name, created_at) values (${orgId}, ${'old-org'}, ${Date.now()})`.execute(
      old.db,
    );
    await sql`insert into users (id, org_id, username, password_hash, role, created_at, password_changed_at)
      values (${randomUUID()}, ${orgId}, ${username}, ${'unused'}, ${'user'}, ${Date.now()}, ${Date.now()})`.execute(
      old.db,
    );
    const keyHash = createHash('sha256').update(key).digest('hex');
    await sql`insert into api_keys (id, org_id, name, key_hash, prefix, created_at)
      values (${keyId}, ${orgId}, ${'old backup'}, ${keyHash}, ${key.slice(0, 10)}, ${Date.now()})`.execute(
      old.db,
    );
    await old.close();
    // The new version starts on that database and migrates it.
    t = await createTestApp(engine, {
      env: { DATABASE_URL: databaseUrl },
      ...(schema ? { postgresSchema: schema } : {}),
    });
  });
  afterEach(async () => {
    await t?.close();
    if (schema) await dropSchema(schema);
    if (sqliteDir) rmSync(sqliteDir, { recursive: true, force: true });
  });

  it('keeps ingesting, and is listed with activities:write only', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/activities',
      headers: { authorization: `Bearer ${key}` },
      payload: { events: [{ activity: 'backup', username }] },
    });
    expect(response.statusCode, response.body).toBe(201);
    const principal = await t.app.services.apiKeys.authenticateApiKey(key);
    expect(principal?.scopes).toEqual(['activities:write']);
    const introspect = await t.app.inject({
      method: 'POST',
      url: '/api/sessions/introspect',
      headers: { authorization: `Bearer ${key}` },
      payload: { sessionToken: 'x' },
    });
    expectError(introspect, 403, 'INSUFFICIENT_SCOPE');
  });
});

describe('API key scopes in the OpenAPI document', () => {
  it('lists the known scopes for POST /api/api-keys', async () => {
    const t = await createTestApp('sqlite');
    try {
      const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
      const body = doc.paths['/api/api-keys'].post.requestBody.content['application/json'].schema;
      const scopes = body.properties.scopes.items.anyOf.flatMap((s: { enum: string[] }) => s.enum);
      expect(scopes).toEqual(['activities:write', 'activities:read', 'sessions:introspect']);
    } finally {
      await t.close();
    }
  });
});
