import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import type { CreateStream, Stream, StreamTestResult } from '../../contracts/streams.js';
import type { Schema } from '../../db/schema.js';
import { type Actor, isAdmin } from '../../kernel/actor.js';
import type { Clock } from '../../kernel/clock.js';
import { AppError, forbidden, invalidInput, notFound } from '../../kernel/errors.js';
import { newId } from '../../kernel/ids.js';
import type { SecretBox } from '../../kernel/secret-box.js';
import { ACTIVITY } from '../activity-names.js';
import { actorEvent } from '../actor-event.js';
import { recordActivities } from '../chain/record.js';
import { readHead } from '../checkpoints/checkpoints.repository.js';
import { createRunningLimit } from '../running-limit.js';
import type { RowsReader } from './encoded-events.repository.js';
import { postToStream } from './stream-delivery.js';
import { encodeTest } from './stream-payload.js';
import {
  createStreamRunner,
  DEFAULT_RUNNER_OPTIONS,
  type StreamRunner,
  type StreamRunnerOptions,
} from './stream-runner.js';
import { requireBox, sealStreamSecrets, streamTarget } from './stream-secrets.js';
import { checkStreamTarget } from './stream-target.js';
import {
  countOrgStreams,
  deleteStream,
  findStream,
  insertStream,
  listOrgStreams,
  resumeStream,
  selectStreamLags,
  selectUnsealedStreams,
  storeSealedSecrets,
} from './streams.repository.js';
import type { ActivityStreamRow } from './streams.table.js';

/** Each stream is a delivery loop on some instance and a copy of the log in flight. */
export const MAX_STREAMS_PER_ORG = 10;
/** A test waits up to the delivery timeout for the receiver. */
const TEST_LIMITS = { perInstance: 20, perUser: 3 };

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function toStream(row: ActivityStreamRow, head: number): Stream {
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    format: row.format,
    state: row.state,
    createdAt: new Date(row.createdAt).toISOString(),
    deliveredSeq: row.deliveredSeq,
    lag: Math.max(0, head - row.deliveredSeq),
    lastError: row.lastError,
    lastErrorAt: iso(row.lastErrorAt),
    lastSuccessAt: iso(row.lastSuccessAt),
  };
}

export type StreamService = ReturnType<typeof createStreamService>;

export function createStreamService(deps: {
  db: Kysely<Schema>;
  clock: Clock;
  /** Seals each stream's secret and token (stream-secrets.ts). */
  secretBox: SecretBox | undefined;
  onDeliveryError: (error: unknown, streamId?: string) => void;
  /** Where the delivery loops read their batches, if not on `db` (the activity service's worker). */
  readRows?: RowsReader | undefined;
}) {
  const { db, clock } = deps;
  const testsRunning = createRunningLimit('stream tests', TEST_LIMITS);
  let runner: StreamRunner | undefined;
  const requireAdmin = (actor: Actor) => {
    if (!isAdmin(actor)) throw forbidden('Only admins manage activity streams');
  };
  const mustFind = async (actor: Actor, id: string) => {
    const row = await findStream(db, actor.orgId, id);
    if (!row) throw notFound('Stream');
    return row;
  };

  return {
    /**
     * Creates a stream; it delivers from `fromSeq`, or from its own `stream.created` activity on.
     * The activity is appended first: its lock on the org's chain head makes the count and the
     * insert of creations arriving at once take turns, so the cap holds.
     */
    async createStream(actor: Actor, body: CreateStream): Promise<Stream> {
      requireAdmin(actor);
      checkStreamTarget(body);
      const now = clock.now();
      const row = await db.transaction().execute(async (trx) => {
        await recordActivities(
          trx,
          actor.orgId,
          [
            {
              ...actorEvent(actor, now, ACTIVITY.STREAM_CREATED, body.name),
              details: `${body.format} to ${body.url}`,
            },
          ],
          now,
        );
        if ((await countOrgStreams(trx, actor.orgId)) >= MAX_STREAMS_PER_ORG) {
          throw new AppError(
            'CONFLICT',
            `An org can have at most ${MAX_STREAMS_PER_ORG} streams; delete one first`,
          );
        }
        const head = (await readHead(trx, actor.orgId)).seq;
        if (body.fromSeq !== undefined && body.fromSeq > head) {
          throw invalidInput(`fromSeq must be at most ${head}, the log's last seq`);
        }
        const id = newId();
        const created: ActivityStreamRow = {
          id,
          orgId: actor.orgId,
          name: body.name,
          url: body.url,
          format: body.format,
          ...sealStreamSecrets(requireBox(deps.secretBox), id, {
            secret: body.secret,
            token: body.token ?? null,
          }),
          state: 'active',
          createdAt: now,
          createdBy: actor.userId,
          deliveredSeq: (body.fromSeq ?? head) - 1,
          lastError: null,
          lastErrorAt: null,
          lastSuccessAt: null,
          failingSince: null,
          leaseOwner: null,
          leaseUntil: 0,
        };
        await insertStream(trx, created);
        return { created, head };
      });
      return toStream(row.created, row.head);
    },

    async listStreams(actor: Actor): Promise<Stream[]> {
      requireAdmin(actor);
      const { streams, headSeq: head } = await listOrgStreams(db, actor.orgId);
      return streams.map((row) => toStream(row, head));
    },

    /** Stops it at once: a loop finishes the request it is in and then finds it gone. */
    async deleteStream(actor: Actor, id: string): Promise<void> {
      requireAdmin(actor);
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        const row = await findStream(trx, actor.orgId, id);
        if (!row || !(await deleteStream(trx, actor.orgId, id))) throw notFound('Stream');
        await recordActivities(
          trx,
          actor.orgId,
          [actorEvent(actor, now, ACTIVITY.STREAM_DELETED, row.name)],
          now,
        );
      });
    },

    /** A failed stream delivers again from where it stopped, with a fresh 24 hours of retries. */
    async resumeStream(actor: Actor, id: string): Promise<Stream> {
      requireAdmin(actor);
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        const row = await findStream(trx, actor.orgId, id);
        if (!row) throw notFound('Stream');
        if (row.state !== 'failed')
          throw new AppError('CONFLICT', 'The stream is delivering; only a failed one resumes');
        await resumeStream(trx, actor.orgId, id);
        await recordActivities(
          trx,
          actor.orgId,
          [actorEvent(actor, now, ACTIVITY.STREAM_RESUMED, row.name)],
          now,
        );
      });
      return toStream(await mustFind(actor, id), (await readHead(db, actor.orgId)).seq);
    },

    /** Sends the test payload and says what the receiver answered; changes nothing. */
    async testStream(actor: Actor, id: string): Promise<StreamTestResult> {
      requireAdmin(actor);
      const row = await mustFind(actor, id);
      const release = testsRunning.take(actor);
      try {
        const outcome = await postToStream(
          streamTarget(deps.secretBox, row),
          encodeTest(row.id),
          'test',
          clock.now(),
        );
        return outcome.ok
          ? { delivered: true, status: outcome.status }
          : {
              delivered: false,
              ...(outcome.status === undefined ? {} : { status: outcome.status }),
              error: outcome.error,
            };
      } finally {
        release();
      }
    },

    /**
     * Seals the secret and token of streams created before migration 026 (a migration has no key);
     * the server runs it at start. Answers how many it sealed.
     */
    async sealStoredSecrets(): Promise<number> {
      const rows = await selectUnsealedStreams(db);
      for (const row of rows) {
        const box = requireBox(deps.secretBox);
        await storeSealedSecrets(db, row.id, sealStreamSecrets(box, row.id, row));
      }
      return rows.length;
    },

    /** Runs this instance's share of the delivery loops (the server, and tests that deliver). */
    startDelivery(options: Partial<StreamRunnerOptions> = {}): void {
      if (runner) return;
      const owner = `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
      runner = createStreamRunner(
        {
          db,
          clock,
          owner,
          onError: deps.onDeliveryError,
          targetOf: (row) => streamTarget(deps.secretBox, row),
          readRows: deps.readRows,
        },
        { ...DEFAULT_RUNNER_OPTIONS, ...options },
      );
      runner.start();
    },

    /** Every stream's lag and state, across orgs (the metrics; no actor). */
    lags: () => selectStreamLags(db),

    /** The streams this instance delivers now. */
    deliveringHere: (): string[] => runner?.running() ?? [],

    async stopDelivery(): Promise<void> {
      const stopping = runner;
      runner = undefined;
      await stopping?.stop();
    },
  };
}
