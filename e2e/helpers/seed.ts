import type { IngestEvent } from './api.ts';

const JOBS = ['backup', 'compare', 'replicate', 'restore', 'archive'] as const;
const TARGETS = ['Org Acme Prod', 'Org Acme UAT', 'Sandbox QA-2', 'Org Acme Dev', 'Partner Portal'];
const IPS = ['8.8.8.8', '81.2.69.142', '2a02:908::1', '1.1.1.1', '200.160.2.3'];
const HOUR = 3_600_000;

/**
 * `count` job activities for the given users, spread over the last `days` days, newest first,
 * with a failure now and then: what a small org's vault records in a few weeks.
 */
export function jobActivities(
  usernames: string[],
  count: number,
  days = 20,
  now = Date.now(),
): IngestEvent[] {
  const events: IngestEvent[] = [];
  const step = (days * 24 * HOUR) / count;
  for (let i = 0; i < count; i += 1) {
    const activity = JOBS[i % JOBS.length] as string;
    const failed = i % 11 === 5;
    events.push({
      activity,
      username: usernames[i % usernames.length] as string,
      occurredAt: new Date(now - 60_000 - i * step).toISOString(),
      status: failed ? 'failure' : 'success',
      target: TARGETS[(i * 3 + Math.floor(i / 5)) % TARGETS.length],
      details: failed
        ? 'Metadata API limit reached; retried 3 times'
        : `${((i * 7919) % 9000) + 120} records, ${(i % 40) + 2} objects`,
      publicIp: IPS[(i * 7 + Math.floor(i / 3)) % IPS.length],
    });
  }
  return events;
}
