import type { ActivityEvent } from './chain/record.js';

/** The vault's own jobs and the product's events, weighted roughly as a busy org would see them. */
const KINDS: Array<{
  activity: string;
  weight: number;
  target: (n: number) => string;
  details: (n: number) => string;
}> = [
  {
    activity: 'backup',
    weight: 40,
    target: (n) => `Org ${ORGS[n % ORGS.length]}`,
    details: (n) => `${(n % 9000) + 100} records, ${(n % 700) + 3} MB`,
  },
  {
    activity: 'compare',
    weight: 15,
    target: (n) => `${ORGS[n % ORGS.length]} ↔ ${ORGS[(n + 1) % ORGS.length]}`,
    details: (n) => `${n % 300} differences`,
  },
  {
    activity: 'replicate',
    weight: 10,
    target: (n) => `${ORGS[n % ORGS.length]} → ${ORGS[(n + 2) % ORGS.length]}`,
    details: (n) => `${(n % 5000) + 10} records`,
  },
  {
    activity: 'restore',
    weight: 5,
    target: (n) => `Org ${ORGS[n % ORGS.length]}, object ${OBJECTS[n % OBJECTS.length]}`,
    details: (n) => `${(n % 800) + 1} records restored`,
  },
  {
    activity: 'archive',
    weight: 5,
    target: (n) => `Object ${OBJECTS[n % OBJECTS.length]}`,
    details: (n) => `${(n % 20000) + 100} records archived`,
  },
  { activity: 'download', weight: 5, target: (n) => `Backup #${100000 + n}`, details: () => 'CSV export' },
  {
    activity: 'user.login',
    weight: 15,
    target: (n) => BROWSERS[n % BROWSERS.length] as string,
    details: () => '',
  },
  {
    activity: 'user.logout',
    weight: 5,
    target: (n) => BROWSERS[n % BROWSERS.length] as string,
    details: () => '',
  },
];
const ORGS = ['Acme Prod', 'Acme Sandbox', 'Acme UAT', 'Globex Prod', 'Initech Dev'];
const OBJECTS = ['Account', 'Contact', 'Opportunity', 'Case', 'Lead', 'Attachment'];
const BROWSERS = [
  'Chrome 131 on Windows 11',
  'Safari 17.6 on macOS',
  'Edge 131 on Windows 10',
  'Safari 18.1 on iOS 18.1',
];
const IPS = [
  '8.8.8.8',
  '81.2.69.142',
  '2a02:908::1',
  '203.0.113.9',
  '94.142.241.111',
  '1.1.1.1',
  '185.60.216.35',
];
const TOTAL_WEIGHT = KINDS.reduce((sum, k) => sum + k.weight, 0);

function pickKind(point: number) {
  let rest = point;
  for (const kind of KINDS) {
    rest -= kind.weight;
    if (rest < 0) return kind;
  }
  return KINDS[0] as (typeof KINDS)[number];
}

/** A small deterministic PRNG (mulberry32): the same seed gives the same demo, run after run. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Yields `count` events in time order between `from` and `to`, in batches. Exponential gaps give
 * evenly spread, strictly ordered times without sorting millions of values in memory.
 */
export function* generateDemoActivities(options: {
  count: number;
  from: number;
  to: number;
  users: Array<{ id: string; username: string }>;
  batchSize: number;
  seed?: number;
}): Generator<ActivityEvent[]> {
  const random = createRandom(options.seed ?? 42);
  const meanGap = (options.to - options.from) / (options.count + 1);
  let time = options.from;
  let batch: ActivityEvent[] = [];
  for (let n = 0; n < options.count; n++) {
    time = Math.min(options.to, time + Math.max(1, Math.round(-Math.log(1 - random()) * meanGap)));
    const kind = pickKind(random() * TOTAL_WEIGHT);
    const user = options.users[Math.floor(random() * options.users.length)] as {
      id: string;
      username: string;
    };
    const failed = random() < 0.03;
    batch.push({
      occurredAt: time,
      userId: user.id,
      username: user.username,
      activity: kind.activity,
      status: failed ? 'failure' : 'success',
      target: kind.target(n),
      details: failed ? 'timed out after 3 retries' : kind.details(n) || null,
      publicIp: IPS[n % IPS.length] ?? null,
    });
    if (batch.length === options.batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
