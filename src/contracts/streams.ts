import { type Static, Type } from '@sinclair/typebox';
import { Nullable } from './common.js';

export const STREAM_FORMATS = ['json', 'splunk_hec'] as const;
export type StreamFormat = (typeof STREAM_FORMATS)[number];
export const STREAM_STATES = ['active', 'failed'] as const;
export type StreamState = (typeof STREAM_STATES)[number];

const Time = Nullable(Type.String({ format: 'date-time' }));

export const StreamSchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    url: Type.String(),
    format: Type.Union(STREAM_FORMATS.map((f) => Type.Literal(f))),
    state: Type.Union(
      STREAM_STATES.map((s) => Type.Literal(s)),
      {
        description:
          '`failed` after 24 hours of failed deliveries: nothing is sent until an admin resumes it',
      },
    ),
    createdAt: Type.String({ format: 'date-time' }),
    deliveredSeq: Type.Integer({ description: 'the last seq of the org’s chain the receiver acknowledged' }),
    lag: Type.Integer({ description: 'the org’s activities after deliveredSeq' }),
    lastError: Nullable(Type.String({ description: 'the last failure, kept after recovery' })),
    lastErrorAt: Time,
    lastSuccessAt: Time,
  },
  { $id: 'Stream' },
);
/** A stream as the API shows it: never its secret or token. */
export type Stream = Static<typeof StreamSchema>;

export const CreateStreamBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    url: Type.String({
      minLength: 1,
      maxLength: 2000,
      description: 'http or https; for Splunk HEC the full …/services/collector/event',
    }),
    format: Type.Union(STREAM_FORMATS.map((f) => Type.Literal(f))),
    secret: Type.String({
      minLength: 16,
      maxLength: 256,
      description: 'signs every request (X-Vault-Signature); never returned',
    }),
    token: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 256,
        description: 'Splunk HEC token (required for splunk_hec)',
      }),
    ),
    fromSeq: Type.Optional(
      Type.Integer({
        minimum: 1,
        description: 'deliver from this seq of the org’s chain (default: the first activity after creation)',
      }),
    ),
  },
  { additionalProperties: false },
);
export type CreateStream = Static<typeof CreateStreamBody>;

export const StreamTestResultSchema = Type.Object({
  delivered: Type.Boolean(),
  status: Type.Optional(Type.Integer({ description: 'the receiver’s HTTP status' })),
  error: Type.Optional(Type.String({ description: 'why nothing was delivered' })),
});
export type StreamTestResult = Static<typeof StreamTestResultSchema>;
