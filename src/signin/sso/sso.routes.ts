import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { errors } from '../../contracts/common.js';
import { SsoConfigBody, SsoConfigSchema, SsoTestResultSchema } from '../../contracts/sso.js';
import { requireJsonTypes } from '../../http/json-strings.js';
import { requireActor } from '../../http/plugins/auth.js';
import { invalidInput } from '../../kernel/errors.js';
import type { SsoService } from './sso.service.js';

/** The vault's origin as the browser sees it: PUBLIC_URL, else the request's (through TRUST_PROXY). */
export function vaultOrigin(request: FastifyRequest, publicUrl: string | undefined): string {
  return publicUrl ?? `${request.protocol}://${request.host}`;
}

const FIELD_TYPES = requireJsonTypes({
  issuer: ['string'],
  clientId: ['string'],
  clientSecret: ['string'],
  autoCreateUsers: ['boolean'],
  enforced: ['boolean'],
  allowAdminPasswordLogin: ['boolean'],
});

/** Before the schema: a lone string would be coerced into a list (coerceTypes 'array'), and a typo meant. */
async function checkBodyTypes(request: FastifyRequest): Promise<void> {
  await FIELD_TYPES(request);
  const body = request.body as Record<string, unknown> | null;
  if (
    body &&
    typeof body === 'object' &&
    Object.hasOwn(body, 'emailDomains') &&
    !Array.isArray(body.emailDomains)
  ) {
    throw invalidInput('body.emailDomains must be an array of domains');
  }
}

export const ssoRoutes: FastifyPluginAsyncTypebox<{
  sso: SsoService;
  publicUrl: string | undefined;
}> = async (app, { sso, publicUrl }) => {
  app.get(
    '/api/org/sso',
    {
      schema: {
        tags: ['org'],
        summary:
          'The org’s single sign-on (admin), without the client secret; 404 SSO_NOT_CONFIGURED when none',
        response: { 200: SsoConfigSchema, ...errors(401, 403, 404) },
      },
    },
    async (request) => sso.getConfig(requireActor(request), vaultOrigin(request, publicUrl)),
  );

  app.put(
    '/api/org/sso',
    {
      schema: {
        tags: ['org'],
        summary:
          'Sets the org’s OpenID Connect provider (admin); without `clientSecret` the stored one is kept. Register the answer’s `redirectUri` with the provider',
        body: SsoConfigBody,
        response: { 200: SsoConfigSchema, ...errors(400, 401, 403, 409) },
      },
      preValidation: checkBodyTypes,
    },
    async (request) => sso.putConfig(requireActor(request), request.body, vaultOrigin(request, publicUrl)),
  );

  app.delete(
    '/api/org/sso',
    {
      schema: {
        tags: ['org'],
        summary: 'Removes the org’s single sign-on (admin): password logins work again',
        response: { 204: Type.Null(), ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      await sso.deleteConfig(requireActor(request));
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/org/sso/test',
    {
      schema: {
        tags: ['org'],
        summary:
          'Tests a provider before saving it (admin): discovery, endpoints, PKCE S256 and the client credentials; without `clientSecret` the stored one',
        body: SsoConfigBody,
        response: { 200: SsoTestResultSchema, ...errors(400, 401, 403) },
      },
      preValidation: checkBodyTypes,
    },
    async (request) => sso.testConfig(requireActor(request), request.body),
  );
};
