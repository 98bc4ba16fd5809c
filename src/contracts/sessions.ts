import { type Static, Type } from '@sinclair/typebox';
import { UserSchema } from './accounts.js';
import { ActivitySchema } from './activity.js';
import { Nullable, Uuid } from './common.js';

/** Why a session ended: the ways the product ends one, and its lifetime or idle window running out. */
export const END_REASONS = [
  'logout',
  'terminated',
  'expired',
  'idle',
  'password_changed',
  'user_disabled',
  'session_limit',
] as const;
export type EndReason = (typeof END_REASONS)[number];
/** The reasons stored on an ended session's row: all of them (idle and expired ones are swept in). */
export type RevokedReason = EndReason;

/** Risk flags a login can raise against the user's own history. */
export const SESSION_FLAGS = ['new_device', 'new_country', 'impossible_travel'] as const;
export type SessionFlag = (typeof SESSION_FLAGS)[number];

export const TravelSchema = Type.Object(
  {
    distanceKm: Type.Integer({ description: 'from the location of the user’s previous session' }),
    hours: Type.Number({ description: 'between the two logins' }),
    speedKmh: Type.Integer(),
    fromLocation: Type.String(),
    fromSessionId: Type.String(),
  },
  { description: 'Why `impossible_travel` was raised' },
);
export type Travel = Static<typeof TravelSchema>;

/** How a session signed in: a local password, or the org's OpenID Connect provider. */
export const LOGIN_METHODS = ['password', 'sso'] as const;
export type LoginMethod = (typeof LOGIN_METHODS)[number];

/** The device classes `Session.deviceType` shows. */
export const DEVICE_TYPES = [
  'Desktop',
  'Mobile',
  'Tablet',
  'Smart TV',
  'Console',
  'Wearable',
  'Embedded',
  'Bot',
  'Unknown',
] as const;
export type DeviceType = (typeof DEVICE_TYPES)[number];

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
    deviceType: Type.String({ description: DEVICE_TYPES.join(', ') }),
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
    flags: Type.Array(Type.Union(SESSION_FLAGS.map((flag) => Type.Literal(flag))), {
      description: 'Risk flags raised at login against the user’s own history',
    }),
    travel: Nullable(TravelSchema),
    loginMethod: Type.Union(
      LOGIN_METHODS.map((method) => Type.Literal(method)),
      {
        description: 'How the session signed in',
      },
    ),
    mfa: Type.Boolean({ description: 'Whether a second factor was checked at login' }),
    identityProvider: Nullable(
      Type.String({ description: 'The SSO provider’s issuer; null for a password login' }),
    ),
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

/** What the list, its count and a Logout by filter select, beyond "live sessions of the org". */
const SessionFilterProperties = {
  userId: Type.Optional(Uuid),
  username: Type.Optional(
    Type.String({ minLength: 1, maxLength: 256, description: 'exact, case-insensitive' }),
  ),
  country: Type.Optional(
    Type.String({ pattern: '^[A-Za-z]{2}$', description: 'ISO 3166-1 alpha-2 code, e.g. DE' }),
  ),
  deviceType: Type.Optional(
    Type.String({ minLength: 1, maxLength: 32, description: `case-insensitive: ${DEVICE_TYPES.join(', ')}` }),
  ),
  os: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 100,
      description: 'the name without its version, case-insensitive: `Windows` matches `Windows 11`',
    }),
  ),
  browser: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 100,
      description: 'the name without its version, case-insensitive: `Chrome` matches `Chrome 131`',
    }),
  ),
  q: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 100,
      description: 'an IP address prefix, or a substring of the city or the username',
    }),
  ),
  flag: Type.Optional(Type.Union(SESSION_FLAGS.map((flag) => Type.Literal(flag)))),
};

export const SessionFilterSchema = Type.Object(SessionFilterProperties, {
  additionalProperties: false,
  minProperties: 1,
  description: 'At least one key: nobody ends a whole org by accident',
});
export type SessionFilter = Static<typeof SessionFilterSchema>;

export const LogoutSessionsBody = Type.Object(
  {
    sessionIds: Type.Optional(Type.Array(Uuid, { minItems: 1, maxItems: 1000 })),
    filter: Type.Optional(SessionFilterSchema),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    maxProperties: 1,
    description:
      'Either `sessionIds` (all or none) or `filter` (every live session that matches, but the caller’s)',
  },
);

export const SESSION_SORTS = ['lastAccessAt', 'createdAt', 'username', 'country'] as const;
export type SessionSort = (typeof SESSION_SORTS)[number];

export const ListSessionsQuery = Type.Object(
  {
    ...SessionFilterProperties,
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512, description: 'a `nextCursor`' })),
    sort: Type.Union(
      SESSION_SORTS.map((sort) => Type.Literal(sort)),
      { default: 'lastAccessAt', description: 'ties broken by last access, then id' },
    ),
    order: Type.Optional(
      Type.Union([Type.Literal('asc'), Type.Literal('desc')], {
        description: 'default: desc for the times, asc for username and country',
      }),
    ),
  },
  { additionalProperties: false },
);
export type ListSessionsParams = Static<typeof ListSessionsQuery>;

/** `total` counts exactly up to this many; above it, it is this bound with `totalCapped`. */
export const SESSION_TOTAL_CAP = 10_000;

export const SessionPageSchema = Type.Object({
  sessions: Type.Array(Type.Ref(SessionSchema)),
  nextCursor: Nullable(Type.String({ description: 'the next page’s `cursor`; null on the last page' })),
  total: Type.Integer({ description: `matching sessions, exact up to ${SESSION_TOTAL_CAP}` }),
  totalCapped: Type.Boolean({ description: 'true when more match than `total` says' }),
});
export type SessionPage = Static<typeof SessionPageSchema>;

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

export const SessionDetailSchema = Type.Object({
  session: Type.Object({
    ...SessionSchema.properties,
    userAgent: Type.String({ description: 'the full User-Agent header of the login' }),
    clientHints: Type.Record(Type.String(), Type.String(), {
      description: 'the Sec-CH-UA* headers sent at login, by lower-case name',
    }),
    region: Nullable(Type.String()),
    country: Nullable(Type.String()),
    expiresAt: Type.String({ format: 'date-time', description: 'the end of its lifetime' }),
    idleExpiresAt: Type.String({ format: 'date-time', description: 'when it ends if unused until then' }),
    live: Type.Boolean(),
    endedAt: Nullable(Type.String({ format: 'date-time' })),
    endReason: Nullable(Type.Union(END_REASONS.map((reason) => Type.Literal(reason)))),
    endedBy: Nullable(
      Type.Object({ userId: Type.String(), username: Type.String() }, { description: 'who ended it' }),
    ),
  }),
  activities: Type.Array(Type.Ref(ActivitySchema), {
    description: 'its timeline: the activities recorded with this session, oldest first (the latest 500)',
  }),
});
export type SessionDetail = Static<typeof SessionDetailSchema>;
