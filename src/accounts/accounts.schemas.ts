import { Type } from '@sinclair/typebox';
import { USERNAME_PATTERN } from './user.js';

export const UserSchema = Type.Object(
  {
    id: Type.String(),
    orgId: Type.String(),
    username: Type.String(),
    role: Type.Union([Type.Literal('admin'), Type.Literal('user')]),
    disabled: Type.Boolean(),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'User' },
);

export const Username = Type.String({ pattern: USERNAME_PATTERN, minLength: 1, maxLength: 64 });
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

export const UpdateUserBody = Type.Object({ disabled: Type.Boolean() }, { additionalProperties: false });
