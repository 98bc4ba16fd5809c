import { bootstrapFirstAdmin } from './accounts/bootstrap.js';
import { scheduleCheckpoints } from './activity/checkpoints/checkpoint-schedule.js';
import { scheduleRetention } from './activity/retention/retention-schedule.js';
import { buildApp } from './app.js';
import { createDatabase } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { systemClock } from './kernel/clock.js';
import { type Config, loadConfig } from './kernel/config.js';
import { openSecretBox, secretsKeyPath } from './kernel/secret-box.js';
import { openSigningKey, signingKeyPath } from './kernel/signing-key.js';
import { shutDownOnSignals } from './server-shutdown.js';
import { openGeoLocator } from './sessions/geo.js';
import { scheduleSessionSweep } from './sessions/sweep-schedule.js';

/** The only place that listens: config → database → migrate → first admin → app → listen. */
export async function startServer(config: Config = loadConfig()): Promise<void> {
  const database = createDatabase(config.database);
  await migrateToLatest(database);
  const geo = await openGeoLocator({ cityDbPath: config.geoipCityDb });
  // Generated on the first start, in a file and never in the database (decision 019).
  const keyPath = signingKeyPath(config);
  const signingKey = openSigningKey(keyPath, { create: true });
  const secretBox = openSecretBox(secretsKeyPath(config), { create: true });
  const app = await buildApp({ config, database, geo, signingKey, secretBox, logger: true });
  process.stdout.write(
    `  Activity log signing key (${keyPath}), public key: ${signingKey?.publicKeyBase64} (id ${signingKey?.keyId})\n`,
  );
  const retired = app.services.checkpoints.previousKeys;
  if (retired.length > 0) {
    process.stdout.write(`  Previous keys, verifying only: ${retired.map((key) => key.keyId).join(', ')}\n`);
  }
  scheduleRetention(app, {
    db: database.db,
    clock: systemClock,
    retentionDays: config.activityRetentionDays,
  });
  scheduleSessionSweep(app, app.services.sessions);
  scheduleCheckpoints(app, app.services.checkpoints);
  await app.services.streams.sealStoredSecrets();
  app.services.streams.startDelivery();
  const first = await bootstrapFirstAdmin(database.db, app.services.accounts, config);
  if (first?.generatedPassword) {
    process.stdout.write(
      `\n  First start: created admin "${first.username}" with password ${first.generatedPassword}\n` +
        '  It is shown only this once; change it under Profile > Change password.\n\n',
    );
  } else if (first) {
    app.log.info(`first start: created admin "${first.username}" from VAULT_ADMIN_USERNAME`);
  }

  shutDownOnSignals({
    close: async () => {
      await app.close();
      await database.close();
    },
    log: app.log,
    exit: (code) => process.exit(code),
  });

  await app.listen({ port: config.port, host: config.host });
}
