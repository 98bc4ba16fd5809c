import { isIP } from 'node:net';
import type { Kysely } from 'kysely';
import type { ActivityDetails } from '../../contracts/activity.js';
import type { Schema } from '../../db/schema.js';
import type { Clock } from '../../kernel/clock.js';
import { AppError, invalidInput, notFound } from '../../kernel/errors.js';
import { normalizeIp } from '../../kernel/ip.js';
import { DAY_MS } from '../../kernel/time.js';
import { normalizeUsername } from '../../kernel/username.js';
import { registerActivityNames } from '../activity.repository.js';
import type { ActivityEvent, AppendCounts } from '../chain/record.js';
import type { GroupAppender } from './group-appender.js';
import type { IngestLimiter } from './ingest-limiter.js';

export const MAX_EVENTS_PER_CALL = 1_000;
/** Clocks drift; an event more than this far in the future is a mistake, not a clock skew. */
const MAX_FUTURE_SKEW_MS = 5 * 60_000;
/**
 * The namespaces of the activities the product records itself (activity-names.ts, and those to
 * come). An ingested `user.login` would look like a real login in the page and the CSV.
 */
const PRODUCT_NAMESPACES = ['user', 'session', 'org', 'api_key', 'mfa', 'sso', 'stream', 'activity'];

/** One event as the vault's services send it. */
export interface IngestEvent {
  activity: string;
  username: string;
  occurredAt?: string | undefined;
  status?: string | undefined;
  target?: string | undefined;
  /** Checked at the HTTP edge (details-guard.ts): a string or an object within its limit. */
  details?: ActivityDetails | null | undefined;
  publicIp?: string | undefined;
  idempotencyKey?: string | undefined;
}

/** Who sends the events: the org, how they are shown as written (`source`), and whose rate budget they use. */
export interface IngestCaller {
  orgId: string;
  source: string;
  rateKey: string;
}

/**
 * What ingest needs of the accounts feature, which sits above it and implements this (the
 * composition root passes the account service).
 */
export interface OrgDirectory {
  /** When the org was created; undefined when there is none. */
  orgCreatedAt(orgId: string): Promise<number | undefined>;
  /** The ids of the org's users among `usernames` (canonical), by username. */
  userIdsByUsername(orgId: string, usernames: readonly string[]): Promise<Map<string, string>>;
}

export interface IngestDeps {
  db: Kysely<Schema>;
  directory: OrgDirectory;
  clock: Clock;
  appender: GroupAppender;
  limiter: IngestLimiter;
  retentionDays: number;
}

/**
 * Appends a batch of events to an org's log, all or nothing. Resolves only after commit;
 * events whose idempotency key is already stored count as duplicates, not new rows.
 */
export async function ingestActivities(
  deps: IngestDeps,
  caller: IngestCaller,
  events: IngestEvent[],
): Promise<AppendCounts> {
  if (events.length > MAX_EVENTS_PER_CALL) {
    throw new AppError(
      'PAYLOAD_TOO_LARGE',
      `at most ${MAX_EVENTS_PER_CALL} events per call (got ${events.length})`,
    );
  }
  const { orgId } = caller;
  const now = deps.clock.now();
  events.forEach((event, index) => {
    assertIngestibleName(event.activity, index);
  });
  const orgCreatedAt = await deps.directory.orgCreatedAt(orgId);
  if (orgCreatedAt === undefined) throw notFound('Org');
  const users = await deps.directory.userIdsByUsername(
    orgId,
    events.map((e) => normalizeUsername(e.username)),
  );
  const earliest = orgCreatedAt - deps.retentionDays * DAY_MS;
  const prepared: ActivityEvent[] = events.map((event, index) => {
    const username = normalizeUsername(event.username);
    const userId = users.get(username);
    if (userId === undefined)
      throw invalidInput(`events[${index}].username: no user "${event.username}" in this org`);
    return {
      occurredAt: parseOccurredAt(event.occurredAt, index, { now, earliest }),
      userId,
      username,
      activity: event.activity,
      status: event.status ?? 'success',
      target: event.target ?? null,
      details: event.details ?? null,
      publicIp: parsePublicIp(event.publicIp, index),
      idempotencyKey: event.idempotencyKey ?? null,
      source: caller.source,
    };
  });
  await deps.limiter.take(caller.rateKey, events.length);
  await registerActivityNames(
    deps.db,
    orgId,
    prepared.map((e) => e.activity),
  );
  return deps.appender.append(orgId, prepared);
}

function assertIngestibleName(name: string, index: number): void {
  const namespace = name.toLowerCase().split('.')[0] ?? '';
  if (name.includes('.') && PRODUCT_NAMESPACES.includes(namespace)) {
    throw invalidInput(
      `events[${index}].activity: "${name}" is in the namespace "${namespace}.", which only the product itself records`,
    );
  }
}

function parseOccurredAt(
  value: string | undefined,
  index: number,
  bounds: { now: number; earliest: number },
): number {
  if (value === undefined) return bounds.now;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw invalidInput(`events[${index}].occurredAt: not an ISO 8601 date-time`);
  if (ms > bounds.now + MAX_FUTURE_SKEW_MS)
    throw invalidInput(`events[${index}].occurredAt: is in the future`);
  if (ms < bounds.earliest) {
    throw invalidInput(
      `events[${index}].occurredAt: is before ${new Date(bounds.earliest).toISOString()} (the org's creation, less the retention period)`,
    );
  }
  return ms;
}

function parsePublicIp(value: string | undefined, index: number): string | null {
  if (value === undefined) return null;
  const ip = normalizeIp(value);
  if (isIP(ip) === 0) throw invalidInput(`events[${index}].publicIp: not an IP address`);
  return ip;
}
