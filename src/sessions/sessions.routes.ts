import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { ActivityService } from '../activity/activity.service.js';
import { errors } from '../contracts/common.js';
import {
  ListSessionsQuery,
  LogoutSessionsBody,
  SessionDetailSchema,
  SessionIdParams,
  SessionPageSchema,
} from '../contracts/sessions.js';
import { requireActor } from '../http/plugins/auth.js';
import type { SessionService } from './sessions.service.js';

export const sessionsRoutes: FastifyPluginAsyncTypebox<{
  sessions: SessionService;
  activity: ActivityService;
}> = async (app, { sessions, activity }) => {
  app.get(
    '/api/sessions',
    {
      schema: {
        tags: ['sessions'],
        summary:
          "Live sessions, a page at a time: the whole org's for an admin, one's own for a user; most recent access first",
        querystring: ListSessionsQuery,
        response: { 200: SessionPageSchema, ...errors(400, 401) },
      },
    },
    async (request) => sessions.listSessions(requireActor(request), request.query),
  );

  app.get(
    '/api/sessions/:id',
    {
      schema: {
        tags: ['sessions'],
        summary:
          'One session, live or ended, with everything known about it and its timeline (404 if not visible)',
        params: SessionIdParams,
        response: { 200: SessionDetailSchema, ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      const session = await sessions.sessionDetail(actor, request.params.id);
      return { session, activities: await activity.sessionTimeline(actor, session.id) };
    },
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
        summary:
          'The Logout button: ends the selected sessions at once (all or none), or, for an admin, every live session a filter matches but the caller’s own',
        body: LogoutSessionsBody,
        response: { 200: Type.Object({ terminated: Type.Integer() }), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      const { sessionIds, filter } = request.body;
      return {
        terminated:
          filter !== undefined
            ? await sessions.endSessionsByFilter(actor, filter)
            : await sessions.endSessions(actor, sessionIds ?? []),
      };
    },
  );
};
