import { type Static, Type } from '@sinclair/typebox';
import { ROLES } from '../kernel/actor.js';
import { USERNAME_MAX_LENGTH } from '../kernel/username.js';
import { Nullable } from './common.js';

const userProperties = {
  id: Type.String(),
  orgId: Type.String(),
  username: Type.String(),
  role: Type.Union(ROLES.map((role) => Type.Literal(role))),
  disabled: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
};

export const UserSchema = Type.Object(userProperties, { $id: 'User' });

/** A user as the API shows it: never the password hash. */
export type User = Static<typeof UserSchema>;

export const UserListItemSchema = Type.Object(
  {
    ...userProperties,
    liveSessions: Type.Integer({
      minimum: 0,
      description: 'sessions of the user live now, exactly those Session Information lists',
    }),
    lastActivityAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
      description:
        "the user's latest request in a session, or login (null: never logged in); may lag by up to 30 s",
    }),
    lockedOut: Type.Boolean({
      description:
        'password logins from unknown devices are refused after repeated failed attempts (for up to 15 minutes)',
    }),
  },
  { $id: 'UserListItem' },
);

/** A user as the list of users shows them: with their sessions and lockout at a glance. */
export type UserListItem = Static<typeof UserListItemSchema>;

export const ListUsersQuery = Type.Object(
  {
    limit: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 500,
        description: 'users a page; without it, every matching user (the list as it was before pages)',
      }),
    ),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512, description: 'a `nextCursor`' })),
    q: Type.Optional(
      Type.String({
        maxLength: USERNAME_MAX_LENGTH,
        description:
          'usernames starting with this, in any case (normalised as usernames are); a prefix, so the username index serves it',
      }),
    ),
  },
  // Unknown parameters are ignored, as they were before the list had any: old links keep working.
);
export type ListUsersParams = Static<typeof ListUsersQuery>;

/** `total` counts exactly up to this many; above it, it is this bound with `totalCapped` (as the session list). */
export const USER_TOTAL_CAP = 10_000;

export const UserPageSchema = Type.Object({
  users: Type.Array(Type.Ref(UserListItemSchema), { description: 'ordered by username' }),
  nextCursor: Nullable(Type.String({ description: 'the next page’s `cursor`; null on the last page' })),
  total: Type.Integer({ description: `matching users, exact up to ${USER_TOTAL_CAP}` }),
  totalCapped: Type.Boolean({ description: 'true when more match than `total` says' }),
});
export type UserPage = Static<typeof UserPageSchema>;

// The rule itself is canonicalUsername's, shared with the CLI and the first start; a pattern here
// would judge the name before NFKC and refuse "ＤＡＮＡ" instead of answering 409 for "dana".
export const Username = Type.String({
  minLength: 1,
  maxLength: USERNAME_MAX_LENGTH,
  description:
    'After NFKC and lower-casing: ASCII letters, digits and . _ @ + -, starting with a letter or digit, ' +
    'at most 64 characters. Stored in that form; taken in any spelling that normalises to it.',
});
export const Password = Type.String({ minLength: 1, maxLength: 256 });

export const NewUserBody = Type.Object(
  {
    username: Username,
    password: Password,
    role: Type.Union([Type.Literal('admin'), Type.Literal('user')], { default: 'user' }),
  },
  { additionalProperties: false },
);

export const ChangePasswordBody = Type.Object(
  { currentPassword: Password, newPassword: Password },
  { additionalProperties: false },
);

const RoleSchema = Type.Union([Type.Literal('admin'), Type.Literal('user')]);

export const UpdateUserBody = Type.Object(
  {
    disabled: Type.Optional(Type.Boolean()),
    role: Type.Optional(RoleSchema),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    description:
      "One change or both; the org's last active admin can be neither disabled nor demoted (409 LAST_ADMIN)",
  },
);

export const ResetPasswordBody = Type.Object(
  {
    password: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 256,
        description:
          'the new (temporary) password to give the user; leave it out to have a strong one generated and returned once',
      }),
    ),
  },
  { additionalProperties: false },
);

export const PasswordResetSchema = Type.Object({
  user: Type.Ref(UserSchema),
  password: Type.Optional(
    Type.String({ description: 'only when generated: shown in this response only, stored nowhere in clear' }),
  ),
  endedSessions: Type.Integer({ description: "the user's sessions that were ended" }),
});
