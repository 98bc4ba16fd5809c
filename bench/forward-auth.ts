/**
 * npm run bench:forward-auth — what forward auth costs a protected app. For each engine (SQLite;
 * PostgreSQL too when DATABASE_URL is postgres://): a vault server process, 100 users each logged
 * in (101 sessions, rotated across requests), a tiny upstream app in a process of its own, and one
 * nginx running docs/proxy/nginx.conf (the README's snippet) beside a plain server block that
 * proxies to the same upstream without auth_request. Then, in the same run:
 *  1. nginx → upstream (A) against nginx + auth_request → upstream (B), A B A B, 50 connections;
 *  2. the latency one request adds with nothing queued: one client, sequential requests, A B A B;
 *  3. GET /api/auth/verify against GET /api/health on the vault itself, A B A B, 50 connections.
 * BENCH_DURATION_S (default 10) sets each loaded run; BENCH_ENGINES=sqlite,postgres picks engines.
 */
import { Agent, request } from 'node:http';
import autocannon from 'autocannon';
import { freePort } from '../test/helpers/child-server.js';
import { PLACEHOLDER, PROXY_BINARIES, type RunningProxy, startNginx } from '../test/helpers/proxies.js';
import { onEachEngine } from './lib/each-engine.js';
import { type BenchAdmin, seedSessions } from './lib/seed-sessions.js';
import { type ServerProcess, startServerProcess } from './lib/server-process.js';
import { startUpstreamProcess, type UpstreamProcess } from './lib/upstream-process.js';

const CONNECTIONS = 50;
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const WARM_UP_S = Math.min(3, DURATION_S);
const SEQUENTIAL_REQUESTS = Number(process.env.BENCH_SEQUENTIAL ?? 2_000);
const USERS = 100;
const ADMIN: BenchAdmin = { username: 'bench-admin', password: 'bench admin password 1' };
const BENCH_DB = 'vault_bench_forward_auth';
/** What the proxy would pass the vault; sent to the vault directly in part 3. */
const PROXY_HEADERS = {
  'x-forwarded-for': '203.0.113.9',
  'x-forwarded-host': PLACEHOLDER.appHost,
  'x-original-uri': '/',
  'x-forwarded-method': 'GET',
};

interface Run {
  engine: string;
  part: string;
  target: string;
  reqPerSec: number;
  p50: number;
  p99: number;
  errors: number;
}

const runs: Run[] = [];
const summary: Array<[engine: string, measure: string, result: string, target: string]> = [];

function load(url: string, cookies: string[], headers: Record<string, string>, durationS: number) {
  // Each connection cycles through every session's cookie.
  return autocannon({
    url,
    connections: CONNECTIONS,
    duration: durationS,
    requests: cookies.map((cookie) => ({ method: 'GET' as const, headers: { ...headers, cookie } })),
  });
}

/** An nginx server block like the snippet's protected location, without auth_request. */
function unprotectedServer(port: number): string {
  return `
server {
    listen 127.0.0.1:${port};
    location / {
        proxy_pass http://protected_app;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $http_host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
    }
}`;
}

/** Median and p99 of `count` sequential requests, in ms, measured here with a clock finer than autocannon's. */
async function sequentialLatency(
  port: number,
  cookies: string[],
  count: number,
): Promise<{ p50: number; p99: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await new Promise<void>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/',
          agent,
          headers: { host: PLACEHOLDER.appHost, cookie: cookies[i % cookies.length] as string },
        },
        (res) => {
          if (res.statusCode !== 200) reject(new Error(`status ${res.statusCode}`));
          res.resume();
          res.on('end', resolve);
        },
      );
      req.on('error', reject);
      req.end();
    });
    times.push(performance.now() - started);
  }
  agent.destroy();
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] as number;
  return { p50: at(0.5), p99: at(0.99) };
}

const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
const round = (value: number, digits = 2) => Number(value.toFixed(digits));

async function nginxParts(engine: string, vault: ServerProcess, cookies: string[]): Promise<void> {
  const upstream: UpstreamProcess = await startUpstreamProcess();
  let nginx: RunningProxy | undefined;
  try {
    const plainPort = await freePort();
    nginx = await startNginx(
      { vault: vault.url.replace('http://', ''), app: upstream.address },
      { extra: unprotectedServer(plainPort) },
    );
    const targets = [
      { name: 'A nginx → upstream', port: plainPort },
      { name: 'B nginx + auth_request → upstream', port: nginx.port },
    ];
    const headers = { host: PLACEHOLDER.appHost };
    for (const target of targets) await load(`http://127.0.0.1:${target.port}/`, cookies, headers, WARM_UP_S);
    for (const target of [...targets, ...targets]) {
      const result = await load(`http://127.0.0.1:${target.port}/`, cookies, headers, DURATION_S);
      runs.push({
        engine,
        part: `1. ${CONNECTIONS} connections`,
        target: target.name,
        reqPerSec: Math.round(result.requests.average),
        p50: result.latency.p50,
        p99: result.latency.p99,
        errors: result.errors + result.non2xx,
      });
    }
    const sequential: Record<string, Array<{ p50: number; p99: number }>> = {};
    for (const target of [...targets, ...targets]) {
      const measured = await sequentialLatency(target.port, cookies, SEQUENTIAL_REQUESTS);
      sequential[target.name] = [...(sequential[target.name] ?? []), measured];
      runs.push({
        engine,
        part: '2. one client, sequential',
        target: target.name,
        reqPerSec: Math.round(1000 / measured.p50),
        p50: round(measured.p50, 3),
        p99: round(measured.p99, 3),
        errors: 0,
      });
    }
    const [a, b] = targets.map((t) => runs.filter((r) => r.engine === engine && r.target === t.name)) as [
      Run[],
      Run[],
    ];
    const loadedA = a.filter((r) => r.part.startsWith('1.'));
    const loadedB = b.filter((r) => r.part.startsWith('1.'));
    const ratio = mean(loadedB.map((r) => r.reqPerSec)) / mean(loadedA.map((r) => r.reqPerSec));
    summary.push([engine, 'protected ÷ unprotected req/s (50 connections)', ratio.toFixed(3), '≥ 0.5']);
    summary.push([
      engine,
      'added p50, 50 connections',
      `${round(mean(loadedB.map((r) => r.p50)) - mean(loadedA.map((r) => r.p50)))} ms`,
      '≤ 1 ms',
    ]);
    const seqA = sequential[targets[0]?.name as string] ?? [];
    const seqB = sequential[targets[1]?.name as string] ?? [];
    summary.push([
      engine,
      'added p50, one client (nothing queued)',
      `${round(mean(seqB.map((s) => s.p50)) - mean(seqA.map((s) => s.p50)), 3)} ms`,
      '≤ 1 ms',
    ]);
  } finally {
    await nginx?.stop();
    await upstream.stop();
  }
}

async function verifyPart(engine: string, vault: ServerProcess, cookies: string[]): Promise<void> {
  const targets = [
    { name: 'A GET /api/health', path: '/api/health' },
    { name: 'B GET /api/auth/verify', path: '/api/auth/verify' },
  ];
  for (const target of targets) await load(`${vault.url}${target.path}`, cookies, PROXY_HEADERS, WARM_UP_S);
  for (const target of [...targets, ...targets]) {
    const result = await load(`${vault.url}${target.path}`, cookies, PROXY_HEADERS, DURATION_S);
    runs.push({
      engine,
      part: `3. the vault, ${CONNECTIONS} connections`,
      target: target.name,
      reqPerSec: Math.round(result.requests.average),
      p50: result.latency.p50,
      p99: result.latency.p99,
      errors: result.errors + result.non2xx,
    });
  }
  const of = (name: string) =>
    mean(runs.filter((r) => r.engine === engine && r.target === name).map((r) => r.reqPerSec));
  summary.push([
    engine,
    '/api/auth/verify ÷ /api/health req/s',
    (of('B GET /api/auth/verify') / of('A GET /api/health')).toFixed(3),
    engine === 'sqlite' ? '≥ 0.8' : '≥ 0.6',
  ]);
}

async function runEngine(engine: string, databaseUrl: string): Promise<void> {
  const port = await freePort();
  const vault = await startServerProcess(
    {
      DATABASE_URL: databaseUrl,
      VAULT_ADMIN_USERNAME: ADMIN.username,
      VAULT_ADMIN_PASSWORD: ADMIN.password,
      TRUST_PROXY: 'loopback',
    },
    port,
  );
  try {
    const cookies = await seedSessions(vault.url, ADMIN, USERS);
    if (PROXY_BINARIES.nginx) await nginxParts(engine, vault, cookies);
    else console.warn('nginx is not installed: parts 1 and 2 (through nginx) are skipped');
    await verifyPart(engine, vault, cookies);
  } finally {
    await vault.stop();
  }
}

await onEachEngine('forward-auth', BENCH_DB, runEngine);

console.log(
  `\nEach loaded run ${DURATION_S} s (warm-up ${WARM_UP_S} s, discarded); ${SEQUENTIAL_REQUESTS} sequential requests a run in part 2.\n`,
);
console.log('| engine | part | target | req/s | p50 ms | p99 ms | errors |');
console.log('| --- | --- | --- | ---: | ---: | ---: | ---: |');
for (const r of runs) {
  console.log(
    `| ${r.engine} | ${r.part} | ${r.target} | ${r.reqPerSec} | ${r.p50} | ${r.p99} | ${r.errors} |`,
  );
}
console.log('\n| engine | measure | result | target |');
console.log('| --- | --- | ---: | --- |');
for (const [engine, measure, result, target] of summary)
  console.log(`| ${engine} | ${measure} | ${result} | ${target} |`);
