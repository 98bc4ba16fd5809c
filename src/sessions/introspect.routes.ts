import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errors } from '../contracts/common.js';
import { IntrospectBody, IntrospectResponse } from '../contracts/sessions.js';
import { clientIp } from '../http/client-ip.js';
import { requireJsonStrings } from '../http/json-strings.js';
import { AppError } from '../kernel/errors.js';
import { introspectSessionToken } from './introspection.js';
import type { SessionService } from './sessions.service.js';

export const introspectRoutes: FastifyPluginAsyncTypebox<{ sessions: SessionService }> = async (
  app,
  { sessions },
) => {
  app.post(
    '/api/sessions/introspect',
    {
      config: { auth: 'api-key', apiKeyScope: 'sessions:introspect' },
      preValidation: requireJsonStrings('sessionToken'),
      schema: {
        tags: ['sessions'],
        summary:
          "For a service: is this session token live, and whose? Its org's sessions only; not counted as the user's activity",
        description:
          'Takes an org API key with scope `sessions:introspect` (never a session cookie). Answers ' +
          '`{active:true, user, session}` for a live session of the key’s org, and exactly `{active:false}` ' +
          'for any other token: unknown, malformed, expired, idle, logged out, ended, of a disabled user, or ' +
          'of another org. Asking does not change the session’s last access.',
        security: [{ apiKey: [] }],
        body: IntrospectBody,
        response: { 200: IntrospectResponse, ...errors(400, 401, 403, 503) },
      },
    },
    async (request) => {
      // The auth hook lets only a key with the scope through; this is its type's proof.
      const key = request.apiKey;
      if (!key) throw new AppError('NOT_AUTHENTICATED', 'This route takes an org API key');
      try {
        return await introspectSessionToken(sessions, {
          orgId: key.orgId,
          token: request.body.sessionToken,
          ip: clientIp(request),
        });
      } catch (error) {
        // Fail closed, as the auth hook does: without the database no session can be vouched for.
        request.log.warn({ err: error }, 'session introspection failed');
        throw new AppError('DATABASE_UNAVAILABLE', 'Cannot check the session right now; try again');
      }
    },
  );
};
