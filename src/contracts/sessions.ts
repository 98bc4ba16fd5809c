import { type Static, Type } from '@sinclair/typebox';
import { UserSchema } from './accounts.js';
import { Nullable, Uuid } from './common.js';

/** Why a session ended: the ways the product ends one, and its lifetime running out. */
export const REVOKED_REASONS = ['logout', 'terminated', 'password_changed', 'user_disabled'] as const;
export type RevokedReason = (typeof REVOKED_REASONS)[number];
export type EndReason = RevokedReason | 'expired';

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
    lastUsedOn: Nullable(
      Type.String({
        description:
          'The host of the protected app (forward auth) its latest request went to; null: this console',
      }),
    ),
    current: Type.Boolean({ description: "Whether this is the caller's own session" }),
  },
  { $id: 'Session' },
);

/** A session as the API shows it. */
export type Session = Static<typeof SessionSchema>;

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

/** Who is logged in, on which session: the answer of login and of `GET /api/me`. */
export const MeResponse = Type.Object({ user: Type.Ref(UserSchema), session: Type.Ref(SessionSchema) });
export type Me = Static<typeof MeResponse>;

/** The session cookie's value holds 43 characters; anything far longer is no token of ours. */
const SESSION_TOKEN_MAX_LENGTH = 256;

export const IntrospectBody = Type.Object(
  {
    sessionToken: Type.String({
      maxLength: SESSION_TOKEN_MAX_LENGTH,
      description:
        'the value of the browser’s `vault_session` cookie (over HTTPS `__Host-vault_session`, or `__Secure-vault_session` with COOKIE_DOMAIN)',
    }),
  },
  { additionalProperties: false },
);

export const IntrospectResponse = Type.Union(
  [
    Type.Object(
      {
        active: Type.Literal(true),
        user: Type.Ref(UserSchema),
        session: Type.Ref(SessionSchema, {
          description: '`current` is always false: it is not the caller’s',
        }),
      },
      { additionalProperties: false },
    ),
    Type.Object({ active: Type.Literal(false) }, { additionalProperties: false }),
  ],
  { description: 'A live session of the key’s org with its user, or exactly `{"active":false}`' },
);
export type Introspection = Static<typeof IntrospectResponse>;
