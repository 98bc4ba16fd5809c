import { afterEach, beforeEach, expect, it } from 'vitest';
import { createDatabase, type DatabaseEngine } from '../src/db/database.js';
import { describeEachEngine } from './helpers/engines.js';
import { as, type SeededOrg, type SignedIn, seedOrg, signIn } from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

/**
 * Another process writing to the same database — the CLI's `sessions end` or `user disable`,
 * a second instance on the same SQLite file — must take effect on this instance's very next
 * request, whatever the per-request check remembers between commits (decision 006).
 */
describeEachEngine('changes committed by this or another process', (engine) => {
  let t: TestApp;
  let other: DatabaseEngine;
  let acme: SeededOrg;
  let user: SignedIn;

  beforeEach(async () => {
    t = await createTestApp(engine);
    const schema = t.database.postgresSchema;
    other = createDatabase(t.config.database, schema ? { postgresSchema: schema } : {});
    acme = await seedOrg(t.app);
    user = await signIn(t.app, acme.user.username);
    // Twice, so the second answer may come from whatever the check remembers.
    for (let i = 0; i < 2; i++) expect((await as(t.app, user).get('/api/me')).statusCode).toBe(200);
  });
  afterEach(async () => {
    await other.close();
    await t.close();
  });

  it('refuses a session another process ended on the next request', async () => {
    await other.db
      .updateTable('sessions')
      .set({ revokedAt: Date.now(), revokedBy: null, revokedReason: 'terminated' })
      .where('id', '=', user.sessionId)
      .execute();
    const next = await as(t.app, user).get('/api/me');
    expect(next.statusCode).toBe(401);
    expect(next.headers['x-session-ended']).toBe('terminated');
  });

  it('refuses a user another process disabled on the next request', async () => {
    await other.db
      .updateTable('users')
      .set({ disabledAt: Date.now() })
      .where('id', '=', acme.user.id)
      .execute();
    const next = await as(t.app, user).get('/api/me');
    expect(next.statusCode).toBe(401);
    expect(next.headers['x-session-ended']).toBe('user_disabled');
  });

  it("refuses a session this instance's admin ended, on the next request", async () => {
    const admin = await signIn(t.app, acme.admin.username);
    expect((await as(t.app, admin).delete(`/api/sessions/${user.sessionId}`)).statusCode).toBe(204);
    expect((await as(t.app, user).get('/api/me')).statusCode).toBe(401);
  });

  it('keeps accepting the session while another process commits unrelated changes', async () => {
    await other.db.updateTable('orgs').set({ name: 'Renamed' }).where('id', '=', acme.orgId).execute();
    expect((await as(t.app, user).get('/api/me')).statusCode).toBe(200);
  });

  it('does not accept a session that another process revoked inside a transaction, once it commits', async () => {
    await other.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('sessions')
        .set({ revokedAt: Date.now(), revokedBy: null, revokedReason: 'terminated' })
        .where('id', '=', user.sessionId)
        .execute();
      await trx.updateTable('orgs').set({ name: 'Renamed' }).where('id', '=', acme.orgId).execute();
    });
    expect((await as(t.app, user).get('/api/me')).statusCode).toBe(401);
  });
});
