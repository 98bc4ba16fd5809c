import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  CheckpointPageSchema,
  CheckpointQuery,
  ExportManifestSchema,
  SigningKeySchema,
} from '../../contracts/checkpoints.js';
import { errors } from '../../contracts/common.js';
import { KEY_MAY_READ, requireActor, requireReader } from '../../http/plugins/auth.js';
import type { CheckpointService } from './checkpoints.service.js';

/** The signed checkpoints of the activity chain and the key to check them with (decision 019). */
export const checkpointRoutes: FastifyPluginAsyncTypebox<{ checkpoints: CheckpointService }> = async (
  app,
  { checkpoints },
) => {
  app.get(
    '/api/activities/checkpoints',
    {
      config: KEY_MAY_READ,
      schema: {
        tags: ['activity'],
        summary:
          "Admin: the org's signed chain heads, newest first (copy them out of the database to keep them)",
        querystring: CheckpointQuery,
        response: { 200: CheckpointPageSchema, ...errors(400, 401, 403) },
      },
    },
    async (request) => checkpoints.listCheckpoints(requireReader(request), request.query),
  );

  app.get(
    '/api/activities/export-manifests/:id',
    {
      schema: {
        tags: ['activity'],
        summary:
          'The signed manifest of an export made with manifest=1 (its X-Vault-Manifest header), once the download has ended',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        response: { 200: ExportManifestSchema, ...errors(400, 401, 404) },
      },
    },
    async (request) => checkpoints.getExportManifest(requireActor(request), request.params.id),
  );

  app.get(
    '/api/activities/signing-key',
    {
      config: KEY_MAY_READ,
      schema: {
        tags: ['activity'],
        summary:
          'The public key that signs checkpoints and export manifests (raw base64 and PEM), and the retired ones older ones name',
        response: { 200: SigningKeySchema, ...errors(401, 403, 404) },
      },
    },
    async (request) => {
      requireReader(request);
      return checkpoints.signingKey();
    },
  );
};
