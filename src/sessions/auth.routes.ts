import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { errors } from '../contracts/common.js';
import { MeResponse } from '../contracts/sessions.js';
import { requireActor, requireSession } from '../http/plugins/auth.js';
import type { SessionCookies } from '../http/session-cookie.js';
import type { SessionService } from './sessions.service.js';

export interface AuthRoutesOptions {
  sessions: SessionService;
  cookies: SessionCookies;
}

export const authRoutes: FastifyPluginAsyncTypebox<AuthRoutesOptions> = async (
  app,
  { sessions, cookies },
) => {
  app.post(
    '/api/auth/logout',
    {
      schema: {
        tags: ['auth'],
        summary: 'Ends the current session',
        response: { 204: Type.Null(), ...errors(401, 403) },
      },
    },
    async (request, reply) => {
      await sessions.logout(requireActor(request));
      cookies.clear(request, reply);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/me',
    {
      schema: {
        tags: ['auth'],
        summary: 'Who I am, and my current session',
        response: { 200: MeResponse, ...errors(401) },
      },
    },
    async (request) => {
      const { row } = requireSession(request);
      return { user: sessions.describeCurrentUser(row), session: sessions.describeCurrentSession(row) };
    },
  );
};
