import { createAccountService } from './accounts/accounts.service.js';
import { createApiKeyService } from './accounts/api-keys.service.js';
import { createCredentials } from './accounts/credentials.js';
import { createActivityService } from './activity/activity.service.js';
import { createCheckpointService } from './activity/checkpoints/checkpoints.service.js';
import { createStreamService } from './activity/streams/streams.service.js';
import type { DatabaseEngine } from './db/database.js';
import type { Clock } from './kernel/clock.js';
import type { Config } from './kernel/config.js';
import { openPreviousKeys } from './kernel/previous-keys.js';
import type { SecretBox } from './kernel/secret-box.js';
import type { SigningKey } from './kernel/signing-key.js';
import { freshestAccess } from './sessions/freshest-access.js';
import type { GeoLocator } from './sessions/geo.js';
import { LastAccessTracker } from './sessions/last-access.js';
import { createMemoryBus, createPostgresBus } from './sessions/live-bus.js';
import type { LiveBus, LiveEvent } from './sessions/live-events.js';
import { LiveHub, MAX_STREAMS_PER_SESSION, MAX_STREAMS_PER_USER } from './sessions/live-hub.js';
import { createOrgPolicyService } from './sessions/policy/org-policy.service.js';
import { createSessionService } from './sessions/sessions.service.js';
import { createMfaService } from './signin/mfa/mfa.service.js';
import { createMfaTokens } from './signin/mfa/mfa-tokens.js';
import { createSignInService } from './signin/sign-in.service.js';
import { createSsoService } from './signin/sso/sso.service.js';

export interface ServiceDeps {
  config: Config;
  database: DatabaseEngine;
  clock: Clock;
  geo: GeoLocator;
  /** Signs the activity chain's checkpoints (kernel/signing-key.ts); undefined: nothing is signed. */
  signingKey: SigningKey | undefined;
  /** Seals stored secrets (kernel/secret-box.ts); undefined: features that store one refuse to. */
  secretBox: SecretBox | undefined;
  /** Told when the PostgreSQL bus lost its connection (it reconnects by itself). */
  onBusError?: (error: unknown) => void;
  /** Told when a live event could not be published (the change it announces is committed). */
  onPublishFailed: (error: unknown, event: LiveEvent) => void;
  /** Told when ended sessions could not be written into their rows (the next sweep tries again). */
  onEndingWriteFailed?: (error: unknown) => void;
  /** Told when a stream's delivery loop met an error other than its receiver's (the database). */
  onStreamError?: (error: unknown, streamId?: string) => void;
  /** Wraps the live bus (tests make publishing fail with it). */
  wrapLiveBus?: (bus: LiveBus) => LiveBus;
}

/**
 * The one composition root of the features, for the server and the CLI alike: the same hub, bus,
 * channel and services. A feature that needs something of one above it (accounts ends sessions,
 * ingest looks up users) declares a narrow interface, and the service above is passed in here, so
 * they are built top down: sessions, then accounts, then activity; sign-in (MFA) takes them all.
 */
export async function createServices(deps: ServiceDeps) {
  const { config, database, clock } = deps;
  // Refused here, in the one composition root, so the server and the CLI refuse it alike; and
  // first, before anything is opened that a refusal would leave open.
  const previousKeys = openPreviousKeys(config.signingPreviousKeys, deps.signingKey);
  const hub = new LiveHub({
    perSession: MAX_STREAMS_PER_SESSION,
    perUser: MAX_STREAMS_PER_USER,
    perInstance: config.maxStreams,
  });
  // One channel per schema: instances of one deployment hear each other, and no other's.
  const realBus =
    database.engine === 'postgres'
      ? await createPostgresBus({
          url: database.postgresUrl as string,
          channel: `vault_sessions_${database.postgresSchema ?? 'public'}`,
          hub,
          ...(deps.onBusError ? { onError: deps.onBusError } : {}),
        })
      : createMemoryBus(hub);
  const bus = deps.wrapLiveBus ? deps.wrapLiveBus(realBus) : realBus;
  const lastAccess = new LastAccessTracker(database.db);
  const credentials = createCredentials({ db: database.db, clock });
  const sessions = createSessionService({
    database,
    clock,
    credentials,
    geo: deps.geo,
    bus,
    lastAccess,
    idleMs: config.sessionIdleMs,
    maxMs: config.sessionMaxMs,
    onPublishFailed: deps.onPublishFailed,
    ...(deps.onEndingWriteFailed ? { onEndingWriteFailed: deps.onEndingWriteFailed } : {}),
  });
  const policy = createOrgPolicyService({
    db: database.db,
    clock,
    defaults: { idleMs: config.sessionIdleMs, maxMs: config.sessionMaxMs },
    access: freshestAccess(lastAccess),
  });
  const accounts = createAccountService({ db: database.db, clock, sessions, credentials });
  const mfa = createMfaService({
    db: database.db,
    clock,
    secretBox: deps.secretBox,
    credentials,
    directory: accounts,
  });
  const apiKeys = createApiKeyService({ db: database.db, clock });
  const sso = createSsoService({
    db: database.db,
    clock,
    secretBox: deps.secretBox,
    users: accounts,
    sessions,
  });
  const signIn = createSignInService({
    sessions,
    mfa,
    tokens: createMfaTokens({ db: database.db, clock }),
    policy,
    directory: accounts,
    gate: sso,
  });
  const checkpoints = createCheckpointService({
    database,
    clock,
    key: deps.signingKey,
    previousKeys,
  });
  const activity = createActivityService({
    database,
    clock,
    retentionDays: config.activityRetentionDays,
    ingestEventsPerMinute: config.ingestEventsPerMinute,
    directory: accounts,
    checkpoints,
  });
  const streams = createStreamService({
    db: database.db,
    clock,
    secretBox: deps.secretBox,
    onDeliveryError: deps.onStreamError ?? (() => {}),
    readRows: activity.readRows,
  });
  return {
    hub,
    bus,
    lastAccess,
    sessions,
    policy,
    accounts,
    mfa,
    signIn,
    apiKeys,
    activity,
    checkpoints,
    streams,
    sso,
    /** Stops what runs in the background; the caller closes the database after. */
    async close() {
      await streams.stopDelivery();
      await sessions.close();
      await bus.close();
      await activity.close();
    },
  };
}

export type Services = Awaited<ReturnType<typeof createServices>>;
