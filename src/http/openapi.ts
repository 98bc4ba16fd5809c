import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { HOST_SESSION_COOKIE, SESSION_COOKIE } from './session-cookie.js';

/** The route schemas become an OpenAPI 3 document at /api/openapi.json, browsable at /docs. */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Vault Sessions API',
        version: '1',
        description:
          'Sessions and activity log of the vault. Browser clients authenticate with the HttpOnly session ' +
          'cookie set by POST /api/auth/login; state-changing requests must come from the same origin.',
      },
      components: {
        securitySchemes: {
          sessionCookie: {
            type: 'apiKey',
            in: 'cookie',
            name: SESSION_COOKIE,
            description: `\`${HOST_SESSION_COOKIE}\` over HTTPS (only that name counts there), \`${SESSION_COOKIE}\` over plain HTTP`,
          },
          apiKey: { type: 'http', scheme: 'bearer', description: 'an org API key (POST /api/api-keys)' },
        },
      },
      security: [{ sessionCookie: [] }],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    // Its built-in CSP asks for upgrade-insecure-requests, which breaks /docs on a plain-HTTP
    // deployment (every asset rewritten to https); its assets are all 'self', so nothing is lost.
    transformStaticCSP: (header) => withoutUpgradeInsecureRequests(header),
    uiConfig: { deepLinking: false },
  });
  app.get('/api/openapi.json', { config: { auth: 'none' }, schema: { hide: true } }, async () =>
    app.swagger(),
  );
}

function withoutUpgradeInsecureRequests(policy: string): string {
  return policy
    .split(';')
    .map((directive) => directive.trim())
    .filter((directive) => directive !== '' && directive.toLowerCase() !== 'upgrade-insecure-requests')
    .join('; ');
}
