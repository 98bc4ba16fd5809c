import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { errors } from '../contracts/common.js';
import {
  ListSessionsQuery,
  LogoutSessionsBody,
  SessionIdParams,
  SessionSchema,
} from '../contracts/sessions.js';
import { requireActor } from '../http/plugins/auth.js';
import type { SessionService } from './sessions.service.js';

export const sessionsRoutes: FastifyPluginAsyncTypebox<{ sessions: SessionService }> = async (
  app,
  { sessions },
) => {
  app.get(
    '/api/sessions',
    {
      schema: {
        tags: ['sessions'],
        summary: "Active sessions: the whole org's for an admin, one's own for a user; newest access first",
        querystring: ListSessionsQuery,
        response: {
          200: Type.Object({ sessions: Type.Array(Type.Ref(SessionSchema)) }),
          ...errors(400, 401),
        },
      },
    },
    async (request) => ({ sessions: await sessions.listSessions(requireActor(request), request.query) }),
  );

  app.delete(
    '/api/sessions/:id',
    {
      schema: {
        tags: ['sessions'],
        summary: 'Ends one session at once (404 if the caller may not see it)',
        params: SessionIdParams,
        response: { 204: Type.Null(), ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await sessions.endSessions(requireActor(request), [request.params.id]);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/sessions/logout',
    {
      schema: {
        tags: ['sessions'],
        summary: 'The Logout button: ends the selected sessions at once, all or none',
        body: LogoutSessionsBody,
        response: { 200: Type.Object({ terminated: Type.Integer() }), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => ({
      terminated: await sessions.endSessions(requireActor(request), request.body.sessionIds),
    }),
  );
};
