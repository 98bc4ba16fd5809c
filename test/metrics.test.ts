import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachEngine } from './helpers/engines.js';
import { as, PASSWORD, type SeededOrg, type SignedIn, seedOrg, signIn } from './helpers/factories.js';
import { listenOnLoopback, openSse } from './helpers/sse.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const TOKEN = 'metrics-token-for-tests-0123456789';

/** The value of the sample `name{...labels}`, or undefined when there is none (yet). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/);
    if (!match || match[1] !== name) continue;
    const pairs = match[2] ?? '';
    if (Object.entries(labels).every(([key, value]) => pairs.includes(`${key}="${value}"`))) {
      return Number(match[3]);
    }
  }
  return undefined;
}

const randomPath = () => randomBytes(8).toString('hex');

describeEachEngine('GET /metrics without METRICS_TOKEN', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(engine);
  });
  afterAll(() => t.close());

  it('is not there, whatever is sent', async () => {
    const plain = await t.app.inject({ method: 'GET', url: '/metrics' });
    const bearer = await t.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(plain.statusCode).toBe(404);
    expect(bearer.statusCode).toBe(404);
  });
});

describeEachEngine('GET /metrics with METRICS_TOKEN', (engine) => {
  let t: TestApp;
  let acme: SeededOrg;
  let admin: SignedIn;
  let apiKey: string;

  beforeAll(async () => {
    t = await createTestApp(engine, { env: { METRICS_TOKEN: TOKEN } });
    acme = await seedOrg(t.app);
    admin = await signIn(t.app, acme.admin.username);
    apiKey = (await as(t.app, admin).post('/api/api-keys', { name: 'metrics test' })).json().key;
  });
  afterAll(() => t.close());

  const scrape = async (): Promise<string> => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(response.statusCode).toBe(200);
    return response.body;
  };
  const ingest = (events: object[]) =>
    t.app.inject({
      method: 'POST',
      url: '/api/activities',
      headers: { authorization: `Bearer ${apiKey}` },
      payload: { events },
    });

  it.each([
    ['no Authorization', undefined],
    ['a wrong token', 'Bearer metrics-token-for-tests-0123456780'],
    ['the token in another case', `Bearer ${TOKEN.toUpperCase()}`],
    ['a prefix of the token', `Bearer ${TOKEN.slice(0, -1)}`],
    ['the token and more', `Bearer ${TOKEN}x`],
    ['another scheme', `Basic ${TOKEN}`],
    ['an empty bearer', 'Bearer '],
  ])('answers %s with 401 and no metrics', async (_case, authorization) => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: authorization === undefined ? {} : { authorization },
    });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="metrics"');
    expect(response.json().error.code).toBe('NOT_AUTHENTICATED');
    expect(response.body).not.toContain('vault_');
  });

  it('answers the token with Prometheus text, with no session and from any site', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: {
        authorization: `bearer ${TOKEN}`,
        origin: 'https://elsewhere.example',
        'sec-fetch-site': 'cross-site',
      },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(response.headers['cache-control']).toBe('no-store');
    // The process's own metrics, and the database probe's state.
    expect(sample(response.body, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(response.body).toContain('nodejs_eventloop_lag_seconds');
    expect(sample(response.body, 'vault_database_up')).toBe(1);
    expect(sample(response.body, 'vault_database_probe_last_success_timestamp_seconds')).toBeGreaterThan(0);
  });

  it('is left out of the OpenAPI document', async () => {
    const document = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(Object.keys(document.paths)).not.toContain('/metrics');
  });

  it('labels requests with the route pattern, never the id in the URL', async () => {
    const other = await signIn(t.app, acme.user.username);
    const ended = await as(t.app, admin).delete(`/api/sessions/${other.sessionId}`);
    expect(ended.statusCode).toBe(204);
    const text = await scrape();
    const labels = { method: 'DELETE', route: '/api/sessions/:id', status_code: '204' };
    expect(sample(text, 'vault_http_request_duration_seconds_count', labels)).toBe(1);
    expect(text).not.toContain(other.sessionId);
  });

  it('labels a request no route matched as unmatched, never with its path', async () => {
    const api = `/api/${randomPath()}`;
    const page = `/${randomPath()}/${randomPath()}`;
    const post = `/${randomPath()}`;
    expect((await as(t.app, admin).get(api)).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: page })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'POST', url: post, payload: {} })).statusCode).toBe(404);
    const text = await scrape();
    for (const path of [api, page, post]) expect(text).not.toContain(path.slice(1, 9));
    const unmatched = { method: 'POST', route: 'unmatched', status_code: '404' };
    expect(sample(text, 'vault_http_request_duration_seconds_count', unmatched)).toBeGreaterThanOrEqual(1);
  });

  it('counts logins, and failed logins with a wrong password', async () => {
    const before = await scrape();
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: acme.user.username, password: `${PASSWORD}!` },
    });
    expect(wrong.statusCode).toBe(401);
    await signIn(t.app, acme.user.username);
    const after = await scrape();
    const failed = { reason: 'invalid_credentials' };
    expect(
      (sample(after, 'vault_login_failures_total', failed) ?? 0) -
        (sample(before, 'vault_login_failures_total', failed) ?? 0),
    ).toBe(1);
    expect((sample(after, 'vault_logins_total') ?? 0) - (sample(before, 'vault_logins_total') ?? 0)).toBe(1);
  });

  it('counts each of 50 parallel failed logins once', async () => {
    const failures = (text: string) =>
      (sample(text, 'vault_login_failures_total', { reason: 'invalid_credentials' }) ?? 0) +
      (sample(text, 'vault_login_failures_total', { reason: 'rate_limited' }) ?? 0);
    const before = failures(await scrape());
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        t.app.inject({
          method: 'POST',
          url: '/api/auth/login',
          remoteAddress: `198.51.100.${i + 1}`,
          payload: { username: `nobody-${randomPath()}`, password: 'wrong password' },
        }),
      ),
    );
    expect(answers.every((a) => a.statusCode === 401 || a.statusCode === 429)).toBe(true);
    expect(failures(await scrape()) - before).toBe(50);
  });

  it('counts ingested events as accepted or duplicate, also from 50 parallel calls', async () => {
    const count = (text: string, result: string) =>
      sample(text, 'vault_ingested_events_total', { result }) ?? 0;
    const before = await scrape();
    const event = (key: string) => ({
      activity: 'backup',
      username: acme.user.username,
      idempotencyKey: key,
    });
    const batch = randomPath();
    expect((await ingest([event(`${batch}-a`), event(`${batch}-b`)])).statusCode).toBe(201);
    expect((await ingest([event(`${batch}-a`), event(`${batch}-c`)])).json()).toEqual({
      accepted: 1,
      duplicates: 1,
    });
    const parallel = await Promise.all(
      Array.from({ length: 50 }, (_, i) => ingest([event(`${batch}-p${i}`)])),
    );
    expect(parallel.every((a) => a.statusCode === 201)).toBe(true);
    const after = await scrape();
    expect(count(after, 'accepted') - count(before, 'accepted')).toBe(53);
    expect(count(after, 'duplicate') - count(before, 'duplicate')).toBe(1);
  });

  it('counts the rows an export sent', async () => {
    const before = sample(await scrape(), 'vault_exported_rows_total', { format: 'jsonl' }) ?? 0;
    const response = await as(t.app, admin).get('/api/activities/export?format=jsonl');
    expect(response.statusCode).toBe(200);
    const rows = response.body.trim().split('\n').length;
    expect(rows).toBeGreaterThan(50);
    const after = sample(await scrape(), 'vault_exported_rows_total', { format: 'jsonl' }) ?? 0;
    expect(after - before).toBe(rows);
  });

  it('times the session check of each request, by its result', async () => {
    const checks = (text: string, result: string) =>
      sample(text, 'vault_session_check_duration_seconds_count', { result }) ?? 0;
    const before = await scrape();
    expect((await as(t.app, admin).get('/api/me')).statusCode).toBe(200);
    const bogus = await t.app.inject({
      method: 'GET',
      url: '/api/me',
      headers: { cookie: 'vault_session=x' },
    });
    expect(bogus.statusCode).toBe(401);
    const after = await scrape();
    expect(checks(after, 'ok') - checks(before, 'ok')).toBe(1);
    expect(checks(after, 'refused') - checks(before, 'refused')).toBe(1);
  });

  it('counts live sessions, and not ended ones', async () => {
    const before = sample(await scrape(), 'vault_live_sessions') as number;
    const extra = await signIn(t.app, acme.user.username);
    expect(sample(await scrape(), 'vault_live_sessions')).toBe(before + 1);
    expect((await as(t.app, extra).post('/api/auth/logout')).statusCode).toBe(204);
    expect(sample(await scrape(), 'vault_live_sessions')).toBe(before);
  });

  it('shows each activity stream’s lag', async () => {
    const created = await as(t.app, admin).post('/api/streams', {
      name: 'siem',
      url: 'http://127.0.0.1:9/',
      format: 'json',
      secret: 'a-stream-secret-of-32-characters',
    });
    expect(created.statusCode, created.body).toBe(201);
    const { id } = created.json();
    // Nothing delivers here: its own stream.created, then a login, wait for it.
    expect(sample(await scrape(), 'vault_stream_lag_events', { stream: id, state: 'active' })).toBe(1);
    await signIn(t.app, acme.user.username);
    expect(sample(await scrape(), 'vault_stream_lag_events', { stream: id, state: 'active' })).toBe(2);
    await as(t.app, admin).delete(`/api/streams/${id}`);
    expect(
      sample(await scrape(), 'vault_stream_lag_events', { stream: id, state: 'active' }),
    ).toBeUndefined();
  });

  it('shows the open event streams', async () => {
    const base = await listenOnLoopback(t.app);
    const stream = await openSse(`${base}/api/sessions/stream`, { cookie: admin.cookie });
    try {
      await stream.waitFor('ready');
      expect(sample(await scrape(), 'vault_event_streams_open')).toBe(1);
    } finally {
      stream.close();
    }
    await expect.poll(async () => sample(await scrape(), 'vault_event_streams_open')).toBe(0);
  });

  it('has every metric the Grafana dashboard queries', async () => {
    const dashboard = readFileSync(new URL('../docs/grafana-dashboard.json', import.meta.url), 'utf8');
    const queried = new Set(
      [...dashboard.matchAll(/\b((?:vault|process|nodejs)_[a-z0-9_]+)/g)].map(([, name]) =>
        (name as string).replace(/_(bucket|count|sum)$/, ''),
      ),
    );
    expect(queried.size).toBeGreaterThan(10);
    const text = await scrape();
    const served = (name: string) => text.includes(`# TYPE ${name} `);
    const onlyPostgres = (name: string) => name.startsWith('vault_database_pool_');
    for (const name of queried) {
      if (engine === 'sqlite' && onlyPostgres(name)) expect(served(name), name).toBe(false);
      else expect(served(name), name).toBe(true);
    }
  });

  it('shows the database pool on PostgreSQL only', async () => {
    const text = await scrape();
    const pool = sample(text, 'vault_database_pool_connections');
    if (engine === 'postgres') {
      expect(pool).toBeGreaterThan(0);
      expect(sample(text, 'vault_database_pool_idle_connections')).toEqual(expect.any(Number));
      expect(sample(text, 'vault_database_pool_waiting_queries')).toEqual(expect.any(Number));
    } else {
      expect(pool).toBeUndefined();
    }
  });
});

describe('two apps in one process', () => {
  it('keep their metrics apart', async () => {
    const [first, second] = await Promise.all([
      createTestApp('sqlite', { env: { METRICS_TOKEN: TOKEN } }),
      createTestApp('sqlite', { env: { METRICS_TOKEN: TOKEN } }),
    ]);
    try {
      const org = await seedOrg(first.app);
      await signIn(first.app, org.user.username);
      const scrapeOf = async (t: TestApp) =>
        (
          await t.app.inject({
            method: 'GET',
            url: '/metrics',
            headers: { authorization: `Bearer ${TOKEN}` },
          })
        ).body;
      expect(sample(await scrapeOf(first), 'vault_logins_total')).toBe(1);
      expect(sample(await scrapeOf(second), 'vault_logins_total')).toBe(0);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });
});
