import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { AccountService } from '../accounts/accounts.service.js';
import {
  ExportQuery,
  HistogramQuery,
  HistogramResponse,
  IngestBody,
  SearchQuery,
  SearchResponse,
} from '../contracts/activity.js';
import { ChainReportSchema } from '../contracts/checkpoints.js';
import { errors } from '../contracts/common.js';
import { KEY_MAY_READ, requireActor, requireReader } from '../http/plugins/auth.js';
import { isAdmin } from '../kernel/actor.js';
import { forbidden } from '../kernel/errors.js';
import type { ActivityService } from './activity.service.js';
import type { CheckpointService } from './checkpoints/checkpoints.service.js';
import { manifestedExport } from './checkpoints/manifested-export.js';
import { exportFilename } from './export/export-filename.js';
import { refuseBadDetails } from './ingest/details-guard.js';
import type { IngestCaller } from './ingest/ingest.js';

interface ActivityRoutesOptions {
  activity: ActivityService;
  checkpoints: CheckpointService;
  accounts: AccountService;
}

const CONTENT_TYPES = { csv: 'text/csv; charset=utf-8', jsonl: 'application/x-ndjson; charset=utf-8' };

export const activityRoutes: FastifyPluginAsyncTypebox<ActivityRoutesOptions> = async (app, options) => {
  const { activity, accounts, checkpoints } = options;

  app.get(
    '/api/activities',
    {
      config: KEY_MAY_READ,
      schema: {
        tags: ['activity'],
        summary: "Search the activity log: the org's (admin) or one's own (user), newest first by default",
        querystring: SearchQuery,
        response: { 200: SearchResponse, ...errors(400, 401, 403) },
      },
    },
    async (request) => activity.searchActivities(requireReader(request), request.query),
  );

  app.get(
    '/api/activities/histogram',
    {
      config: KEY_MAY_READ,
      schema: {
        tags: ['activity'],
        summary:
          'How many activities match the filter over its period, per bucket, and how many of them failed',
        description:
          'The same filters as the search. Buckets ascending, evenly spaced from the start of the period, empty ones as 0; their totals add up to the total of the search for the same filter (uncapped).',
        querystring: HistogramQuery,
        response: { 200: HistogramResponse, ...errors(400, 401, 403) },
      },
    },
    async (request) => activity.histogram(requireReader(request), request.query),
  );

  app.get(
    '/api/activities/export',
    {
      // A GET that records an activity: a link on another site must not run it in a user's name.
      config: { csrf: 'always', ...KEY_MAY_READ },
      schema: {
        tags: ['activity'],
        summary: 'The whole filtered result as a CSV (or JSON Lines) download, streamed',
        description:
          'Refused (403 CSRF_FAILED) when a browser says it came from another site: Sec-Fetch-Site ' +
          'cross-site or same-site, or a foreign Origin or Referer. Scripts sending none of these are served. ' +
          'With manifest=1 the response names, in X-Vault-Manifest, where its signed manifest can be fetched once the download has ended.',
        querystring: ExportQuery,
        produces: ['text/csv', 'application/x-ndjson'],
        response: { ...errors(400, 401, 403, 429) },
      },
    },
    async (request, reply) => {
      const actor = requireReader(request);
      const format = request.query.format ?? 'csv';
      // Before the export starts: once it holds a slot, only its stream's close gives it back.
      const orgName = await accounts.getOrgName(actor.orgId);
      const { manifest, ...query } = request.query;
      const { range, stream, id } =
        manifest === 1
          ? await manifestedExport(
              checkpoints,
              actor,
              format,
              (options) => activity.exportActivities(actor, query, format, options),
              (error) => request.log.error({ err: error }, 'could not store an export manifest'),
            )
          : { ...(await activity.exportActivities(actor, query, format)), id: undefined };
      if (id !== undefined) reply.header('x-vault-manifest', `/api/activities/export-manifests/${id}`);
      return reply
        .header('content-type', CONTENT_TYPES[format])
        .header('content-disposition', `attachment; filename="${exportFilename(orgName, range, format)}"`)
        .header('cache-control', 'no-store')
        .send(stream);
    },
  );

  app.post(
    '/api/activities',
    {
      config: { auth: 'session-or-api-key', apiKeyScope: 'activities:write' },
      bodyLimit: 4 * 1024 * 1024,
      preValidation: refuseBadDetails,
      schema: {
        tags: ['activity'],
        summary:
          'Ingest events (up to 1,000 a call) with an org API key (scope activities:write) or as an admin; 201 only after commit',
        security: [{ apiKey: [] }, { sessionCookie: [] }],
        body: IngestBody,
        response: {
          201: Type.Object({ accepted: Type.Integer(), duplicates: Type.Integer() }),
          ...errors(400, 401, 403, 413, 429),
        },
      },
    },
    async (request, reply) => {
      let caller: IngestCaller;
      if (request.apiKey) {
        const key = request.apiKey;
        caller = {
          orgId: key.orgId,
          source: `api_key ${key.prefix} ${key.name}`,
          rateKey: `key:${key.keyId}`,
        };
      } else {
        const actor = requireActor(request);
        if (!isAdmin(actor)) throw forbidden('Only admins and API keys can record activities');
        caller = { orgId: actor.orgId, source: `admin ${actor.username}`, rateKey: `user:${actor.userId}` };
      }
      return reply.status(201).send(await activity.ingest(caller, request.body.events));
    },
  );

  app.get(
    '/api/activities/verify',
    {
      schema: {
        tags: ['activity'],
        summary:
          "Admin: checks the org's hash chain against its signed checkpoints; names the first altered, removed or reordered row, or the checkpoint a rewrite no longer matches",
        response: { 200: ChainReportSchema, ...errors(401, 403, 429) },
      },
    },
    async (request) => activity.verifyActivityChain(requireActor(request)),
  );

  app.get(
    '/api/activity-types',
    {
      config: KEY_MAY_READ,
      schema: {
        tags: ['activity'],
        summary: 'The activity names recorded in the org, for the filter dropdown',
        response: { 200: Type.Object({ activityTypes: Type.Array(Type.String()) }), ...errors(401, 403) },
      },
    },
    async (request) => ({ activityTypes: await activity.listActivityTypes(requireReader(request)) }),
  );
};
