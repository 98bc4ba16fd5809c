/**
 * npm run bench:sessions-list — Session Information at enterprise scale. For each engine (SQLite;
 * PostgreSQL too when DATABASE_URL is postgres://, in a database of its own made afresh): one org
 * with 100,000 live sessions in a database of 1,000,000 (the rest ended, or other orgs'), loaded by
 * the demo's bulk writer and ANALYZEd (bench/lib/crowd-database.ts); then, over HTTP against a
 * server process:
 *  1. the first page (100 rows, with its capped total) of each filter and each sort, p50/p95 of
 *     SAMPLES sequential requests after 3 discarded;
 *  2. page 50 by cursor, RUNS times;
 *  3. GET /api/me, the per-request check, p50 of sequential requests, without an org policy and with
 *     one, alternately (A B A B in one server), and the ratio of their p50s;
 *  4. a Logout by filter of 10,000 sessions: the time to its answer, until every one of 200
 *     of their tokens is refused by /api/me, and until every ending is in its row (decision 017);
 *  5. GET /api/users, the Users page of the org's 20,000 users: its first page, and with q.
 * BENCH_LIVE, BENCH_TOTAL, BENCH_LOGOUT change the sizes; BENCH_ENGINES=sqlite,postgres picks engines.
 */
import { loadavg } from 'node:os';
import { createDatabase } from '../src/db/database.js';
import { loadConfig } from '../src/kernel/config.js';
import { countPendingEndings } from '../src/sessions/session-endings.repository.js';
import { freePort } from '../test/helpers/child-server.js';
import { type CrowdDatabase, loadCrowdDatabase } from './lib/crowd-database.js';
import { onEachEngine } from './lib/each-engine.js';
import { startServerProcess } from './lib/server-process.js';
import { timeUsersPages } from './lib/users-pages.js';

const LIVE = Number(process.env.BENCH_LIVE ?? 100_000);
const TOTAL = Number(process.env.BENCH_TOTAL ?? 1_000_000);
const LOGOUT = Number(process.env.BENCH_LOGOUT ?? 10_000);
const KNOWN_TOKENS = 200;
const SAMPLES = 40;
const RUNS = 10;
const ME_REQUESTS = 1_000;
const BENCH_DB = 'vault_bench_sessions_list';
const FIRST_PAGE_TARGET_MS = 50;
const LOGOUT_TARGET_MS = 2_000;

interface Line {
  engine: string;
  measure: string;
  matches: string;
  p50: string;
  p95: string;
  target: string;
}
const lines: Line[] = [];
const report = (line: Line) => {
  lines.push(line);
  console.log(
    `  ${line.measure.padEnd(44)} ${line.matches.padStart(8)} p50 ${line.p50} p95 ${line.p95} ${line.target}`,
  );
};

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] as number;
const ms = (value: number) => value.toFixed(1);

interface Page {
  sessions: unknown[];
  nextCursor: string | null;
  total: number;
  totalCapped: boolean;
}

async function timeGet(url: string, cookie: string): Promise<{ ms: number; page: Page }> {
  const started = performance.now();
  const response = await fetch(url, { headers: { cookie } });
  const page = (await response.json()) as Page;
  if (!response.ok) throw new Error(`${url}: ${response.status} ${JSON.stringify(page)}`);
  return { ms: performance.now() - started, page };
}

async function login(base: string, username: string, password: string): Promise<string> {
  const response = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!response.ok) throw new Error(`login: ${response.status} ${await response.text()}`);
  return (response.headers.get('set-cookie') ?? '').split(';')[0] as string;
}

async function firstPages(engine: string, base: string, cookie: string, crowd: CrowdDatabase) {
  const requests: Array<[string, string]> = [
    ['no filter (lastAccessAt desc)', ''],
    [`userId (one user)`, `userId=${crowd.user.id}`],
    ['username (exact, upper-cased)', `username=${encodeURIComponent(crowd.user.username.toUpperCase())}`],
    ['country=US', 'country=us'],
    ['country=NZ', 'country=NZ'],
    ['deviceType=tablet', 'deviceType=tablet'],
    ['os=Windows', 'os=Windows'],
    ['browser=Firefox', 'browser=Firefox'],
    ['q=81.2. (IP prefix)', 'q=81.2.'],
    ['q=amster (city substring)', 'q=amster'],
    ['q=zzqx (no match)', 'q=zzqx'],
    ['flag=impossible_travel', 'flag=impossible_travel'],
  ];
  for (const sort of ['lastAccessAt', 'createdAt', 'username', 'country']) {
    for (const order of ['asc', 'desc'])
      requests.push([`sort=${sort} ${order}`, `sort=${sort}&order=${order}`]);
  }
  for (const [label, query] of requests) {
    const url = `${base}/api/sessions?${query}`;
    for (let i = 0; i < 3; i++) await timeGet(url, cookie);
    const times: number[] = [];
    let page: Page | undefined;
    for (let i = 0; i < SAMPLES; i++) {
      const timed = await timeGet(url, cookie);
      times.push(timed.ms);
      page = timed.page;
    }
    times.sort((a, b) => a - b);
    const p95 = percentile(times, 0.95);
    report({
      engine,
      measure: `first page: ${label}`,
      matches: page ? `${page.total}${page.totalCapped ? '+' : ''}` : '?',
      p50: ms(percentile(times, 0.5)),
      p95: ms(p95),
      target: `< ${FIRST_PAGE_TARGET_MS} ${p95 < FIRST_PAGE_TARGET_MS ? 'met' : 'MISSED'}`,
    });
  }
}

async function usersPages(engine: string, base: string, cookie: string, crowd: CrowdDatabase) {
  for (const { label, matches, times } of await timeUsersPages(base, cookie, crowd.user.username, SAMPLES)) {
    const p95 = percentile(times, 0.95);
    const target = `< ${FIRST_PAGE_TARGET_MS} ${p95 < FIRST_PAGE_TARGET_MS ? 'met' : 'MISSED'}`;
    report({ engine, measure: label, matches, p50: ms(percentile(times, 0.5)), p95: ms(p95), target });
  }
}

async function page50(engine: string, base: string, cookie: string) {
  const times: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    let cursor: string | null = null;
    for (let page = 1; page <= 50; page++) {
      const after = cursor ? `?cursor=${encodeURIComponent(cursor)}` : '';
      const timed = await timeGet(`${base}/api/sessions${after}`, cookie);
      if (page === 50) times.push(timed.ms);
      cursor = timed.page.nextCursor;
      if (cursor === null) throw new Error(`no page ${page + 1}`);
    }
  }
  times.sort((a, b) => a - b);
  report({
    engine,
    measure: `page 50 by cursor (${RUNS} runs)`,
    matches: '',
    p50: ms(percentile(times, 0.5)),
    p95: ms(percentile(times, 0.95)),
    target: '',
  });
}

async function perRequestCheck(engine: string, base: string, cookie: string, label: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < ME_REQUESTS + 50; i++) {
    const started = performance.now();
    const response = await fetch(`${base}/api/me`, { headers: { cookie } });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`/api/me: ${response.status}`);
    if (i >= 50) times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  report({
    engine,
    measure: `GET /api/me, ${label} (${ME_REQUESTS} sequential)`,
    matches: '',
    p50: ms(percentile(times, 0.5)),
    p95: ms(percentile(times, 0.95)),
    target: '',
  });
  return percentile(times, 0.5);
}

async function putPolicy(base: string, cookie: string, policy: object): Promise<void> {
  const response = await fetch(`${base}/api/org/policy`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify(policy),
  });
  if (!response.ok) throw new Error(`policy: ${response.status} ${await response.text()}`);
}

/**
 * The per-request check without an org policy and with one, A B A B in one server so drift of
 * the machine shows in both; the first A has no policy row at all, the second one reset to nulls
 * (the configuration's values). The policy's limits leave every sampled session live.
 */
async function perRequestCheckWithPolicy(engine: string, base: string, cookie: string) {
  const none: number[] = [];
  const set: number[] = [];
  for (let round = 1; round <= 2; round++) {
    if (round > 1)
      await putPolicy(base, cookie, { idleMinutes: null, maxHours: null, maxSessionsPerUser: null });
    none.push(await perRequestCheck(engine, base, cookie, `no org policy (A${round})`));
    await putPolicy(base, cookie, { idleMinutes: 600, maxHours: 48, maxSessionsPerUser: 100 });
    set.push(await perRequestCheck(engine, base, cookie, `with an org policy (B${round})`));
  }
  const ratios = set.map((b, i) => b / (none[i] as number));
  report({
    engine,
    measure: 'GET /api/me p50, with a policy ÷ without (B1/A1, B2/A2)',
    matches: '',
    p50: ratios.map((r) => r.toFixed(2)).join(', '),
    p95: '',
    target: '≈ 1',
  });
  await putPolicy(base, cookie, { idleMinutes: null, maxHours: null, maxSessionsPerUser: null });
}

/** Connections the token checks use at once: well inside the server's 100 per address. */
const CHECKERS = 20;
/** Clients polling /api/me during the Logout, as a few busy tabs and apps would. */
const POLLERS = 4;

/** What /api/me answers each token, CHECKERS requests at a time. */
async function meStatuses(base: string, tokens: string[]): Promise<number[]> {
  const statuses: number[] = new Array(tokens.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: CHECKERS }, async () => {
      for (let i = next++; i < tokens.length; i = next++) {
        const response = await fetch(`${base}/api/me`, { headers: { cookie: `vault_session=${tokens[i]}` } });
        await response.arrayBuffer();
        statuses[i] = response.status;
      }
    }),
  );
  return statuses;
}

/**
 * Ends the Logout target by filter while CHECKERS clients poll /api/me with the sampled tokens:
 * how long until its answer, and until the last sampled token was refused (the time that
 * refusing request was sent, from the Logout's start).
 */
async function bulkLogout(
  engine: string,
  databaseUrl: string,
  base: string,
  cookie: string,
  tokens: string[],
) {
  const before = await meStatuses(base, tokens);
  if (before.some((status) => status !== 200))
    throw new Error('a sampled token is not live before the Logout');
  const started = performance.now();
  const logout = fetch(`${base}/api/sessions/logout`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify({ filter: { browser: 'Bench' } }),
  }).then(async (response) => {
    const body = (await response.json()) as { terminated: number };
    if (!response.ok) throw new Error(`logout: ${response.status} ${JSON.stringify(body)}`);
    return { terminated: body.terminated, ms: performance.now() - started };
  });
  let lastRefused = 0;
  let pending = tokens;
  const deadline = started + 60_000;
  while (pending.length > 0 && performance.now() < deadline) {
    const still: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: POLLERS }, async () => {
        for (let i = next++; i < pending.length; i = next++) {
          const token = pending[i] as string;
          const sentAt = performance.now() - started;
          const response = await fetch(`${base}/api/me`, { headers: { cookie: `vault_session=${token}` } });
          await response.arrayBuffer();
          if (response.status === 401) lastRefused = Math.max(lastRefused, sentAt);
          else still.push(token);
        }
      }),
    );
    pending = still;
  }
  const answered = await logout;
  const written = await untilEndingsWritten(databaseUrl, started);
  const met = (value: number) => `< ${LOGOUT_TARGET_MS} ${value < LOGOUT_TARGET_MS ? 'met' : 'MISSED'}`;
  report({
    engine,
    measure: `Logout by filter (${POLLERS} clients polling): until its answer`,
    matches: String(answered.terminated),
    p50: ms(answered.ms),
    p95: '',
    target: met(answered.ms),
  });
  report({
    engine,
    measure: `Logout by filter: until the last of ${tokens.length} sampled tokens refused`,
    matches: pending.length === 0 ? 'all' : `${tokens.length - pending.length} only`,
    p50: ms(lastRefused),
    p95: '',
    target: met(lastRefused),
  });
  report({
    engine,
    measure: 'Logout by filter: until every ending is in its row',
    matches: '',
    p50: ms(written),
    p95: '',
    target: '(after the answer; decision 017)',
  });
}

/** When, from `started`, no ending waits to be written into its row (polled every 50 ms). */
async function untilEndingsWritten(databaseUrl: string, started: number): Promise<number> {
  const database = createDatabase(loadConfig({ DATABASE_URL: databaseUrl }).database);
  try {
    while ((await countPendingEndings(database.db)) > 0) await new Promise((r) => setTimeout(r, 50));
    return performance.now() - started;
  } finally {
    await database.close();
  }
}

async function runEngine(engine: string, databaseUrl: string) {
  console.log(`\n${engine}: loading ${TOTAL} sessions (${LIVE} live in the measured org)…`);
  const crowd = await loadCrowdDatabase(databaseUrl, {
    live: LIVE,
    total: TOTAL,
    logoutTarget: LOGOUT,
    knownTokens: KNOWN_TOKENS,
  });
  report({
    engine,
    measure: `load ${crowd.rows} sessions + ANALYZE`,
    matches: '',
    p50: `${crowd.loadSeconds.toFixed(0)} s`,
    p95: '',
    target: '',
  });
  const server = await startServerProcess({ DATABASE_URL: databaseUrl }, await freePort());
  try {
    const cookie = await login(server.url, crowd.admin.username, crowd.admin.password);
    await firstPages(engine, server.url, cookie, crowd);
    await page50(engine, server.url, cookie);
    // Before the Logout by filter, which ends 10,000 of the org's sessions.
    await usersPages(engine, server.url, cookie, crowd);
    await perRequestCheckWithPolicy(engine, server.url, cookie);
    await bulkLogout(engine, databaseUrl, server.url, cookie, crowd.tokens);
    // The machine is shared: other work running at the same time shows in the p95s.
    report({
      engine,
      measure: 'load average (1 min) after the run, 2 cores',
      matches: '',
      p50: (loadavg()[0] ?? 0).toFixed(1),
      p95: '',
      target: '',
    });
    report({
      engine,
      measure: 'server peak RSS',
      matches: '',
      p50: `${Math.round(server.memory().peakMb)} MB`,
      p95: '',
      target: '',
    });
  } finally {
    await server.stop();
  }
}

await onEachEngine('sessions-list', BENCH_DB, runEngine);

console.log(
  `\nFirst pages: ${SAMPLES} sequential requests each after 3 discarded; "matches" is the answer's total (+: capped).\n`,
);
console.log('| engine | measure | matches | p50 ms | p95 ms | target ms |');
console.log('| --- | --- | ---: | ---: | ---: | --- |');
for (const l of lines)
  console.log(`| ${l.engine} | ${l.measure} | ${l.matches} | ${l.p50} | ${l.p95} | ${l.target} |`);
