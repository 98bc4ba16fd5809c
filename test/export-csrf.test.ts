import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from './helpers/engines.js';
import { type SeededOrg, type SignedIn, seedOrg, signIn } from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

/** app.inject's default Host (`localhost:80`) makes this the app's own origin. */
const OWN = 'http://localhost:80';
const EVIL = 'https://evil.example';
const SIBLING = 'http://evil.localhost:80';
const EXPORT = '/api/activities/export?period=1d';

/** The request headers a browser sends in each situation (fetch metadata as Chromium sends it). */
const REFUSED: Array<[string, Record<string, string>]> = [
  [
    'a link clicked on another site',
    {
      'sec-fetch-site': 'cross-site',
      'sec-fetch-mode': 'navigate',
      'sec-fetch-dest': 'document',
      referer: `${EVIL}/`,
    },
  ],
  [
    'an <img src> on another site',
    {
      'sec-fetch-site': 'cross-site',
      'sec-fetch-mode': 'no-cors',
      'sec-fetch-dest': 'image',
      referer: `${EVIL}/`,
    },
  ],
  [
    'a link on a sibling subdomain (same-site: a SameSite=Lax cookie rides along even on an <img>)',
    {
      'sec-fetch-site': 'same-site',
      'sec-fetch-mode': 'no-cors',
      'sec-fetch-dest': 'image',
      referer: `${SIBLING}/`,
    },
  ],
  [
    'a link on another site, with a Referer-hiding policy',
    { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' },
  ],
  ['a link on another site, in a browser without fetch metadata', { referer: `${EVIL}/page` }],
  ['a cross-origin fetch() without fetch metadata', { origin: EVIL }],
  ['an unreadable Referer without fetch metadata', { referer: 'not a url' }],
];

const ACCEPTED: Array<[string, Record<string, string>]> = [
  [
    "the app's own Download button",
    {
      'sec-fetch-site': 'same-origin',
      'sec-fetch-mode': 'navigate',
      'sec-fetch-dest': 'empty',
      referer: `${OWN}/activity`,
    },
  ],
  [
    'a typed or bookmarked URL',
    { 'sec-fetch-site': 'none', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' },
  ],
  ['a script (curl, a SIEM job) with the cookie and no browser headers', {}],
  ['an old browser from our own page', { referer: `${OWN}/activity?period=1d` }],
];

describeEachEngine('the export (a GET that records an activity) refuses cross-site requests', (engine) => {
  let t: TestApp;
  let org: SeededOrg;
  let admin: SignedIn;
  beforeAll(async () => {
    t = await createTestApp(engine);
    org = await seedOrg(t.app);
    admin = await signIn(t.app, org.admin.username);
  });
  afterAll(() => t.close());

  const exportsRecorded = async () =>
    (
      await t.database.db
        .selectFrom('activities')
        .select('id')
        .where('orgId', '=', org.orgId)
        .where('activity', '=', 'activity.exported')
        .execute()
    ).length;
  const exportWith = (headers: Record<string, string>, method: InjectOptions['method'] = 'GET') =>
    t.app.inject({ method, url: EXPORT, headers: { cookie: admin.cookie, ...headers } });

  it.each(REFUSED)('refuses %s with 403 CSRF_FAILED and records nothing', async (_name, headers) => {
    const before = await exportsRecorded();
    for (const method of ['GET', 'HEAD'] as const) {
      const response = await exportWith(headers, method);
      expect(response.statusCode).toBe(403);
      expect(response.headers['content-disposition']).toBeUndefined();
      if (method === 'GET') expect(response.json().error.code).toBe('CSRF_FAILED');
    }
    // An accepted export afterwards is the only one recorded: the refused ones never started.
    expect((await exportWith({ 'sec-fetch-site': 'same-origin' })).statusCode).toBe(200);
    expect(await exportsRecorded()).toBe(before + 1);
  });

  it.each(ACCEPTED)('accepts %s, and records the export', async (_name, headers) => {
    const before = await exportsRecorded();
    const response = await exportWith(headers);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/csv/);
    expect(response.headers['content-disposition']).toMatch(/^attachment; filename="activity-log-/);
    expect(await exportsRecorded()).toBe(before + 1);
  });

  it('refuses a state-changing POST whose only clue is a foreign Referer', async () => {
    const other = await signIn(t.app, org.user.username);
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      headers: { cookie: other.cookie, referer: `${EVIL}/` },
    });
    expect(response.statusCode).toBe(403);
    expect(response.json().error.code).toBe('CSRF_FAILED');
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: other.cookie } })).statusCode,
    ).toBe(200);
  });
});
