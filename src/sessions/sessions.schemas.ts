import { Type } from '@sinclair/typebox';
import { Uuid } from '../http/schemas.js';

const Nullable = <T extends ReturnType<typeof Type.String> | ReturnType<typeof Type.Number>>(schema: T) =>
  Type.Union([schema, Type.Null()]);

export const SessionSchema = Type.Object(
  {
    id: Type.String(),
    userId: Type.String(),
    username: Type.String(),
    publicIp: Type.String(),
    city: Nullable(Type.String()),
    location: Type.String({ description: 'Readable region and country, or "Unknown"' }),
    countryCode: Nullable(Type.String()),
    latitude: Nullable(Type.Number()),
    longitude: Nullable(Type.Number()),
    deviceType: Type.String({ description: 'Desktop, Mobile, Tablet, ...' }),
    os: Type.String(),
    browser: Type.String(),
    createdAt: Type.String({ format: 'date-time' }),
    lastAccessAt: Type.String({ format: 'date-time' }),
    current: Type.Boolean({ description: "Whether this is the caller's own session" }),
  },
  { $id: 'Session' },
);

export const LoginBody = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64 }),
    password: Type.String({ minLength: 1, maxLength: 256 }),
  },
  { additionalProperties: false },
);

export const SessionIdParams = Type.Object({ id: Uuid });

export const LogoutSessionsBody = Type.Object(
  { sessionIds: Type.Array(Uuid, { minItems: 1, maxItems: 1000 }) },
  { additionalProperties: false },
);

export const ListSessionsQuery = Type.Object(
  { userId: Type.Optional(Uuid) },
  { additionalProperties: false },
);
