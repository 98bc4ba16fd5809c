/**
 * npm run bench:metrics — what metrics cost a request: two server processes side by side on SQLite,
 * one without METRICS_TOKEN (A) and one with it (B), the same 100+ sessions on each, loaded in turn
 * A B A B (so drift in the machine's load hits both alike) with autocannon on one route
 * (BENCH_ROUTE: /api/me, the session check, by default; /api/health answers from memory).
 * B is scraped once a second meanwhile, as Prometheus would (more often than it would).
 * Besides req/s it prints the server's CPU time per request, which a busy machine disturbs less,
 * and first, in this process, what the instruments a request touches cost by themselves.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { createAppMetrics } from '../src/http/metrics/app-metrics.js';
import { type BenchAdmin, seedSessions } from './lib/seed-sessions.js';
import { type ServerProcess, startServerProcess } from './lib/server-process.js';

const CONNECTIONS = 50;
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const WARM_UP_S = 3;
const USERS = 100;
const ROUTE = process.env.BENCH_ROUTE ?? '/api/me';
const ADMIN: BenchAdmin = { username: 'bench-admin', password: 'bench admin password 1' };
const METRICS_TOKEN = 'bench-metrics-token-0123456789';
const SCRAPE_EVERY_MS = 1_000;
const MICRO_REQUESTS = 1_000_000;
const MICRO_ROUNDS = 3;

/** The two histograms an authenticated request updates, timed alone: µs per request, best of rounds. */
function instrumentCostUs(): number {
  const metrics = createAppMetrics();
  const routes = ['/api/me', '/api/sessions', '/api/sessions/:id', '/api/activities'];
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < MICRO_ROUNDS; round++) {
    const started = performance.now();
    for (let i = 0; i < MICRO_REQUESTS; i++) {
      const route = routes[i % routes.length] as string;
      metrics.observeRequest({ method: 'GET', route, statusCode: 200 }, 0.002);
      metrics.observeSessionCheck('ok', 0.0003);
    }
    best = Math.min(best, ((performance.now() - started) * 1000) / MICRO_REQUESTS);
  }
  return best;
}

interface Target {
  name: string;
  server: ServerProcess;
  cookies: string[];
}

function load(target: Target, durationS: number): Promise<autocannon.Result> {
  return autocannon({
    url: `${target.server.url}${ROUTE}`,
    connections: CONNECTIONS,
    duration: durationS,
    requests: target.cookies.map((cookie) => ({ method: 'GET' as const, headers: { cookie } })),
  });
}

async function start(name: string, dir: string, port: number, env: Record<string, string>): Promise<Target> {
  const server = await startServerProcess(
    {
      DATABASE_URL: `sqlite:${join(dir, `${name}.db`)}`,
      VAULT_ADMIN_USERNAME: ADMIN.username,
      VAULT_ADMIN_PASSWORD: ADMIN.password,
      ...env,
    },
    port,
  );
  return { name, server, cookies: await seedSessions(server.url, ADMIN, USERS) };
}

console.log(`\nInstruments alone: ${instrumentCostUs().toFixed(2)} µs per request (best of ${MICRO_ROUNDS})`);

const dir = mkdtempSync(join(tmpdir(), 'vault-bench-metrics-'));
const targets: Target[] = [];
try {
  targets.push(await start('A (no METRICS_TOKEN)', dir, 3911, {}));
  targets.push(await start('B (METRICS_TOKEN)', dir, 3912, { METRICS_TOKEN }));
  const [a, b] = targets as [Target, Target];
  const scraper = setInterval(() => {
    fetch(`${b.server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
      .then((r) => r.text())
      .catch(() => {});
  }, SCRAPE_EVERY_MS);
  try {
    for (const target of targets) await load(target, WARM_UP_S); // warm-up, discarded
    const rows: Array<{
      name: string;
      reqPerSec: number;
      cpuUs: number;
      p50: number;
      p99: number;
      errors: number;
    }> = [];
    for (const target of [a, b, a, b]) {
      const cpuBefore = target.server.cpuSeconds();
      const result = await load(target, DURATION_S);
      const cpu = target.server.cpuSeconds() - cpuBefore;
      rows.push({
        name: target.name,
        reqPerSec: Math.round(result.requests.average),
        cpuUs: Math.round((cpu / result.requests.total) * 1e6),
        p50: result.latency.p50,
        p99: result.latency.p99,
        errors: result.errors + result.non2xx,
      });
    }
    console.log(`\nGET ${ROUTE}, ${CONNECTIONS} connections, ${DURATION_S} s each, A B A B\n`);
    console.log('| run | server | req/s | server CPU µs/request | p50 ms | p99 ms | errors |');
    console.log('| ---: | --- | ---: | ---: | ---: | ---: | ---: |');
    rows.forEach((row, i) => {
      console.log(
        `| ${i + 1} | ${row.name} | ${row.reqPerSec} | ${row.cpuUs} | ${row.p50} | ${row.p99} | ${row.errors} |`,
      );
    });
    const mean = (name: string, field: 'reqPerSec' | 'cpuUs') => {
      const of = rows.filter((r) => r.name === name);
      return of.reduce((sum, r) => sum + r[field], 0) / of.length;
    };
    const ratio = (field: 'reqPerSec' | 'cpuUs') => (mean(b.name, field) / mean(a.name, field)).toFixed(3);
    console.log(`\nB/A, mean req/s: ${ratio('reqPerSec')}; mean server CPU per request: ${ratio('cpuUs')}`);
  } finally {
    clearInterval(scraper);
  }
} finally {
  for (const target of targets) await target.server.stop();
  rmSync(dir, { recursive: true, force: true });
}
