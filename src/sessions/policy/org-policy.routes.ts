import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errors } from '../../contracts/common.js';
import { OrgPolicySchema, OrgPolicyUpdateBody } from '../../contracts/org-policy.js';
import { requireJsonTypes } from '../../http/json-strings.js';
import { requireActor } from '../../http/plugins/auth.js';
import type { OrgPolicyService } from './org-policy.service.js';

export const orgPolicyRoutes: FastifyPluginAsyncTypebox<{ policy: OrgPolicyService }> = async (
  app,
  { policy },
) => {
  app.get(
    '/api/org/policy',
    {
      schema: {
        tags: ['org'],
        summary: 'The org’s session policy in force (admin), with the configuration’s defaults',
        response: { 200: OrgPolicySchema, ...errors(401, 403) },
      },
    },
    async (request) => policy.getPolicy(requireActor(request)),
  );

  app.put(
    '/api/org/policy',
    {
      schema: {
        tags: ['org'],
        summary:
          'Changes the fields sent of the org’s session policy (admin), in force at once for live sessions; answers the whole policy. With `version`, 409 CONFLICT if another change came first',
        body: OrgPolicyUpdateBody,
        response: { 200: OrgPolicySchema, ...errors(400, 401, 403, 409) },
      },
      preValidation: requireJsonTypes({
        idleMinutes: ['number', 'null'],
        maxHours: ['number', 'null'],
        maxSessionsPerUser: ['number', 'null'],
        onLimit: ['string'],
        requireMfa: ['boolean'],
        version: ['number'],
      }),
    },
    async (request) => policy.updatePolicy(requireActor(request), request.body),
  );
};
