/**
 * npm run bench:streams — activity streams to a receiver on loopback, on each engine (a server
 * process; the receiver and the load in this one): the ingest rate with a stream attached against
 * none (A B A B), delivery throughput of a backlog, the lag while ingesting 5,000 events/s, and
 * the time to catch up after a 1-minute receiver outage at that rate.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { openCliContext } from '../src/cli/context.js';
import { operatorActor } from '../src/kernel/actor.js';
import { loadConfig } from '../src/kernel/config.js';
import { onEachEngine } from './lib/each-engine.js';
import { startServerProcess } from './lib/server-process.js';

const ADMIN = { username: 'bench-admin', password: 'bench admin password 1' };
const USERS = 20;
const SECRET = 'bench-stream-secret-0123456789abcdef';
const OUTAGE_MS = Number(process.env.BENCH_OUTAGE_MS ?? 60_000);

const lines: Array<{ engine: string; measure: string; value: string }> = [];
const report = (engine: string, measure: string, value: string) => {
  lines.push({ engine, measure, value });
  console.log(`${engine.padEnd(9)} ${measure.padEnd(58)} ${value}`);
};
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;

/** Counts what each stream delivered, and how long after its ingest call was answered. */
class Receiver {
  status = 200;
  readonly delivered = new Map<string, number>();
  /** Ingest batch → when its 201 came; an event names its batch in `target`. */
  readonly acked = new Map<string, number>();
  lags: number[] = [];
  /** Whether to read each event's batch for its lag (else only count them). */
  timing = false;
  private server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (this.status === 200) {
        const now = performance.now();
        // Counted from X-Vault-Delivery (first-last): parsing the body would load this process,
        // which shares the machine's cores with the server, except where the lag is measured.
        const [first, last] = String(request.headers['x-vault-delivery']).split('-').map(Number);
        const stream = String(request.url).split('/').pop() as string;
        this.delivered.set(
          stream,
          (this.delivered.get(stream) ?? 0) + (last as number) - (first as number) + 1,
        );
        if (this.timing) {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
            events: Array<{ target: string | null }>;
          };
          for (const event of body.events) {
            const acked = event.target === null ? undefined : this.acked.get(event.target);
            if (acked !== undefined) this.lags.push(Math.max(0, now - acked));
          }
        }
      }
      response.writeHead(this.status).end();
    });
  });
  url = '';
  async listen() {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/collect`;
  }
  close() {
    this.server.closeAllConnections();
    this.server.close();
  }
  async until(stream: string, count: number, timeoutMs = 600_000) {
    const deadline = performance.now() + timeoutMs;
    while ((this.delivered.get(stream) ?? 0) < count) {
      if (performance.now() > deadline)
        throw new Error(`stream ${stream}: ${this.delivered.get(stream)} of ${count}`);
      await sleep(5);
    }
  }
}

async function seed(databaseUrl: string) {
  const context = await openCliContext({ access: 'create' }, loadConfig({ DATABASE_URL: databaseUrl }));
  try {
    const { org } = await context.accounts.createOrgWithAdmin({ orgName: 'Bench Org', ...ADMIN });
    for (let i = 0; i < USERS; i++) {
      await context.accounts.createUser(operatorActor(org.id), {
        username: `user${i}@bench`,
        password: 'bench user password',
        role: 'user',
      });
    }
  } finally {
    await context.close();
  }
}

class Client {
  constructor(
    readonly base: string,
    readonly cookie: string,
    readonly key: string,
  ) {}
  static async connect(base: string) {
    const login = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ADMIN),
    });
    if (!login.ok) throw new Error(`login: ${login.status}`);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
    const created = await fetch(`${base}/api/api-keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify({ name: 'bench' }),
    });
    return new Client(base, cookie, ((await created.json()) as { key: string }).key);
  }
  async admin(method: string, path: string, body?: unknown) {
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers: { cookie: this.cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return response.status === 204 ? undefined : ((await response.json()) as Record<string, unknown>);
  }
  /** A stream to `url`/<label>: the receiver counts each stream's events by its path. */
  async createStream(url: string, label: string, fromSeq?: number) {
    const body = {
      name: label,
      url: `${url}/${label}`,
      format: 'json',
      secret: SECRET,
      ...(fromSeq ? { fromSeq } : {}),
    };
    return (await this.admin('POST', '/api/streams', body)) as {
      id: string;
      deliveredSeq: number;
      lag: number;
    };
  }
  /** Posts one batch; answers when it was acknowledged. */
  async ingest(batch: string, size: number): Promise<number> {
    const events = Array.from({ length: size }, (_, i) => ({
      activity: 'backup',
      username: `user${i % USERS}@bench`,
      target: batch,
      details: { records: i, job: batch },
    }));
    const response = await fetch(`${this.base}/api/activities`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.key}` },
      body: JSON.stringify({ events }),
    });
    if (response.status !== 201) throw new Error(`ingest: ${response.status} ${await response.text()}`);
    await response.arrayBuffer();
    return performance.now();
  }
}

/** As fast as 4 clients of 1,000 events a call go, for `ms`: events/s. */
async function ingestFlat(client: Client, ms: number, label: string): Promise<number> {
  const deadline = performance.now() + ms;
  const started = performance.now();
  let events = 0;
  await Promise.all(
    Array.from({ length: 4 }, async (_, c) => {
      for (let call = 0; performance.now() < deadline; call++) {
        await client.ingest(`${label}-${c}-${call}`, 1_000);
        events += 1_000;
      }
    }),
  );
  return events / ((performance.now() - started) / 1000);
}

/** 500 events every 100 ms (5,000/s) for `ms`, on a fixed schedule; the receiver notes each 201. */
async function ingestPaced(client: Client, receiver: Receiver, ms: number, label: string): Promise<number> {
  const started = performance.now();
  const calls: Promise<void>[] = [];
  let sent = 0;
  for (let tick = 0; tick * 100 < ms; tick++) {
    const due = started + tick * 100;
    if (due > performance.now()) await sleep(due - performance.now());
    const batch = `${label}-${tick}`;
    calls.push(client.ingest(batch, 500).then((at) => void receiver.acked.set(batch, at)));
    sent += 500;
  }
  await Promise.all(calls);
  return sent;
}

await onEachEngine('streams', 'vault_bench_streams', async (engine, databaseUrl) => {
  await seed(databaseUrl);
  const server = await startServerProcess(
    { DATABASE_URL: databaseUrl, INGEST_EVENTS_PER_MINUTE: '0' },
    engine === 'sqlite' ? 3941 : 3942,
  );
  const receiver = new Receiver();
  await receiver.listen();
  try {
    const client = await Client.connect(server.url);
    await ingestFlat(client, 2_000, 'warm');

    const without: number[] = [];
    const withStream: number[] = [];
    for (let round = 0; round < 2; round++) {
      without.push(await ingestFlat(client, 6_000, `plain-${round}`));
      const stream = await client.createStream(receiver.url, `ab-${round}`);
      withStream.push(await ingestFlat(client, 6_000, `streamed-${round}`));
      await client.admin('DELETE', `/api/streams/${stream.id}`);
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const runs = (xs: number[]) => xs.map((x) => Math.round(x).toLocaleString('en')).join(' / ');
    report(engine, 'ingest, no stream (4 clients × 1,000 events/call)', `${runs(without)} events/s`);
    report(
      engine,
      'ingest, one stream delivering at the same time',
      `${runs(withStream)} events/s: ${((mean(withStream) / mean(without)) * 100).toFixed(0)} % of none`,
    );

    // The whole log so far, replayed from seq 1.
    const backlog = await client.createStream(receiver.url, 'backlog', 1);
    const total = backlog.deliveredSeq + backlog.lag;
    const started = performance.now();
    const cpuBefore = server.cpuSeconds();
    await receiver.until('backlog', total);
    const seconds = (performance.now() - started) / 1000;
    const cpuPerThousand = ((server.cpuSeconds() - cpuBefore) / total) * 1e6;
    report(
      engine,
      `delivery of a backlog of ${total.toLocaleString('en')} events`,
      `${Math.round(total / seconds).toLocaleString('en')} events/s (${seconds.toFixed(1)} s), server CPU ${cpuPerThousand.toFixed(1)} ms per 1,000`,
    );
    await client.admin('DELETE', `/api/streams/${backlog.id}`);

    await client.createStream(receiver.url, 'live');
    await receiver.until('live', 1);
    receiver.timing = true;
    const paced = await ingestPaced(client, receiver, 20_000, 'paced');
    await receiver.until('live', 1 + paced);
    receiver.timing = false;
    const lags = [...receiver.lags].sort((a, b) => a - b);
    report(
      engine,
      'lag while ingesting 5,000 events/s for 20 s (201 → received)',
      `p50 ${percentile(lags, 0.5).toFixed(0)} ms, p99 ${percentile(lags, 0.99).toFixed(0)} ms, max ${(lags.at(-1) ?? 0).toFixed(0)} ms`,
    );

    receiver.status = 503;
    const during = await ingestPaced(client, receiver, OUTAGE_MS, 'outage');
    receiver.status = 200;
    const back = performance.now();
    await receiver.until('live', 1 + paced + during);
    report(
      engine,
      `catch-up after a ${OUTAGE_MS / 1000} s outage at 5,000 events/s (${during.toLocaleString('en')} behind)`,
      `${((performance.now() - back) / 1000).toFixed(1)} s from the receiver's return (the 15 s backoff included)`,
    );
    report(engine, 'server peak RSS', `${Math.round(server.memory().peakMb)} MB`);
  } finally {
    receiver.close();
    await server.stop();
  }
});

console.log('\n| engine | measure | result |\n| --- | --- | --- |');
for (const line of lines) console.log(`| ${line.engine} | ${line.measure} | ${line.value} |`);
