import type { DatabaseEngine } from '../db/database.js';
import { systemClock } from '../kernel/clock.js';
import { type Config, loadConfig } from '../kernel/config.js';
import { openSecretBox, secretsKeyPath } from '../kernel/secret-box.js';
import { openSigningKey, signingKeyPath } from '../kernel/signing-key.js';
import { createServices } from '../services.js';
import { openGeoLocator, UNKNOWN_LOCATION } from '../sessions/geo.js';
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
  const database: DatabaseEngine = await openCliDatabase(config.database, options.access ?? 'existing');
  // On PostgreSQL a CLI termination reaches the servers' open tabs through NOTIFY at once;
  // on SQLite they notice at their next heartbeat, and every request is refused immediately.
  const services = await createServices({
    config,
    database,
    clock: systemClock,
    // Never generated here: a key only the CLI knew would sign checkpoints no server can check.
    signingKey: openSigningKey(signingKeyPath(config), { create: false }),
    // Never generated here either: a secret sealed under a key the servers lack could not be read.
    secretBox: openSecretBox(secretsKeyPath(config), { create: false }),
    geo: options.geo
      ? await openGeoLocator({ cityDbPath: config.geoipCityDb })
      : { lookup: () => UNKNOWN_LOCATION },
    // The change is stored; only the servers' open tabs learn of it later (at their heartbeat).
    onPublishFailed: (error) =>
      process.stderr.write(`warning: could not tell the servers' open tabs (${String(error)})\n`),
    onEndingWriteFailed: (error) =>
      process.stderr.write(`warning: ended sessions wait for a server's sweep (${String(error)})\n`),
  });
  const { sessions, policy, accounts, activity, apiKeys, checkpoints, sso } = services;
  return {
    config,
    database,
    sessions,
    policy,
    accounts,
    activity,
    apiKeys,
    checkpoints,
    sso,
    async close() {
      await services.close();
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
