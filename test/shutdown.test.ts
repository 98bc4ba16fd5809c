import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createDatabase } from '../src/db/database.js';
import { MIGRATION_LOCK_KEY } from '../src/db/migrate.js';
import { loadConfig } from '../src/kernel/config.js';
import { type ChildServer, startChildServer } from './helpers/child-server.js';
import { describeEachEngine, POSTGRES_URL } from './helpers/engines.js';
import { openRawConnection } from './helpers/raw-socket.js';
import { callApi, openSse, type SseStream } from './helpers/sse.js';

const ADMIN = { username: 'admin', password: 'correct horse battery staple' };
/** Generous against the 5 s promised: the machine is shared; the force deadline is told apart by the log. */
const EXITS_WITHIN_MS = 20_000;
/** Long enough for the server to have read the head of a request written just before. */
const HEAD_ARRIVES_MS = 500;
/** A process of its own starts from the sources: on a loaded machine that alone took half a minute. */
const TEST_TIMEOUT_MS = 150_000;

describeEachEngine('SIGTERM with open event streams', (engine) => {
  let databaseUrl: string;
  let cleanup: () => Promise<void>;
  let server: ChildServer | undefined;
  let streams: SseStream[];

  beforeEach(async () => {
    streams = [];
    if (engine === 'sqlite') {
      const dir = mkdtempSync(join(tmpdir(), 'vault-shutdown-'));
      databaseUrl = `sqlite:${join(dir, 'vault.db')}`;
      cleanup = async () => rmSync(dir, { recursive: true, force: true });
      return;
    }
    const schema = `t_${randomBytes(6).toString('hex')}`;
    await adminQuery(`create schema ${schema}`);
    const url = new URL(POSTGRES_URL as string);
    url.searchParams.set('options', `-c search_path=${schema}`);
    databaseUrl = url.toString();
    cleanup = () => adminQuery(`drop schema if exists ${schema} cascade`, { underMigrationLock: true });
  });
  afterEach(async () => {
    for (const stream of streams) stream.close();
    server?.kill();
    await cleanup();
  });

  it(
    'ends the streams, finishes the request in flight, writes last access and exits 0',
    async () => {
      server = await startChildServer({
        DATABASE_URL: databaseUrl,
        VAULT_ADMIN_USERNAME: ADMIN.username,
        VAULT_ADMIN_PASSWORD: ADMIN.password,
        LOG_LEVEL: 'info',
      });
      const { baseUrl } = server;
      const login = await fetch(`${baseUrl}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(ADMIN),
      });
      expect(login.status).toBe(200);
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
      const { session } = (await login.json()) as { session: { id: string } };
      for (let i = 0; i < 2; i++) {
        const stream = await openSse(`${baseUrl}/api/sessions/stream`, { cookie });
        streams.push(stream);
        expect(await stream.next(10_000)).toMatchObject({ event: 'ready' });
      }
      // Later than the login's own time, so only a written touch can make last access reach it.
      await new Promise((r) => setTimeout(r, 20));
      const touchedAfter = Date.now();
      expect((await callApi(baseUrl, cookie, 'GET', '/api/me')).status).toBe(200);

      // A login whose head has arrived and whose body has not: in flight when the signal comes.
      const body = JSON.stringify(ADMIN);
      const inFlight = await openRawConnection(baseUrl);
      inFlight.socket.write(
        'POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\n' +
          `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 10)}`,
      );
      await new Promise((r) => setTimeout(r, HEAD_ARRIVES_MS));

      server.child.kill('SIGTERM');
      for (const stream of streams) {
        expect(await readToEnd(stream)).toBe(true);
        expect(stream.closedByServer).toBe(true);
      }
      const answer = await inFlight.request(body.slice(10), EXITS_WITHIN_MS);
      expect(answer).toMatch(/^HTTP\/1\.1 200 /);
      expect(answer?.toLowerCase()).toContain('connection: close');

      const exit = await server.exitWithin(EXITS_WITHIN_MS);
      expect(exit, server.output()).toEqual({ code: 0, signal: null });
      expect(server.output()).toContain('SIGTERM: shutting down');
      expect(server.output()).toContain('"msg":"shut down"');
      expect(server.output()).not.toContain('forcing exit');

      const database = createDatabase(loadConfig({ DATABASE_URL: databaseUrl }).database);
      try {
        const rows = await database.db
          .selectFrom('sessions')
          .select(['id', 'lastAccessAt'])
          .orderBy('createdAt')
          .execute();
        // The first login's session, and the one the request in flight opened.
        expect(rows).toHaveLength(2);
        const first = rows.find((r) => r.id === session.id);
        expect(first?.lastAccessAt).toBeGreaterThanOrEqual(touchedAfter);
      } finally {
        await database.close();
      }
    },
    TEST_TIMEOUT_MS,
  );
});

/** Reads a stream until the server ends it: true, or false if it is still open after the bound. */
async function readToEnd(stream: SseStream): Promise<boolean> {
  const giveUpAt = Date.now() + EXITS_WITHIN_MS;
  while (Date.now() < giveUpAt) {
    const event = await stream.next(giveUpAt - Date.now()).catch(() => undefined);
    if (event === null) return true;
    if (event === undefined) return false;
  }
  return false;
}

async function adminQuery(text: string, options: { underMigrationLock?: boolean } = {}): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    // Kysely's migrator lists every schema's tables and trips over one that disappears meanwhile.
    if (options.underMigrationLock) await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(text);
  } finally {
    await client.end();
  }
}
