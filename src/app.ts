import cookie from '@fastify/cookie';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance } from 'fastify';
import { apiKeysRoutes } from './accounts/api-keys.routes.js';
import { usersRoutes } from './accounts/users.routes.js';
import { activityRoutes } from './activity/activity.routes.js';
import { checkpointRoutes } from './activity/checkpoints/checkpoints.routes.js';
import { streamsRoutes } from './activity/streams/streams.routes.js';
import { UserListItemSchema, UserSchema } from './contracts/accounts.js';
import { ActivitySchema } from './contracts/activity.js';
import { ErrorResponse } from './contracts/common.js';
import { SessionSchema } from './contracts/sessions.js';
import type { DatabaseEngine } from './db/database.js';
import { AllowedHosts } from './http/allowed-hosts.js';
import { answerClientError } from './http/client-errors.js';
import { limitConnections } from './http/connection-limits.js';
import { registerCors } from './http/cors.js';
import { drainConnectionsOnClose } from './http/drain-connections.js';
import { answerError, registerErrorHandler } from './http/error-handler.js';
import { registerHealth } from './http/health.js';
import { guardInput } from './http/input-guard.js';
import { serializeRequest } from './http/log-request.js';
import { redirectFromLogin } from './http/login-redirect.js';
import { createAppMetrics } from './http/metrics/app-metrics.js';
import { registerMetricsRoute, requestMetricsPlugin } from './http/metrics/metrics.plugin.js';
import { observeActivity, observeSessions, observeSignIn } from './http/metrics/observe-services.js';
import { registerOpenApi } from './http/openapi.js';
import { authPlugin } from './http/plugins/auth.js';
import { csrfPlugin } from './http/plugins/csrf.js';
import { securityHeadersPlugin } from './http/plugins/security-headers.js';
import { staticWebPlugin } from './http/plugins/static-web.js';
import { echoRequestId, requestIdOf } from './http/request-id.js';
import { sessionCookies } from './http/session-cookie.js';
import { type Clock, systemClock } from './kernel/clock.js';
import type { Config, TrustProxy } from './kernel/config.js';
import type { SecretBox } from './kernel/secret-box.js';
import type { SigningKey } from './kernel/signing-key.js';
import { createServices, type Services } from './services.js';
import { authRoutes } from './sessions/auth.routes.js';
import { forwardAuthRoutes } from './sessions/forward-auth.routes.js';
import type { GeoLocator } from './sessions/geo.js';
import { introspectRoutes } from './sessions/introspect.routes.js';
import type { LiveBus } from './sessions/live-events.js';
import { orgPolicyRoutes } from './sessions/policy/org-policy.routes.js';
import { sessionsRoutes } from './sessions/sessions.routes.js';
import { streamRoutes } from './sessions/stream.routes.js';
import { loginRoutes } from './signin/login.routes.js';
import { mfaRoutes } from './signin/mfa/mfa.routes.js';
import { ssoRoutes } from './signin/sso/sso.routes.js';
import { ssoAuthRoutes } from './signin/sso/sso-auth.routes.js';

export interface AppDeps {
  config: Config;
  database: DatabaseEngine;
  geo: GeoLocator;
  /** Signs the activity chain's checkpoints (server.ts opens it; kernel/signing-key.ts). */
  signingKey: SigningKey | undefined;
  /** Seals stored secrets (server.ts opens it; kernel/secret-box.ts). */
  secretBox: SecretBox | undefined;
  clock?: Clock;
  logger?: boolean;
  /** Where the log goes (stdout unless given; tests read it). */
  logStream?: NodeJS.WritableStream;
  /** Wraps the live bus (tests make publishing fail with it). */
  wrapLiveBus?: (bus: LiveBus) => LiveBus;
  /** The built web app to serve (web/dist unless given). */
  webRoot?: string;
}

const BODY_LIMIT_BYTES = 2 * 1024 * 1024;
/** Headers are small: a client that needs longer to send them is trickling them on purpose. */
const MAX_HEADERS_TIMEOUT_MS = 10_000;
/** Longer than the 60 s idle timeout of common load balancers, so they close first (Fastify's default). */
const KEEP_ALIVE_TIMEOUT_MS = 72_000;
/** How often Node looks for requests past their time; its default of 30 s would let them linger. */
const TIMEOUT_CHECK_INTERVAL_MS = 1_000;

/** A hop count means: believe that many proxies in front of us, counted from the socket. */
function toFastifyTrustProxy(trust: TrustProxy) {
  return typeof trust === 'number' ? (_address: string, hop: number) => hop < trust : trust;
}

/** Builds the whole application from its dependencies; never listens (server.ts does). */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, database } = deps;
  const clock = deps.clock ?? systemClock;
  const app = Fastify({
    logger: deps.logger
      ? {
          level: config.logLevel,
          serializers: { req: serializeRequest },
          ...(deps.logStream ? { stream: deps.logStream } : {}),
        }
      : false,
    trustProxy: toFastifyTrustProxy(config.trustProxy),
    bodyLimit: BODY_LIMIT_BYTES,
    requestIdHeader: false,
    genReqId: requestIdOf,
    // Fastify's 0 would turn Node's request timeout off: a body sent a byte at a time stays forever.
    requestTimeout: config.requestTimeoutMs,
    connectionTimeout: config.idleTimeoutMs,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    http: {
      headersTimeout: Math.min(MAX_HEADERS_TIMEOUT_MS, config.requestTimeoutMs),
      connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
    },
    frameworkErrors: answerError,
    clientErrorHandler: answerClientError,
    // Our own messages name the field; Ajv's defaults would coerce and strip silently.
    // Union type lists are meant (details: string, object or null); without this Ajv warns on each app.
    ajv: {
      customOptions: {
        removeAdditional: false,
        coerceTypes: 'array',
        allErrors: false,
        allowUnionTypes: true,
      },
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  limitConnections(app.server, config);

  const services = await createServices({
    config,
    database,
    clock,
    geo: deps.geo,
    signingKey: deps.signingKey,
    secretBox: deps.secretBox,
    onBusError: (error) => app.log.warn({ err: error }, 'live bus connection lost; reconnecting'),
    onPublishFailed: (error, event) =>
      app.log.warn({ err: error, event: event.type }, 'could not publish a live event; streams re-check'),
    onStreamError: (error, streamId) =>
      app.log.warn({ err: error, streamId }, 'a stream could not deliver; it retries after a backoff'),
    onEndingWriteFailed: (error) =>
      app.log.warn({ err: error }, 'could not write ended sessions into their rows; the sweep tries again'),
    ...(deps.wrapLiveBus ? { wrapLiveBus: deps.wrapLiveBus } : {}),
  });
  const { hub, lastAccess, sessions, policy, accounts, apiKeys, activity, mfa, signIn } = services;
  lastAccess.start((error) => app.log.warn({ err: error }, 'could not write last access times'));

  const cookies = sessionCookies(config.cookieSecure, config.cookieDomain);
  const allowed = new AllowedHosts(config.allowedRedirectHosts);
  // Without METRICS_TOKEN nothing is measured: the routes get the services as they are.
  const metering =
    config.metricsToken === undefined
      ? undefined
      : { metrics: createAppMetrics(), token: config.metricsToken };
  const edge = metering
    ? {
        sessions: observeSessions(sessions, metering.metrics),
        activity: observeActivity(activity, metering.metrics),
        signIn: observeSignIn(signIn, metering.metrics),
      }
    : { sessions, activity, signIn };

  // Before the server closes: it waits for every open connection, and a stream never ends by
  // itself. Clients reconnect (to another instance, behind a load balancer).
  app.addHook('preClose', (done) => {
    hub.closeAll();
    done();
  });
  drainConnectionsOnClose(app);
  // After the last request finished, so the batch holds every access.
  app.addHook('onClose', async () => {
    await lastAccess
      .stop()
      .catch((error) => app.log.error({ err: error }, 'could not write the last access times at shutdown'));
    await services.close();
  });

  registerErrorHandler(app);
  echoRequestId(app);
  guardInput(app);
  if (metering) await app.register(requestMetricsPlugin, { metrics: metering.metrics });
  app.addSchema(ErrorResponse);
  app.addSchema(UserSchema);
  app.addSchema(UserListItemSchema);
  app.addSchema(SessionSchema);
  app.addSchema(ActivitySchema);
  await registerOpenApi(app);
  await app.register(securityHeadersPlugin, {
    contentSecurityPolicy: {
      directives: {
        'default-src': ["'self'"],
        'img-src': ["'self'", 'data:'],
        'frame-ancestors': ["'none'"],
        // Plain-HTTP deployments (a laptop, a LAN) would otherwise have every asset rewritten to https.
        'upgrade-insecure-requests': null,
      },
    },
    // Same-site requests only; the API is not meant to be embedded or read cross-origin.
    crossOriginResourcePolicy: { policy: 'same-origin' },
    // The legacy twin of frame-ancestors 'none', for browsers that ignore CSP: no framing at all.
    frameguard: { action: 'deny' },
  });
  await app.register(cookie);
  await registerCors(app, allowed);
  await app.register(csrfPlugin);
  await app.register(authPlugin, { sessions: edge.sessions, apiKeys, cookies });
  redirectFromLogin(app, { sessions: edge.sessions, cookies, allowed, publicUrl: config.publicUrl });

  const probe = registerHealth(app, database.db);
  if (metering) {
    await registerMetricsRoute(app, {
      ...metering,
      sources: {
        probe,
        openStreams: () => hub.size,
        liveSessions: () => sessions.countLiveSessions(),
        streamLags: () => services.streams.lags(),
        poolState: database.poolState,
        onError: (error) => app.log.warn({ err: error }, 'metrics: could not read a gauge from the database'),
      },
    });
  }
  await app.register(loginRoutes, { signIn: edge.signIn, cookies });
  await app.register(mfaRoutes, { mfa, signIn: edge.signIn, cookies });
  await app.register(authRoutes, { sessions: edge.sessions, cookies });
  await app.register(ssoAuthRoutes, {
    sso: services.sso,
    cookies,
    allowed,
    publicUrl: config.publicUrl,
  });
  await app.register(ssoRoutes, { sso: services.sso, publicUrl: config.publicUrl });
  await app.register(forwardAuthRoutes, {
    sessions: edge.sessions,
    cookies,
    publicUrl: config.publicUrl,
  });
  await app.register(sessionsRoutes, { sessions: edge.sessions, activity: edge.activity });
  await app.register(streamRoutes, { sessions: edge.sessions, hub });
  await app.register(introspectRoutes, { sessions: edge.sessions });
  await app.register(orgPolicyRoutes, { policy });
  await app.register(usersRoutes, { accounts });
  await app.register(apiKeysRoutes, { apiKeys });
  await app.register(activityRoutes, {
    activity: edge.activity,
    accounts,
    checkpoints: services.checkpoints,
  });
  await app.register(checkpointRoutes, { checkpoints: services.checkpoints });
  await app.register(streamsRoutes, { streams: services.streams });
  await app.register(staticWebPlugin, deps.webRoot ? { webRoot: deps.webRoot } : {});

  app.decorate('services', {
    sessions,
    policy,
    accounts,
    mfa,
    signIn,
    apiKeys,
    activity,
    checkpoints: services.checkpoints,
    streams: services.streams,
    sso: services.sso,
    hub,
    lastAccess,
  });
  return app;
}

declare module 'fastify' {
  interface FastifyInstance {
    services: Omit<Services, 'bus' | 'close'>;
  }
}
