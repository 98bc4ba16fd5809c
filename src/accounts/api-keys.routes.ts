import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { errors, Uuid } from '../contracts/common.js';
import { requireActor } from '../http/plugins/auth.js';
import type { ApiKeyService } from './api-keys.service.js';

const ApiKeySchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  prefix: Type.String({ description: 'the first characters of the key, to tell keys apart' }),
  createdAt: Type.String({ format: 'date-time' }),
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
    description:
      'when the key was last used (written at most once a minute, so up to a minute behind); null if never',
  }),
});

export const apiKeysRoutes: FastifyPluginAsyncTypebox<{ apiKeys: ApiKeyService }> = async (
  app,
  { apiKeys },
) => {
  app.post(
    '/api/api-keys',
    {
      schema: {
        tags: ['api-keys'],
        summary: 'Creates an org API key for ingest; the key is in this response only, and stored hashed',
        body: Type.Object(
          { name: Type.String({ minLength: 1, maxLength: 100 }) },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Intersect([ApiKeySchema, Type.Object({ key: Type.String() })]),
          ...errors(400, 401, 403),
        },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await apiKeys.createApiKey(requireActor(request), request.body.name)),
  );

  app.get(
    '/api/api-keys',
    {
      schema: {
        tags: ['api-keys'],
        summary: "The org's active API keys (never the keys themselves)",
        response: { 200: Type.Object({ apiKeys: Type.Array(ApiKeySchema) }), ...errors(401, 403) },
      },
    },
    async (request) => ({ apiKeys: await apiKeys.listApiKeys(requireActor(request)) }),
  );

  app.delete(
    '/api/api-keys/:id',
    {
      schema: {
        tags: ['api-keys'],
        summary: 'Revokes an API key at once',
        params: Type.Object({ id: Uuid }),
        response: { 204: Type.Null(), ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      await apiKeys.revokeApiKey(requireActor(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
};
