import { type Static, Type } from '@sinclair/typebox';
import { Nullable } from './common.js';
import { POLICY_BOUNDS } from './org-policy-bounds.js';

/**
 * An integer in bounds, or null, as one JSON Schema type list rather than an anyOf: the app's Ajv
 * coerces types, and an anyOf's null branch would take 0 or false for null (a reset to the default).
 */
const BoundedOrNull = (bounds: { min: number; max: number }, description?: string) =>
  Type.Unsafe<number | null>({
    type: ['integer', 'null'],
    minimum: bounds.min,
    maximum: bounds.max,
    ...(description ? { description } : {}),
  });

export { POLICY_BOUNDS };

/** What a login beyond `maxSessionsPerUser` does: refused, or the user's session created first ends. */
export const ON_LIMIT = ['deny', 'end_oldest'] as const;
export type OnLimit = (typeof ON_LIMIT)[number];

const OnLimitSchema = Type.Union(
  ON_LIMIT.map((value) => Type.Literal(value)),
  { description: '`deny`: the login is refused (403 SESSION_LIMIT); `end_oldest`: the oldest session ends' },
);

export const OrgPolicySchema = Type.Object(
  {
    idleMinutes: Type.Integer({ description: 'in force: the org’s own, or the configuration’s' }),
    maxHours: Type.Integer({ description: 'in force: the org’s own, or the configuration’s' }),
    maxSessionsPerUser: Nullable(Type.Integer({ description: 'null: no limit' })),
    onLimit: OnLimitSchema,
    requireMfa: Type.Boolean({
      description:
        'users without TOTP are sent to enrol it right after their password (401 MFA_ENROLLMENT_REQUIRED); their login finishes with the confirmation',
    }),
    defaults: Type.Object(
      { idleMinutes: Type.Integer(), maxHours: Type.Integer() },
      { description: 'the configuration’s values (SESSION_IDLE_MINUTES, SESSION_MAX_HOURS)' },
    ),
    usesDefault: Type.Object(
      { idleMinutes: Type.Boolean(), maxHours: Type.Boolean() },
      { description: 'true where the org has no value of its own (set it to null to go back)' },
    ),
    version: Type.Integer({
      minimum: 0,
      description: 'how many changes the policy has had; send it back with a change (PUT `version`)',
    }),
  },
  { $id: 'OrgPolicy' },
);
export type OrgPolicy = Static<typeof OrgPolicySchema>;

export const OrgPolicyUpdateBody = Type.Object(
  {
    idleMinutes: Type.Optional(
      BoundedOrNull(POLICY_BOUNDS.idleMinutes, 'a session unused this long ends; null: the configuration’s'),
    ),
    maxHours: Type.Optional(
      BoundedOrNull(
        POLICY_BOUNDS.maxHours,
        'a session ends this long after its login, however much it is used; null: the configuration’s',
      ),
    ),
    maxSessionsPerUser: Type.Optional(BoundedOrNull(POLICY_BOUNDS.maxSessionsPerUser, 'null: no limit')),
    onLimit: Type.Optional(OnLimitSchema),
    requireMfa: Type.Optional(Type.Boolean()),
    version: Type.Optional(
      Type.Integer({
        minimum: 0,
        description:
          'the `version` the change was made from: another change since makes it a 409 CONFLICT and changes nothing; left out, the change applies whatever came before (last save wins)',
      }),
    ),
  },
  {
    additionalProperties: false,
    description: 'Only the fields sent change; null for idleMinutes or maxHours means the configuration’s',
  },
);
export type OrgPolicyUpdate = Static<typeof OrgPolicyUpdateBody>;
