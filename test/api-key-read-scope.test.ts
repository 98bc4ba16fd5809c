import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeEachEngine } from './helpers/engines.js';
import { as, type SeededOrg, type SignedIn, seedOrg, signIn } from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

/** Every route a SIEM pulls the log from, as `activities:read` grants it. */
const READ_ROUTES = [
  '/api/activities?period=1d',
  '/api/activities/histogram?period=1d',
  '/api/activities/export?format=jsonl',
  '/api/activity-types',
  '/api/activities/checkpoints',
  '/api/activities/signing-key',
];

describeEachEngine('API keys that read the activity log (activities:read)', (engine) => {
  let t: TestApp;
  let acme: SeededOrg;
  let admin: SignedIn;

  beforeEach(async () => {
    t = await createTestApp(engine);
    acme = await seedOrg(t.app);
    admin = await signIn(t.app, acme.admin.username);
  });
  afterEach(() => t.close());

  const keyWith = async (who: SignedIn, scopes: string[]) => {
    const response = await as(t.app, who).post('/api/api-keys', { name: scopes.join('+'), scopes });
    expect(response.statusCode, response.body).toBe(201);
    return response.json() as { id: string; key: string };
  };
  const getWith = (key: string, url: string) =>
    t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${key}` } });
  const ingestWith = (key: string, events: Array<Record<string, unknown>>) =>
    t.app.inject({
      method: 'POST',
      url: '/api/activities',
      headers: { authorization: `Bearer ${key}` },
      payload: { events: events.map((e) => ({ activity: 'backup', username: acme.user.username, ...e })) },
    });

  it('reads its org’s whole log as an admin does: search, histogram, export, activity types, checkpoints', async () => {
    const writer = await keyWith(admin, ['activities:write']);
    expect((await ingestWith(writer.key, [{ target: 'from the job' }])).statusCode).toBe(201);
    const reader = await keyWith(admin, ['activities:read']);
    for (const url of READ_ROUTES) expect((await getWith(reader.key, url)).statusCode, url).toBe(200);
    const page = (await getWith(reader.key, '/api/activities?period=1d&activity=backup')).json();
    expect(page.items.map((i: { target: string }) => i.target)).toEqual(['from the job']);
    // The same rows the org's admin sees: the user's row too, not only the key's own.
    const adminPage = (await as(t.app, admin).get('/api/activities?period=1d')).json();
    const keyPage = (await getWith(reader.key, '/api/activities?period=1d')).json();
    expect(keyPage.total).toBe(adminPage.total);
    const types = (await getWith(reader.key, '/api/activity-types')).json().activityTypes;
    expect(types).toContain('backup');
  });

  it('records an export by a key as the key, like any export', async () => {
    const reader = await keyWith(admin, ['activities:read']);
    const exported = await getWith(reader.key, '/api/activities/export?format=jsonl');
    expect(exported.statusCode).toBe(200);
    const listed = (await as(t.app, admin).get('/api/api-keys')).json().apiKeys;
    const prefix = listed.find((k: { id: string }) => k.id === reader.id).prefix;
    // The export is recorded when its stream ends; the admin then sees who exported.
    await expect
      .poll(async () => {
        const rows = (
          await as(t.app, admin).get('/api/activities?period=1d&activity=activity.exported')
        ).json();
        return rows.items.map((i: { username: string }) => i.username);
      })
      .toEqual([`api_key ${prefix}`]);
  });

  it('refuses every read to a key without the scope (403 INSUFFICIENT_SCOPE), and ingest to a read-only key', async () => {
    const writer = await keyWith(admin, ['activities:write', 'sessions:introspect']);
    for (const url of READ_ROUTES) {
      const response = await getWith(writer.key, url);
      expect(response.statusCode, url).toBe(403);
      expect(response.json().error.code).toBe('INSUFFICIENT_SCOPE');
      expect(response.json().error.message).toContain('activities:read');
    }
    const reader = await keyWith(admin, ['activities:read']);
    const refused = await ingestWith(reader.key, [{ target: 'not allowed' }]);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('INSUFFICIENT_SCOPE');
  });

  it('holds several scopes on one key, and a revoked key reads nothing (401)', async () => {
    const both = await keyWith(admin, ['activities:write', 'activities:read']);
    expect((await ingestWith(both.key, [{ target: 'both' }])).statusCode).toBe(201);
    expect((await getWith(both.key, '/api/activities?period=1d&q=both')).json().total).toBe(1);
    expect((await as(t.app, admin).delete(`/api/api-keys/${both.id}`)).statusCode).toBe(204);
    for (const url of READ_ROUTES) {
      const response = await getWith(both.key, url);
      expect(response.statusCode, url).toBe(401);
    }
  });

  it('never reads another org: its key sees only its own org’s rows', async () => {
    const writer = await keyWith(admin, ['activities:write']);
    expect((await ingestWith(writer.key, [{ target: 'acme secret' }])).statusCode).toBe(201);
    const globex = await seedOrg(t.app);
    const globexAdmin = await signIn(t.app, globex.admin.username);
    const theirs = await keyWith(globexAdmin, ['activities:read']);
    const found = (await getWith(theirs.key, '/api/activities?period=1d&q=acme%20secret')).json();
    expect(found.items).toEqual([]);
    const histogram = (
      await getWith(theirs.key, '/api/activities/histogram?period=1d&q=acme%20secret')
    ).json();
    expect(histogram.buckets.every((b: { total: number }) => b.total === 0)).toBe(true);
    const exported = await getWith(theirs.key, '/api/activities/export?format=jsonl&q=acme%20secret');
    expect(exported.body.trim()).toBe('');
    expect((await getWith(theirs.key, '/api/activity-types')).json().activityTypes).not.toContain('backup');
  });

  it('refuses an unknown scope with a 400 naming it', async () => {
    const response = await as(t.app, admin).post('/api/api-keys', {
      name: 'x',
      scopes: ['activities:delete'],
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toMatch(/scopes/);
  });
});
