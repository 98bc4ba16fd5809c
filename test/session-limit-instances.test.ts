import { afterEach, beforeEach, expect, it } from 'vitest';
import { describePostgres } from './helpers/engines.js';
import { as, PASSWORD, type SeededOrg, seedOrg, signIn } from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const PARALLEL = 50;
const LIMIT = 3;

/** The session limit when a user's logins land on two processes sharing one database. */
describePostgres('the org’s sessions per user, across two instances on one PostgreSQL', () => {
  let a: TestApp;
  let b: TestApp;
  let acme: SeededOrg;

  beforeEach(async () => {
    a = await createTestApp('postgres');
    b = await createTestApp('postgres', { postgresSchema: a.database.postgresSchema as string });
    acme = await seedOrg(a.app);
  });
  afterEach(async () => {
    // B joined A's schema; A owns it and drops it last.
    await b.close();
    await a.close();
  });

  const setPolicy = async (body: object) => {
    const admin = await signIn(a.app, acme.admin.username);
    const response = await as(a.app, admin).put('/api/org/policy', body);
    expect(response.statusCode, response.body).toBe(200);
  };
  /** Half of the logins through each instance, all at once. */
  const loginsAtOnce = () =>
    Promise.all(
      Array.from({ length: PARALLEL }, (_, i) =>
        (i % 2 === 0 ? a : b).app.inject({
          method: 'POST',
          url: '/api/auth/login',
          remoteAddress: '127.0.0.1',
          payload: { username: acme.user.username, password: PASSWORD },
        }),
      ),
    );
  const liveSessions = async () =>
    a.database.db
      .selectFrom('sessions')
      .select('id')
      .where('userId', '=', acme.user.id)
      .where('revokedAt', 'is', null)
      .execute();

  it(`deny: of ${PARALLEL} logins at once over two instances, exactly ${LIMIT} succeed, the others 403 SESSION_LIMIT`, async () => {
    await setPolicy({ maxSessionsPerUser: LIMIT, onLimit: 'deny' });
    const responses = await loginsAtOnce();

    const statuses = responses.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 200)).toHaveLength(LIMIT);
    expect(statuses.filter((s) => s === 403)).toHaveLength(PARALLEL - LIMIT);
    for (const refused of responses.filter((r) => r.statusCode === 403))
      expect(refused.json().error.code).toBe('SESSION_LIMIT');
    expect(await liveSessions()).toHaveLength(LIMIT);
  });

  it(`end_oldest: ${PARALLEL} logins at once over two instances all succeed and leave exactly ${LIMIT} live`, async () => {
    await setPolicy({ maxSessionsPerUser: LIMIT, onLimit: 'end_oldest' });
    const responses = await loginsAtOnce();

    expect(responses.map((r) => r.statusCode)).toEqual(Array(PARALLEL).fill(200));
    expect(await liveSessions()).toHaveLength(LIMIT);
  });
});
