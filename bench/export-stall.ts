/**
 * npm run bench:export-stall — does the server keep answering `/api/health` while exports and
 * chain verifications run? On a SQLite log of BENCH_ROWS (1M) activities, written through the
 * append path (a real chain, so verification has work to do), against a server process:
 *
 * - health p50/p99/max (one probe every 10 ms, each on its own, as a load balancer polls) with
 *   nothing else running, with 20 exports of "1 year" (by 20 admins, for 15 s, then the clients
 *   hang up), and with 5 verifications (by 5 admins, until they end);
 * - one export alone, start to end, and the 20 exports together, in rows/s.
 *
 * BENCH_BASELINE_CLI=<another build's dist/cli.js> runs that build and this one in turns on the
 * same database, A B A B. With DATABASE_URL=postgres://..., the same on PostgreSQL (this build
 * only; BENCH_PG_ROWS, default 1M, through the append path as well).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import pg from 'pg';
import { recordActivities } from '../src/activity/chain/record.js';
import { generateDemoActivities } from '../src/activity/demo-data.js';
import { openCliContext } from '../src/cli/context.js';
import { operatorActor } from '../src/kernel/actor.js';
import { loadConfig } from '../src/kernel/config.js';
import { startServerProcess } from './lib/server-process.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const PG_ROWS = Number(process.env.BENCH_PG_ROWS ?? 1_000_000);
const EXPORTS = 20;
const VERIFIES = 5;
const EXPORT_WINDOW_MS = Number(process.env.BENCH_WINDOW_MS ?? 15_000);
const IDLE_MS = 3_000;
const PROBE_EVERY_MS = 10;
const PASSWORD = 'bench admin password 1';
const DAY_MS = 24 * 3_600_000;

interface Build {
  name: string;
  cli: string;
}
const thisBuild: Build = { name: 'after', cli: 'dist/cli.js' };
const baseline: Build | undefined = process.env.BENCH_BASELINE_CLI
  ? { name: 'before', cli: process.env.BENCH_BASELINE_CLI }
  : undefined;

const rows: string[][] = [];
const report = (cells: string[]) => {
  rows.push(cells);
  console.log(cells.join('  '));
};

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;

/** An org, EXPORTS admins, and `count` activities through the product's append path. */
async function seed(databaseUrl: string, count: number): Promise<string[]> {
  const context = await openCliContext({ access: 'create' }, loadConfig({ DATABASE_URL: databaseUrl }));
  try {
    const { org } = await context.accounts.createOrgWithAdmin({
      orgName: 'Stall Org',
      username: 'admin0@stall',
      password: PASSWORD,
    });
    const admins = ['admin0@stall'];
    const users: Array<{ id: string; username: string }> = [];
    for (let i = 1; i < EXPORTS; i++) {
      const user = await context.accounts.createUser(operatorActor(org.id), {
        username: `admin${i}@stall`,
        password: PASSWORD,
        role: 'admin',
      });
      admins.push(user.username);
      users.push(user);
    }
    const now = Date.now();
    const from = new Date(now).setUTCMonth(new Date(now).getUTCMonth() - 13);
    const started = performance.now();
    for (const batch of generateDemoActivities({
      count,
      from,
      to: now - DAY_MS / 24,
      users,
      batchSize: 5_000,
    })) {
      const recordedAt = (batch[batch.length - 1] as (typeof batch)[number]).occurredAt;
      await context.database.db
        .transaction()
        .execute((trx) => recordActivities(trx, org.id, batch, recordedAt));
    }
    console.log(`loaded ${count} rows in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    await sql
      .raw(context.database.engine === 'postgres' ? 'vacuum analyze' : 'analyze')
      .execute(context.database.db);
    return admins;
  } finally {
    await context.close();
  }
}

async function login(url: string, username: string): Promise<string> {
  const response = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD }),
  });
  if (!response.ok) throw new Error(`login ${username}: ${response.status}`);
  return (response.headers.get('set-cookie') ?? '').split(';')[0] as string;
}

/** Probes health every PROBE_EVERY_MS, each probe on its own, until stopped. */
function probeHealth(url: string) {
  const times: number[] = [];
  let failed = 0;
  const inFlight = new Set<Promise<void>>();
  const timer = setInterval(() => {
    const started = performance.now();
    const probe = fetch(`${url}/api/health`).then(
      async (response) => {
        await response.arrayBuffer();
        if (!response.ok) failed += 1;
        times.push(performance.now() - started);
      },
      () => {
        failed += 1;
      },
    );
    inFlight.add(probe);
    void probe.finally(() => inFlight.delete(probe));
  }, PROBE_EVERY_MS);
  return async () => {
    clearInterval(timer);
    await Promise.all(inFlight);
    times.sort((a, b) => a - b);
    const ms = (value: number) => value.toFixed(1);
    return `p50 ${ms(percentile(times, 0.5))}, p99 ${ms(percentile(times, 0.99))}, max ${ms(times[times.length - 1] ?? Number.NaN)} ms (${times.length} probes${failed ? `, ${failed} not 200` : ''})`;
  };
}

/** Reads an export, counting its records, until it ends or `signal` aborts it. */
async function readExport(
  url: string,
  cookie: string,
  signal?: AbortSignal,
): Promise<{ rows: number; status: number }> {
  let lines = 0;
  try {
    const response = await fetch(`${url}/api/activities/export?period=1y`, { headers: { cookie }, signal });
    if (!response.ok) return { rows: 0, status: response.status };
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      for (let at = bytes.indexOf(10); at !== -1; at = bytes.indexOf(10, at + 1)) lines += 1;
    }
  } catch (error) {
    if (!signal?.aborted) throw error;
  }
  return { rows: Math.max(0, lines - 1), status: 200 };
}

async function measure(engine: string, build: Build, databaseUrl: string, admins: string[], port: number) {
  const server = await startServerProcess({ DATABASE_URL: databaseUrl }, port, build.cli);
  const label = `${engine}, ${build.name}`;
  try {
    const cookies: string[] = [];
    for (const admin of admins) cookies.push(await login(server.url, admin));
    await sleep(500);

    let stop = probeHealth(server.url);
    await sleep(IDLE_MS);
    report([label, 'health, nothing else running', await stop()]);

    let started = performance.now();
    const alone = await readExport(server.url, cookies[0] as string);
    const aloneRate = alone.rows / ((performance.now() - started) / 1000);
    report([label, 'one export alone (1 year)', `${alone.rows} rows, ${Math.round(aloneRate)} rows/s`]);

    stop = probeHealth(server.url);
    const abort = new AbortController();
    started = performance.now();
    const exports = cookies.slice(0, EXPORTS).map((cookie) => readExport(server.url, cookie, abort.signal));
    await sleep(EXPORT_WINDOW_MS);
    abort.abort();
    const done = await Promise.all(exports);
    const seconds = (performance.now() - started) / 1000;
    const health = await stop();
    const total = done.reduce((sum, e) => sum + e.rows, 0);
    const refused = done.filter((e) => e.status !== 200).length;
    report([label, `health, ${EXPORTS} exports running`, health]);
    report([
      label,
      `${EXPORTS} exports together, ${EXPORT_WINDOW_MS / 1000} s`,
      `${total} rows, ${Math.round(total / seconds)} rows/s${refused ? ` (${refused} refused)` : ''}`,
    ]);
    await sleep(1_000); // the aborted exports record themselves

    stop = probeHealth(server.url);
    started = performance.now();
    const verifies = await Promise.all(
      cookies.slice(0, VERIFIES).map(async (cookie) => {
        // A kept-alive connection the server closes as the request goes out fails the fetch: one
        // failed verification is a result to report, not a reason to lose the run.
        try {
          const response = await fetch(`${server.url}/api/activities/verify`, { headers: { cookie } });
          const body = (await response.json()) as { ok?: boolean; checked?: number };
          return { status: response.status, ok: body.ok === true, checked: body.checked ?? 0 };
        } catch {
          return { status: 0, ok: false, checked: 0 };
        }
      }),
    );
    const verifySeconds = (performance.now() - started) / 1000;
    report([label, `health, ${VERIFIES} verifications running`, await stop()]);
    const statuses = verifies.map((v) =>
      v.status === 200 ? (v.ok ? 'ok' : 'BROKEN') : v.status === 0 ? 'fetch failed' : String(v.status),
    );
    report([
      label,
      `${VERIFIES} verifications together`,
      `${verifySeconds.toFixed(1)} s for ${Math.max(...verifies.map((v) => v.checked))} rows each (${statuses.join(', ')})`,
    ]);
  } finally {
    await server.stop();
  }
}

async function runEngine(
  engine: string,
  databaseUrl: string,
  count: number,
  port: number,
  builds: Build[],
  load = true,
) {
  console.log(`\n${engine}: ${load ? `loading ${count} activities…` : 'reusing the loaded database'}`);
  const admins = load
    ? await seed(databaseUrl, count)
    : Array.from({ length: EXPORTS }, (_, i) => `admin${i}@stall`);
  for (const build of builds) await measure(engine, build, databaseUrl, admins, port);
}

// BENCH_SQLITE_DIR keeps the SQLite database there, loaded once, for later runs.
const keep = process.env.BENCH_SQLITE_DIR;
const dir = keep ?? mkdtempSync(join(tmpdir(), 'vault-bench-stall-'));
try {
  const turns = baseline ? [baseline, thisBuild, baseline, thisBuild] : [thisBuild];
  const file = join(dir, 'vault.db');
  if (ROWS > 0) await runEngine('sqlite', `sqlite:${file}`, ROWS, 3941, turns, !existsSync(file));
  const pgUrl = process.env.DATABASE_URL;
  if (pgUrl?.startsWith('postgres') && PG_ROWS > 0) {
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    await admin.query('drop database if exists vault_bench_stall');
    await admin.query('create database vault_bench_stall');
    await admin.end();
    const url = new URL(pgUrl);
    url.pathname = '/vault_bench_stall';
    await runEngine('postgres', url.toString(), PG_ROWS, 3942, [thisBuild]);
  }
} finally {
  if (!keep) rmSync(dir, { recursive: true, force: true });
}

console.log('\n| engine, build | measure | result |\n| --- | --- | --- |');
for (const [label, measure, value] of rows) console.log(`| ${label} | ${measure} | ${value} |`);
