import { type Static, Type } from '@sinclair/typebox';

/**
 * What an org API key may do. Each scope grants something a route demands (`apiKeyScope`);
 * a scope is added only together with what it grants.
 */
export const API_KEY_SCOPES = ['activities:write', 'activities:read', 'sessions:introspect'] as const;

export const ApiKeyScopeSchema = Type.Union(
  API_KEY_SCOPES.map((scope) => Type.Literal(scope)),
  {
    description:
      '`activities:write`: POST /api/activities; `activities:read`: the log of its org as an admin reads it (GET /api/activities, /export, /histogram, /checkpoints, /signing-key, /api/activity-types); `sessions:introspect`: POST /api/sessions/introspect',
  },
);
export type ApiKeyScope = Static<typeof ApiKeyScopeSchema>;

/** What keys created without naming their scopes get, as every key did before scopes. */
export const DEFAULT_API_KEY_SCOPES: readonly ApiKeyScope[] = ['activities:write'];

export const isApiKeyScope = (value: string): value is ApiKeyScope =>
  (API_KEY_SCOPES as readonly string[]).includes(value);

export const ApiKeySchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  prefix: Type.String({ description: 'the first characters of the key, to tell keys apart' }),
  scopes: Type.Array(ApiKeyScopeSchema),
  createdAt: Type.String({ format: 'date-time' }),
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
    description:
      'when the key was last used (written at most once a minute, so up to a minute behind); null if never',
  }),
});

/** An API key as listed: never the key itself. */
export type ApiKey = Static<typeof ApiKeySchema>;

export const CreateApiKeyBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    scopes: Type.Optional(
      Type.Array(ApiKeyScopeSchema, {
        minItems: 1,
        maxItems: API_KEY_SCOPES.length,
        uniqueItems: true,
        description: 'one or more, each once; `["activities:write"]` when left out',
      }),
    ),
  },
  { additionalProperties: false },
);
export type CreateApiKeyInput = Static<typeof CreateApiKeyBody>;

export const CreatedApiKeySchema = Type.Intersect([
  ApiKeySchema,
  Type.Object({ key: Type.String({ description: 'shown in this response only; stored hashed' }) }),
]);
/** A key just created: the only answer that holds the key itself. */
export type CreatedApiKey = Static<typeof CreatedApiKeySchema>;
