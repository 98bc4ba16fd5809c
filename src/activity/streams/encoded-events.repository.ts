import { type Kysely, type RawBuilder, sql } from 'kysely';
import { isPostgres } from '../../db/dialect.js';
import type { Schema } from '../../db/schema.js';

type Db = Kysely<Schema>;

/** One activity as a stream sends it, written by the database as JSON text (below). */
export interface EncodedEvent {
  seq: number;
  occurredAt: number;
  json: string;
}

/**
 * The Activity of the API (contracts/activity.ts) with its `seq`, `orgId` and `hash`, key by key
 * as SQL. streams-encoding.test.ts holds every event against the API's own Activity of that row.
 */
function eventFields(occurredAtIso: RawBuilder<string>): Array<[string, RawBuilder<unknown>]> {
  return [
    ['id', sql`cast(a.id as text)`],
    ['occurredAt', occurredAtIso],
    ['userId', sql`a.user_id`],
    ['username', sql`a.username`],
    ['activity', sql`a.activity`],
    ['status', sql`a.status`],
    ['target', sql`a.target`],
    ['publicIp', sql`a.public_ip`],
    ['sessionId', sql`a.session_id`],
    ['source', sql`a.source`],
    ['seq', sql`l.seq`],
    ['orgId', sql`l.org_id`],
    ['hash', sql`l.hash`],
  ];
}

/** Runs a compiled statement elsewhere (SQLite: the export worker) and answers its rows as arrays. */
export type RowsReader = (sql: string, parameters: readonly unknown[]) => Promise<unknown[][]>;

/**
 * Up to `limit` of the org's activities after `afterSeq`, in chain order, each already JSON: the
 * engine writes it (json_object / json_build_object), so Node neither decodes a row into an object
 * nor encodes it again (docs/benchmarks.md, "Streams"). An object's details are its stored
 * canonical JSON, spliced in as they are; a string's go in the engine's JSON. With `offThread`,
 * the statement runs there: a SQLite read blocks the thread that runs it, which is ingest's.
 */
export async function selectEncodedEvents(
  db: Db,
  orgId: string,
  afterSeq: number,
  limit: number,
  offThread?: RowsReader,
): Promise<EncodedEvent[]> {
  const pg = isPostgres(db);
  // ISO 8601 with milliseconds, as Date.prototype.toISOString writes it, from integer arithmetic.
  const iso = pg
    ? sql<string>`to_char(to_timestamp(a.occurred_at / 1000) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') || '.' || lpad((a.occurred_at % 1000)::text, 3, '0') || 'Z'`
    : sql<string>`strftime('%Y-%m-%dT%H:%M:%S', a.occurred_at / 1000, 'unixepoch') || '.' || printf('%03d', a.occurred_at % 1000) || 'Z'`;
  const fields = eventFields(iso);
  const object = (extra: Array<[string, RawBuilder<unknown>]>) =>
    sql.join(
      [...fields, ...extra].map(([key, value]) => sql`${sql.lit(key)}, ${value}`),
      sql`, `,
    );
  const build = sql.raw(pg ? 'json_build_object' : 'json_object');
  const cast = pg ? sql.raw('::text') : sql.raw('');
  const query = db
    .selectFrom('activityChainLinks as l')
    .innerJoin('activities as a', 'a.id', 'l.activityId')
    .select([
      'l.seq',
      'a.occurredAt',
      'a.detailsJson',
      // With a string (or no) details, the whole event; with an object, all but its details.
      sql<string>`case when a.details_json is null
        then (${build}(${object([['details', sql`a.details`]])}))${cast}
        else (${build}(${object([])}))${cast} end`.as('json'),
    ])
    .where('l.orgId', '=', orgId)
    .where('l.seq', '>', afterSeq)
    .orderBy('l.seq')
    .limit(limit);
  if (offThread) {
    const { sql: text, parameters } = query.compile();
    // The columns in the select's order.
    const rows = (await offThread(text, parameters)) as Array<[number, number, string | null, string]>;
    return rows.map(([seq, occurredAt, detailsJson, json]) => encoded(seq, occurredAt, detailsJson, json));
  }
  const rows = await query.execute();
  return rows.map((row) => encoded(row.seq, row.occurredAt, row.detailsJson, row.json));
}

/** One event, an object's details spliced into the rest. */
const encoded = (
  seq: number,
  occurredAt: number,
  detailsJson: string | null,
  json: string,
): EncodedEvent => ({
  seq: Number(seq),
  occurredAt: Number(occurredAt),
  json: detailsJson === null ? json : `${json.slice(0, -1)},"details":${detailsJson}}`,
});
