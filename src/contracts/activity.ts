import { type Static, Type } from '@sinclair/typebox';
import { PERIODS, SORTS } from './activity-terms.js';
import { Nullable } from './common.js';

/** A JSON value, as an object's details may hold at any depth. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
/** Details given as a JSON object (a SIEM reads its fields). */
export type DetailsObject = { [key: string]: JsonValue };
/** An activity's details: free text, or a JSON object. */
export type ActivityDetails = string | DetailsObject;

const DETAILS_DESCRIPTION =
  'a string (at most 4,000 characters) or a JSON object (at most 16,384 bytes of its compact UTF-8 JSON), returned deep-equal, key order not guaranteed';
// A type list rather than an anyOf, so no schema branch coerces one type into another; ingest
// refuses any other type itself before validation (details.ts).
const NullableDetails = Type.Unsafe<ActivityDetails | null>({
  type: ['string', 'object', 'null'],
  additionalProperties: true,
  description: DETAILS_DESCRIPTION,
});

export const ActivitySchema = Type.Object(
  {
    id: Type.String(),
    occurredAt: Type.String({ format: 'date-time' }),
    userId: Nullable(Type.String()),
    username: Type.String(),
    activity: Type.String(),
    status: Type.String(),
    target: Nullable(Type.String()),
    details: NullableDetails,
    publicIp: Nullable(Type.String()),
    sessionId: Nullable(Type.String()),
    source: Nullable(
      Type.String({
        description:
          'who wrote an ingested event: `api_key <key prefix> <key name>` or `admin <username>`; null for what the product records itself',
      }),
    ),
  },
  { $id: 'Activity' },
);

/** An activity as the API shows it. */
export type Activity = Static<typeof ActivitySchema>;

const FilterProperties = {
  period: Type.Optional(
    Type.Union(
      PERIODS.map((p) => Type.Literal(p)),
      { description: 'default 1m' },
    ),
  ),
  from: Type.Optional(
    Type.String({
      description: 'start, included: an ISO 8601 date (its midnight UTC) or date-time',
      maxLength: 40,
    }),
  ),
  to: Type.Optional(
    Type.String({
      description:
        'end: an ISO 8601 date is included whole (to=2026-11-07 ends at 2026-11-08T00:00Z, UTC); a date-time is the first instant left out',
      maxLength: 40,
    }),
  ),
  userId: Type.Optional(Type.String({ format: 'uuid' })),
  username: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  activity: Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
      maxItems: 50,
      description: 'activity names, repeatable; each matches the names of the org ignoring case',
    }),
  ),
  status: Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 32 }), {
      maxItems: 20,
      description: 'exact statuses, repeatable, e.g. status=failed',
    }),
  ),
  q: Type.Optional(
    Type.String({
      maxLength: 200,
      description:
        'text in target or details (any string value of an object, not its keys), ignoring case; or the start of the public IP',
    }),
  ),
  sort: Type.Optional(Type.Union(SORTS.map((s) => Type.Literal(s)))),
  order: Type.Optional(Type.Union([Type.Literal('desc'), Type.Literal('asc')])),
};

export const SearchQuery = Type.Object(
  {
    ...FilterProperties,
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 100 })),
    cursor: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);

export const ExportQuery = Type.Object(
  {
    ...FilterProperties,
    format: Type.Optional(Type.Union([Type.Literal('csv'), Type.Literal('jsonl')])),
    manifest: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 1,
        description:
          '1: sign a manifest of this download; the X-Vault-Manifest header names where to fetch it once the download has ended',
      }),
    ),
  },
  { additionalProperties: false },
);

/** The histogram's query: the search's filters (a sort is taken and means nothing here). */
export const HistogramQuery = Type.Object({ ...FilterProperties }, { additionalProperties: false });

export const HistogramResponse = Type.Object({
  interval: Type.String({
    description: 'the width of each bucket: `15m`, `3h`, `12h`, `7d`…; 30 to 100 buckets across the period',
  }),
  buckets: Type.Array(
    Type.Object({
      start: Type.String({
        format: 'date-time',
        description: 'UTC; a bucket ends where the next starts, the last at the end of the period',
      }),
      total: Type.Integer({ description: 'matches of the filter in the bucket' }),
      failed: Type.Integer({
        description: 'of those, the failed: status "failed" (or "failure", as the product records its own)',
      }),
    }),
  ),
});
export type ActivityHistogram = Static<typeof HistogramResponse>;

export const SearchResponse = Type.Object({
  items: Type.Array(Type.Ref(ActivitySchema)),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
  total: Type.Integer(),
  totalCapped: Type.Boolean({
    description:
      'true when there are more matches than counted: 10,000 (1,000 with a text search q); total then shows the cap',
  }),
});

const ACTIVITY_NAME = '^[A-Za-z0-9][A-Za-z0-9 ._:/-]{0,63}$';

export const IngestEvent = Type.Object(
  {
    activity: Type.String({ pattern: ACTIVITY_NAME, description: 'e.g. backup, compare, replicate' }),
    username: Type.String({ minLength: 1, maxLength: 64 }),
    occurredAt: Type.Optional(Type.String({ format: 'date-time' })),
    status: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
    target: Type.Optional(Type.String({ maxLength: 1_000 })),
    details: Type.Optional(NullableDetails),
    publicIp: Type.Optional(Type.String({ maxLength: 64 })),
    idempotencyKey: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false },
);

// No maxItems here: more than 1,000 events is answered 413 (too large), not 400.
export const IngestBody = Type.Object(
  { events: Type.Array(IngestEvent, { minItems: 1 }) },
  { additionalProperties: false },
);

/** The query of `GET /api/activities` (and, without paging, of the export). */
export type ActivitySearchQuery = Static<typeof SearchQuery>;
export type ActivityPage = Static<typeof SearchResponse>;
