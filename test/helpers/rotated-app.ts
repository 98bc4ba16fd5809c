import { POSTGRES_URL, type TestEngine } from './engines.js';
import { createTestApp, type TestApp } from './test-app.js';

/** The DATABASE_URL that reaches `t`'s database, for another instance or a CLI run. */
export function databaseUrlOf(t: TestApp): string {
  return t.config.database.engine === 'sqlite'
    ? `sqlite:${t.config.database.path}`
    : `${POSTGRES_URL}?schema=${t.database.postgresSchema}`;
}

/**
 * An instance restarted after a key rotation: on `first`'s database, signing with the key in
 * `keyFile` (generated there if missing) and trusting `previousKeys` (SIGNING_PREVIOUS_KEYS).
 * Close it before `first`, which owns the database.
 */
export function rotatedApp(
  engine: TestEngine,
  first: TestApp,
  keyFile: string,
  previousKeys: readonly string[],
): Promise<TestApp> {
  const env = {
    SIGNING_KEY_FILE: keyFile,
    ...(previousKeys.length > 0 ? { SIGNING_PREVIOUS_KEYS: previousKeys.join(',') } : {}),
  };
  if (engine === 'sqlite')
    return createTestApp(engine, { env: { ...env, DATABASE_URL: databaseUrlOf(first) } });
  return createTestApp(engine, { env, postgresSchema: first.database.postgresSchema as string });
}
