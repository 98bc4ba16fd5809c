import { pipeline, Readable } from 'node:stream';
import type { Activity, ActivityHistogram } from '../contracts/activity.js';
import type { DatabaseEngine } from '../db/database.js';
import { storedSecret } from '../db/settings.js';
import { type Actor, confinedUserId, isAdmin } from '../kernel/actor.js';
import type { Clock } from '../kernel/clock.js';
import { forbidden } from '../kernel/errors.js';
import { toActivity } from './activity.js';
import {
  exportCopyQuery,
  listActivityNames,
  listSessionActivities,
  positionOf,
  selectActivityPage,
} from './activity.repository.js';
import { activityHistogram } from './activity-histogram.js';
import { ACTIVITY } from './activity-names.js';
import { verifyChain } from './chain/chain-verify.js';
import { recordActivityGroups } from './chain/record.js';
import type { CheckedChainReport } from './checkpoints/checkpoint-verify.js';
import type { ChainPosition, CheckpointService } from './checkpoints/checkpoints.service.js';
import { countMatches } from './counts/counted-total.js';
import { CopyCsvRecords } from './export/copy-csv-records.js';
import { csvPreamble } from './export/csv.js';
import { exportChunks } from './export/export-batches.js';
import type { ExportFormat } from './export/export-encode.js';
import { createGroupAppender } from './ingest/group-appender.js';
import { type IngestCaller, type IngestEvent, ingestActivities, type OrgDirectory } from './ingest/ingest.js';
import { createIngestLimiter } from './ingest/ingest-limiter.js';
import { createRunningLimit, type RunningLimits } from './running-limit.js';
import { decodeCursor, encodeCursor } from './search/cursor.js';
import { type ActivityFilter, type ActivityQuery, resolveRange } from './search/filter.js';
import { scopedFilter } from './search/scoped-filter.js';
import { FEW_CANDIDATES_TO_COUNT } from './search/text-match.js';
import { verifyChainInWorker } from './workers/chain-verifier.js';
import { createExportReader } from './workers/export-reader.js';

/** Counting stops here: "10,000+" is as useful to a person as an exact figure, and stays fast. */
export const TOTAL_CAP = 10_000;
/**
 * A text search that matches often reads rows newest first and filters them (a trigram index only
 * helps rare texts, on PostgreSQL): its count stops sooner so the first page stays fast.
 */
export const TEXT_TOTAL_CAP = 1_000;
/**
 * An org's ingest transactions running at once per instance, on PostgreSQL: they insert their rows
 * side by side and take turns only on the chain head (decision 008). Two keep both cores of the
 * bench machine busy; SQLite has one writer.
 */
const INGEST_TRANSACTIONS_PER_ORG = 2;

/** How much of a session's timeline its page shows: the newest this many. */
export const SESSION_TIMELINE_LIMIT = 500;
/** COPY exports running at once per instance (each holds one of the pool's connections). */
const MAX_COPY_EXPORTS = 2;
/**
 * Exports and chain verifications running at once. Their pieces take turns on SQLite (decision
 * 009), so more of them would not slow other requests, only each other, while each export holds
 * up to two batches in memory and each verification a core's worth of hashing.
 */
const EXPORT_LIMITS: RunningLimits = { perInstance: 20, perUser: 3 };
const VERIFY_LIMITS: RunningLimits = { perInstance: 8, perUser: 5 };

export interface ActivityPage {
  items: Activity[];
  nextCursor: string | null;
  total: number;
  totalCapped: boolean;
}

export type ActivityService = ReturnType<typeof createActivityService>;

export interface ActivityServiceDeps {
  database: DatabaseEngine;
  clock: Clock;
  /** ACTIVITY_RETENTION_DAYS: also how far before the org's creation an ingested event may lie. */
  retentionDays: number;
  /** INGEST_EVENTS_PER_MINUTE per API key and instance; 0 = no limit. */
  ingestEventsPerMinute: number;
  /** The orgs and users ingested events name (the account service). */
  directory: OrgDirectory;
  /** Signs the chain's head at every export, and holds verifications against the signed heads. */
  checkpoints: CheckpointService;
}

export function createActivityService(deps: ActivityServiceDeps) {
  const { database, clock } = deps;
  const { db } = database;
  const appender = createGroupAppender(
    (orgId, groups) =>
      db.transaction().execute((trx) => recordActivityGroups(trx, orgId, groups, clock.now())),
    { inFlight: database.engine === 'postgres' ? INGEST_TRANSACTIONS_PER_ORG : 1 },
  );
  const limiter = createIngestLimiter(deps.ingestEventsPerMinute);
  let copiesRunning = 0;
  // SQLite reads block the thread that runs them: a file's exports are read in a worker thread.
  const reader = database.sqlitePath === undefined ? undefined : createExportReader(database.sqlitePath);
  const exportsRunning = createRunningLimit('exports', EXPORT_LIMITS);
  const verifiesRunning = createRunningLimit('verifications of the activity log', VERIFY_LIMITS);
  const secret = storedSecret(db, 'cursor_secret');

  /**
   * PostgreSQL's own CSV writer (COPY), for a CSV export: several times faster than reading rows
   * into Node. It holds a pooled connection for the whole export, so only MAX_COPY_EXPORTS run at
   * once; further exports take the keyset batches.
   */
  async function* copiedCsv(filter: ActivityFilter): AsyncGenerator<{ text: Buffer; rows: number }> {
    const copy = (database.copyCsv as NonNullable<DatabaseEngine['copyCsv']>)(exportCopyQuery(db, filter));
    const records = new CopyCsvRecords();
    // pipeline, not pipe: a failed COPY fails the export, and a stopped export closes the COPY.
    for await (const text of pipeline(copy, records, () => {}) as AsyncIterable<Buffer>) {
      yield { text, rows: records.records };
    }
  }

  return {
    /**
     * A session's timeline: the activities recorded with it, oldest first (its newest
     * SESSION_TIMELINE_LIMIT). A non-admin sees only their own rows, as in the log.
     */
    async sessionTimeline(actor: Actor, sessionId: string): Promise<Activity[]> {
      const rows = await listSessionActivities(
        db,
        { orgId: actor.orgId, sessionId, userId: confinedUserId(actor) ?? null },
        SESSION_TIMELINE_LIMIT,
      );
      return rows.map(toActivity);
    },

    /** One page of the filtered log, with a cursor to the next and a (capped) total. */
    async searchActivities(
      actor: Actor,
      query: ActivityQuery & { limit?: number | undefined; cursor?: string | undefined },
    ): Promise<ActivityPage> {
      const scoped = await scopedFilter(db, actor, query);
      const limit = query.limit ?? 100;
      // Resolved (so checked) with a cursor too; the cursor keeps a preset's range from moving.
      const range = resolveRange(query, clock.now());
      const rangeSpec =
        query.from === undefined && query.to === undefined
          ? `period ${query.period ?? '1m'}`
          : `range ${range.from} ${range.to}`;
      let filter: ActivityFilter;
      let after = null;
      if (query.cursor) {
        const decoded = decodeCursor(await secret(), query.cursor, scoped, rangeSpec);
        filter = { ...scoped, from: decoded.from, to: decoded.to };
        after = decoded.position;
      } else {
        filter = { ...scoped, ...range };
      }
      const cap = filter.text === null ? TOTAL_CAP : TEXT_TOTAL_CAP;
      const [rows, total] = await Promise.all([
        selectActivityPage(db, filter, { after, limit: limit + 1 }),
        countMatches(db, filter, cap),
      ]);
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        items: page.map(toActivity),
        nextCursor:
          rows.length > limit && last
            ? encodeCursor(await secret(), filter, rangeSpec, positionOf(last, filter.sort))
            : null,
        total: Math.min(total, cap),
        totalCapped: total > cap,
      };
    },

    /**
     * The whole filtered result as a stream of text chunks, one per keyset batch, pulled only as
     * fast as the client reads. The export is recorded, with its row count, when it ends. Throws
     * RATE_LIMITED when the caller or this instance runs as many exports as allowed; the slot is
     * given back when the stream closes (finished, failed, or destroyed by a client that left).
     */
    async exportActivities(
      actor: Actor,
      query: ActivityQuery,
      format: ExportFormat,
      options: { onRows?: (count: number) => void; onHead?: (head: ChainPosition) => void } = {},
    ): Promise<{ range: { from: number; until: number }; stream: Readable }> {
      const startedAt = clock.now();
      const range = resolveRange(query, startedAt);
      const filter: ActivityFilter = { ...(await scopedFilter(db, actor, query)), ...range };
      const release = exportsRunning.take(actor);
      let count = 0;
      let finished = false;
      // Through the ingest appender: exports that end together (a batch of clients hanging up)
      // share one commit, instead of one synchronous fsync each on SQLite.
      const record = async () => {
        await appender.append(actor.orgId, [
          {
            occurredAt: clock.now(),
            userId: actor.userId,
            username: actor.username,
            activity: ACTIVITY.ACTIVITY_EXPORTED,
            status: finished ? 'success' : 'aborted',
            target: `${count} rows as ${format}`,
            details: describeFilter(filter),
            publicIp: actor.publicIp,
            sessionId: actor.sessionId,
          },
        ]);
      };
      const source = async function* () {
        const copying =
          format === 'csv' && database.copyCsv !== undefined && copiesRunning < MAX_COPY_EXPORTS;
        if (copying) copiesRunning += 1;
        try {
          // Every export signs the head it was read from: a later rewrite cannot match it. (Not
          // inside `onHead?.(…)`: an optional call skips its arguments when there is no callee.)
          const head = await deps.checkpoints.checkpointHead(actor.orgId);
          options.onHead?.(head);
          if (format === 'csv') yield csvPreamble();
          const chunks = copying ? copiedCsv(filter) : exportChunks(database, reader, filter, format);
          for await (const { text, rows } of chunks) {
            count = rows;
            options.onRows?.(count);
            yield text;
          }
          finished = true;
        } finally {
          release();
          if (copying) copiesRunning -= 1;
          await record();
        }
      };
      const stream = Readable.from(source(), { objectMode: false });
      // Also on 'close': a stream destroyed before its first read never starts the generator, so
      // its finally never runs.
      stream.once('close', release);
      return { range: { from: range.from, until: range.to ?? startedAt }, stream };
    },

    listActivityTypes: (actor: Actor) => listActivityNames(db, actor.orgId),

    /** The filter's matches over its period, counted per bucket (30 to 100 of them). */
    async histogram(actor: Actor, query: ActivityQuery): Promise<ActivityHistogram> {
      const now = clock.now();
      const scoped = await scopedFilter(db, actor, query, FEW_CANDIDATES_TO_COUNT);
      return activityHistogram(db, { ...scoped, ...resolveRange(query, now) }, now);
    },

    /** The exact number of rows an export of this query will hold (for progress bars). */
    countForExport: async (actor: Actor, query: ActivityQuery) =>
      countMatches(
        db,
        { ...(await scopedFilter(db, actor, query)), ...resolveRange(query, clock.now()) },
        Number.MAX_SAFE_INTEGER,
      ),

    /** Admins check their org's hash chain, and hold it against its signed checkpoints. */
    async verifyActivityChain(actor: Actor): Promise<CheckedChainReport> {
      if (!isAdmin(actor)) throw forbidden('Only admins can verify the activity log');
      const release = verifiesRunning.take(actor);
      try {
        // On a SQLite file in a worker thread: its reads and hashing would block this one.
        const report = await (database.sqlitePath === undefined
          ? verifyChain(db, actor.orgId, { paced: database.paced })
          : verifyChainInWorker(database.sqlitePath, actor.orgId));
        return await deps.checkpoints.holdAgainstCheckpoints(report);
      } finally {
        release();
      }
    },

    /**
     * Runs a read in the export worker (SQLite on a file; undefined elsewhere): for long reads that
     * would otherwise hold the thread ingest runs on (a stream's batches).
     */
    readRows: reader?.rows,

    /** Stops the export worker, if one was started. */
    close: async () => {
      await reader?.close();
    },

    ingest: (caller: IngestCaller, events: IngestEvent[]) =>
      ingestActivities(
        { db, directory: deps.directory, clock, appender, limiter, retentionDays: deps.retentionDays },
        caller,
        events,
      ),
  };
}

function describeFilter(filter: ActivityFilter): string {
  const parts = [
    `from ${new Date(filter.from).toISOString()}`,
    filter.to === null ? 'to now' : `to ${new Date(filter.to).toISOString()}`,
  ];
  if (filter.userId) parts.push(`userId ${filter.userId}`);
  if (filter.username) parts.push(`username ${filter.username}`);
  if (filter.activities.length) parts.push(`activity ${filter.activities.join(',')}`);
  if (filter.statuses.length) parts.push(`status ${filter.statuses.join(',')}`);
  if (filter.text) parts.push(`text "${filter.text}"`);
  return parts.join('; ');
}
