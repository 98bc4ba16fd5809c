import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { errors, Uuid } from '../../contracts/common.js';
import { CreateStreamBody, StreamSchema, StreamTestResultSchema } from '../../contracts/streams.js';
import { requireActor } from '../../http/plugins/auth.js';
import type { StreamService } from './streams.service.js';

const ById = { params: Type.Object({ id: Uuid }) };

export const streamsRoutes: FastifyPluginAsyncTypebox<{ streams: StreamService }> = async (
  app,
  { streams },
) => {
  app.post(
    '/api/streams',
    {
      schema: {
        tags: ['streams'],
        summary:
          "Pushes the org's activity log, in chain order, to a SIEM (admin); secret and token are never shown again",
        body: CreateStreamBody,
        response: { 201: StreamSchema, ...errors(400, 401, 403, 409) },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await streams.createStream(requireActor(request), request.body)),
  );

  app.get(
    '/api/streams',
    {
      schema: {
        tags: ['streams'],
        summary: "The org's streams with their state and lag (admin)",
        response: { 200: Type.Object({ streams: Type.Array(StreamSchema) }), ...errors(401, 403) },
      },
    },
    async (request) => ({ streams: await streams.listStreams(requireActor(request)) }),
  );

  app.delete(
    '/api/streams/:id',
    {
      schema: {
        tags: ['streams'],
        summary: 'Stops and removes a stream',
        ...ById,
        response: { 204: Type.Null(), ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      await streams.deleteStream(requireActor(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/streams/:id/test',
    {
      schema: {
        tags: ['streams'],
        summary:
          'Sends {"stream","test":true,"events":[]} with X-Vault-Delivery: test, and says what the receiver answered',
        ...ById,
        response: { 200: StreamTestResultSchema, ...errors(401, 403, 404, 429) },
      },
    },
    async (request) => streams.testStream(requireActor(request), request.params.id),
  );

  app.post(
    '/api/streams/:id/resume',
    {
      schema: {
        tags: ['streams'],
        summary: 'Delivers a failed stream again from where it stopped',
        ...ById,
        response: { 200: StreamSchema, ...errors(401, 403, 404, 409) },
      },
    },
    async (request) => streams.resumeStream(requireActor(request), request.params.id),
  );
};
