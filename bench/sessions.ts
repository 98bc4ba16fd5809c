/**
 * npm run bench:sessions — the per-request session check against a route that answers from memory.
 * For each engine: a server process, 100 users each logged in (100+ distinct sessions), then
 * autocannon with 50 connections on GET /api/me (cookies rotating) and GET /api/health.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { freshPostgresDatabase } from './lib/fresh-postgres.js';
import { type BenchAdmin, seedSessions } from './lib/seed-sessions.js';
import { startServerProcess } from './lib/server-process.js';

const CONNECTIONS = 50;
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const USERS = 100;
const ADMIN: BenchAdmin = { username: 'bench-admin', password: 'bench admin password 1' };
const BENCH_DB = 'vault_bench_sessions';
const ENGINES = (process.env.BENCH_ENGINES ?? 'sqlite,postgres').split(',');

interface Row {
  engine: string;
  route: string;
  reqPerSec: number;
  p50: number;
  p99: number;
  errors: number;
}

function load(url: string, cookies: string[] | undefined): Promise<autocannon.Result> {
  // Static requests are encoded once by autocannon; each connection cycles through all sessions.
  return autocannon({
    url,
    connections: CONNECTIONS,
    duration: DURATION_S,
    ...(cookies
      ? { requests: cookies.map((cookie) => ({ method: 'GET' as const, headers: { cookie } })) }
      : {}),
  });
}

async function runEngine(
  engine: string,
  databaseUrl: string,
  port: number,
): Promise<{ rows: Row[]; peakMb: number }> {
  const server = await startServerProcess(
    { DATABASE_URL: databaseUrl, VAULT_ADMIN_USERNAME: ADMIN.username, VAULT_ADMIN_PASSWORD: ADMIN.password },
    port,
  );
  try {
    const cookies = await seedSessions(server.url, ADMIN, USERS);
    const rows: Row[] = [];
    for (const [route, withCookies] of [
      ['/api/health', false],
      ['/api/me', true],
    ] as const) {
      await load(`${server.url}${route}`, withCookies ? cookies : undefined); // warm-up run, discarded
      const result = await load(`${server.url}${route}`, withCookies ? cookies : undefined);
      rows.push({
        engine,
        route,
        reqPerSec: Math.round(result.requests.average),
        p50: result.latency.p50,
        p99: result.latency.p99,
        errors: result.errors + result.non2xx,
      });
    }
    return { rows, peakMb: Math.round(server.memory().peakMb) };
  } finally {
    await server.stop();
  }
}

const results: Array<{ rows: Row[]; peakMb: number }> = [];
const dir = mkdtempSync(join(tmpdir(), 'vault-bench-'));
try {
  if (ENGINES.includes('sqlite')) {
    results.push(await runEngine('sqlite', `sqlite:${join(dir, 'vault.db')}`, 3901));
  }
  if (ENGINES.includes('postgres')) {
    const postgresBase = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    results.push(await runEngine('postgres', await freshPostgresDatabase(postgresBase, BENCH_DB), 3902));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

console.log(
  `\nGET /api/me vs GET /api/health, ${CONNECTIONS} connections, ${DURATION_S} s each, ${USERS + 1} sessions rotating\n`,
);
console.log('| engine | route | req/s | p50 ms | p99 ms | errors | me/health | server peak RSS MB |');
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const { rows, peakMb } of results) {
  const health = rows.find((r) => r.route === '/api/health') as Row;
  for (const row of rows) {
    const ratio = row.route === '/api/me' ? (row.reqPerSec / health.reqPerSec).toFixed(2) : '';
    console.log(
      `| ${row.engine} | ${row.route} | ${row.reqPerSec} | ${row.p50} | ${row.p99} | ${row.errors} | ${ratio} | ${peakMb} |`,
    );
  }
}
