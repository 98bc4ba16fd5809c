import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  ChangePasswordBody,
  ListUsersQuery,
  NewUserBody,
  PasswordResetSchema,
  ResetPasswordBody,
  UpdateUserBody,
  UserPageSchema,
  UserSchema,
} from '../contracts/accounts.js';
import { errors, Uuid } from '../contracts/common.js';
import { readDeviceCookie } from '../http/device-cookie.js';
import { requireActor } from '../http/plugins/auth.js';
import { invalidInput } from '../kernel/errors.js';
import type { AccountService } from './accounts.service.js';

export const usersRoutes: FastifyPluginAsyncTypebox<{ accounts: AccountService }> = async (
  app,
  { accounts },
) => {
  app.get(
    '/api/users',
    {
      schema: {
        tags: ['users'],
        summary:
          "The org's users (admin) or just oneself (user), a page at a time by username, each with their live sessions, last activity and lockout",
        querystring: ListUsersQuery,
        response: { 200: UserPageSchema, ...errors(400, 401) },
      },
    },
    async (request) => accounts.listUsers(requireActor(request), request.query),
  );

  app.post(
    '/api/users',
    {
      schema: {
        tags: ['users'],
        summary: "Adds a user to the admin's org",
        body: NewUserBody,
        response: { 201: Type.Object({ user: Type.Ref(UserSchema) }), ...errors(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const user = await accounts.createUser(requireActor(request), request.body);
      return reply.status(201).send({ user });
    },
  );

  app.patch(
    '/api/users/:id',
    {
      schema: {
        tags: ['users'],
        summary:
          'Disables (ending all their sessions) or re-enables a user of the org, or changes their role',
        params: Type.Object({ id: Uuid }),
        body: UpdateUserBody,
        response: { 200: Type.Object({ user: Type.Ref(UserSchema) }), ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      const { disabled, role } = request.body;
      // Each is a change of its own, with its own checks and activity: both at once could half succeed.
      if (disabled !== undefined && role !== undefined) {
        throw invalidInput('body: set disabled or role, not both (send two requests)');
      }
      if (role !== undefined) return { user: await accounts.setRole(actor, request.params.id, role) };
      if (disabled !== undefined)
        return { user: await accounts.setDisabled(actor, request.params.id, disabled) };
      throw invalidInput('body must set disabled or role');
    },
  );

  app.post(
    '/api/users/:id/password',
    {
      schema: {
        tags: ['users'],
        summary:
          "Sets a new password for another user of the org (the one given, or a generated one returned once), ends all of that user's sessions and lifts their lockout",
        params: Type.Object({ id: Uuid }),
        body: ResetPasswordBody,
        response: { 200: PasswordResetSchema, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const reset = await accounts.resetPassword(requireActor(request), request.params.id, request.body);
      // A generated password must not linger in a browser's or a proxy's cache.
      return reply.header('cache-control', 'no-store').send({
        user: reset.user,
        ...(reset.generatedPassword ? { password: reset.generatedPassword } : {}),
        endedSessions: reset.endedSessions,
      });
    },
  );

  app.delete(
    '/api/users/:id/lockout',
    {
      schema: {
        tags: ['users'],
        summary: 'Lets a user locked out by failed password attempts log in again at once',
        params: Type.Object({ id: Uuid }),
        response: {
          200: Type.Object({
            cleared: Type.Integer({ description: 'failed password attempts forgotten' }),
          }),
          ...errors(401, 403, 404),
        },
      },
    },
    async (request) => ({ cleared: await accounts.clearLockout(requireActor(request), request.params.id) }),
  );

  app.post(
    '/api/me/password',
    {
      schema: {
        tags: ['users'],
        summary: "Changes the caller's password; their other sessions end",
        body: ChangePasswordBody,
        response: { 204: Type.Null(), ...errors(400, 401, 403, 429) },
      },
    },
    async (request, reply) => {
      await accounts.changePassword(requireActor(request), request.body, {
        deviceToken: readDeviceCookie(request),
      });
      return reply.status(204).send(null);
    },
  );
};
