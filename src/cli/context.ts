import { createAccountService } from '../accounts/accounts.service.js';
import { createCredentials } from '../accounts/credentials.js';
import { createActivityService } from '../activity/activity.service.js';
import { systemClock } from '../clock.js';
import { type Config, loadConfig } from '../config.js';
import type { Database } from '../db/database.js';
import { openGeoLocator, UNKNOWN_LOCATION } from '../sessions/geo.js';
import { LastAccessTracker } from '../sessions/last-access.js';
import { createMemoryBus, createPostgresBus } from '../sessions/live-bus.js';
import { LiveHub } from '../sessions/live-hub.js';
import { createSessionService } from '../sessions/sessions.service.js';
import { type DatabaseAccess, openCliDatabase } from './database-target.js';

export interface CliContextOptions {
  geo?: boolean;
  /** Default `existing`: only `org create` (and serve, migrate) may bring a database into being. */
  access?: DatabaseAccess;
}

/**
 * What a CLI command works with: the same configuration, database and services as the server.
 * It never migrates: a schema behind is refused with a message (migrating a large log takes long).
 */
export async function openCliContext(options: CliContextOptions = {}, config: Config = loadConfig()) {
  const database: Database = await openCliDatabase(config.database, options.access ?? 'existing');
  const hub = new LiveHub();
  // On PostgreSQL a CLI termination reaches the servers' open tabs through NOTIFY at once;
  // on SQLite they notice at their next heartbeat, and every request is refused immediately.
  const bus =
    database.engine === 'postgres'
      ? await createPostgresBus({
          url: database.postgresUrl as string,
          channel: `vault_sessions_${database.postgresSchema ?? 'public'}`,
          hub,
        })
      : createMemoryBus(hub);
  const credentials = createCredentials({ db: database.db, clock: systemClock });
  const sessions = createSessionService({
    database,
    clock: systemClock,
    credentials,
    geo: options.geo
      ? await openGeoLocator({ cityDbPath: config.geoipCityDb })
      : { lookup: () => UNKNOWN_LOCATION },
    bus,
    lastAccess: new LastAccessTracker(database.db),
    idleMs: config.sessionIdleMs,
    maxMs: config.sessionMaxMs,
    // The change is stored; only the servers' open tabs learn of it later (at their heartbeat).
    onPublishFailed: (error) =>
      process.stderr.write(`warning: could not tell the servers' open tabs (${String(error)})\n`),
  });
  const accounts = createAccountService({
    db: database.db,
    clock: systemClock,
    sessions,
    credentials,
  });
  const activity = createActivityService({
    database,
    clock: systemClock,
    retentionDays: config.activityRetentionDays,
    ingestEventsPerMinute: config.ingestEventsPerMinute,
  });
  return {
    config,
    database,
    sessions,
    accounts,
    activity,
    async close() {
      await bus.close();
      await activity.close();
      await database.close();
    },
  };
}

export type CliContext = Awaited<ReturnType<typeof openCliContext>>;

/** Runs a command body with a context and always closes it. */
export async function withContext<T>(
  body: (context: CliContext) => Promise<T>,
  options: CliContextOptions = {},
): Promise<T> {
  const context = await openCliContext(options);
  try {
    return await body(context);
  } finally {
    await context.close();
  }
}
