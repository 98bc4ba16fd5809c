import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ApiKeySchema, CreateApiKeyBody, CreatedApiKeySchema } from '../contracts/api-keys.js';
import { errors, Uuid } from '../contracts/common.js';
import { requireActor } from '../http/plugins/auth.js';
import type { ApiKeyService } from './api-keys.service.js';

export const apiKeysRoutes: FastifyPluginAsyncTypebox<{ apiKeys: ApiKeyService }> = async (
  app,
  { apiKeys },
) => {
  app.post(
    '/api/api-keys',
    {
      schema: {
        tags: ['api-keys'],
        summary:
          'Creates an org API key with its scopes (default: ingest only); the key is in this response only, and stored hashed',
        body: CreateApiKeyBody,
        response: { 201: CreatedApiKeySchema, ...errors(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const { name, scopes } = request.body;
      const created = await apiKeys.createApiKey(requireActor(request), name, scopes ? { scopes } : {});
      return reply.status(201).send(created);
    },
  );

  app.get(
    '/api/api-keys',
    {
      schema: {
        tags: ['api-keys'],
        summary: "The org's active API keys with their scopes (never the keys themselves)",
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
