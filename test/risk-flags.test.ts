import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import type { User } from '../src/contracts/accounts.js';
import type { Session, SessionPage } from '../src/contracts/sessions.js';
import { operatorActor } from '../src/kernel/actor.js';
import { HOUR_MS, MINUTE_MS } from '../src/kernel/time.js';
import { TestClock } from './helpers/clock.js';
import { describeEachEngine } from './helpers/engines.js';
import { as, CHROME_WINDOWS, PASSWORD, type SeededOrg, seedOrg, signIn } from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const FIREFOX_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';
/** Addresses the bundled DB-IP database places in these cities (src/sessions/geo.test.ts). */
const PARIS = '80.67.169.12';
const LONDON = '81.2.69.142';
const NEWARK = '13.107.42.14';
const PRIVATE = '10.1.2.3';

describeEachEngine('risk flags at login', (engine) => {
  let t: TestApp;
  let org: SeededOrg;
  let user: User;
  const clock = new TestClock();

  beforeAll(async () => {
    t = await createTestApp(engine, { clock });
    org = await seedOrg(t.app);
  });
  afterAll(() => t.close());

  let n = 0;
  beforeEach(async () => {
    clock.advance(24 * HOUR_MS);
    user = await t.app.services.accounts.createUser(operatorActor(org.orgId), {
      username: `traveller-${engine}-${++n}`,
      password: PASSWORD,
      role: 'user',
    });
  });

  const logIn = async (ip: string, userAgent = CHROME_WINDOWS): Promise<Session> =>
    (await signIn(t.app, user.username, { ip, userAgent })).response.json().session;

  /** The admin, logged in now (the test's clock moves past any idle timeout). */
  const asAdmin = async () => as(t.app, await signIn(t.app, org.admin.username));

  const flaggedActivities = () =>
    t.database.db
      .selectFrom('activities')
      .selectAll()
      .where('orgId', '=', org.orgId)
      .where('userId', '=', user.id)
      .where('activity', '=', 'session.flagged')
      .orderBy('occurredAt')
      .execute();

  it("a user's first login raises no flag, nor does the same device from the same country again", async () => {
    expect((await logIn(PARIS)).flags).toEqual([]);
    clock.advance(HOUR_MS);
    expect((await logIn(PARIS)).flags).toEqual([]);
    expect(await flaggedActivities()).toEqual([]);
  });

  it('a browser never seen for the user is a new device', async () => {
    await logIn(PARIS);
    clock.advance(HOUR_MS);
    const session = await logIn(PARIS, FIREFOX_WINDOWS);
    expect(session.flags).toEqual(['new_device']);
    // Another version of a browser seen before is no new device.
    clock.advance(HOUR_MS);
    const newer = FIREFOX_WINDOWS.replaceAll('133.0', '134.0');
    expect((await logIn(PARIS, newer)).flags).toEqual([]);
  });

  it('a country never seen for the user is a new country; an address with no known country raises nothing', async () => {
    await logIn(PARIS);
    clock.advance(10 * HOUR_MS);
    expect((await logIn(LONDON)).flags).toEqual(['new_country']);
    clock.advance(HOUR_MS);
    expect((await logIn(PRIVATE)).flags).toEqual([]);
  });

  it('ended sessions are history too: the country of a session logged out of is not new', async () => {
    const first = await signIn(t.app, user.username, { ip: PARIS });
    expect((await as(t.app, first).post('/api/auth/logout')).statusCode).toBeLessThan(300);
    clock.advance(HOUR_MS);
    expect((await logIn(PARIS)).flags).toEqual([]);
  });

  it('Paris, then Newark an hour later, is impossible travel with its figures, recorded as session.flagged', async () => {
    const paris = await logIn(PARIS);
    clock.advance(HOUR_MS);
    const newark = await logIn(NEWARK);
    expect(newark.flags).toEqual(['new_country', 'impossible_travel']);
    const travel = {
      distanceKm: expect.any(Number),
      hours: 1,
      speedKmh: expect.any(Number),
      fromLocation: 'Paris, France',
      fromSessionId: paris.id,
    };
    expect(newark.travel).toEqual(travel);
    expect(newark.travel?.distanceKm).toBeGreaterThan(5_700);
    expect(newark.travel?.distanceKm).toBeLessThan(6_000);
    expect(newark.travel?.speedKmh).toBe(newark.travel?.distanceKm);

    const [activity, ...more] = await flaggedActivities();
    expect(more).toEqual([]);
    expect(activity).toMatchObject({ sessionId: newark.id, username: user.username, publicIp: NEWARK });
    expect(JSON.parse(activity?.details ?? '')).toEqual({ flags: newark.flags, travel: newark.travel });

    // The session's own page tells the same.
    const detail = (await (await asAdmin()).get(`/api/sessions/${newark.id}`)).json();
    expect(detail.session).toMatchObject({ flags: newark.flags, travel: newark.travel });
    expect(detail.activities.map((a: { activity: string }) => a.activity)).toContain('session.flagged');
  });

  it('the same two places ten hours apart are a plausible journey: a new country, no impossible travel', async () => {
    await logIn(PARIS);
    clock.advance(10 * HOUR_MS);
    const newark = await logIn(NEWARK);
    expect(newark.flags).toEqual(['new_country']);
    expect(newark.travel).toBeNull();
    const [activity] = await flaggedActivities();
    expect(JSON.parse(activity?.details ?? '')).toEqual({ flags: ['new_country'] });
  });

  it('travel is measured from the most recent earlier session that has coordinates', async () => {
    await logIn(NEWARK);
    clock.advance(10 * HOUR_MS);
    const paris = await logIn(PARIS);
    clock.advance(HOUR_MS / 2);
    await logIn(PRIVATE);
    clock.advance(HOUR_MS / 2);
    const london = await logIn(LONDON);
    // From Paris an hour before (344 km), not from Newark: a plausible journey.
    expect(london.flags).toEqual(['new_country']);
    clock.advance(HOUR_MS);
    const back = await logIn(NEWARK);
    expect(back.flags).toEqual(['impossible_travel']);
    expect(back.travel).toMatchObject({ fromLocation: 'London, United Kingdom', hours: 1 });
    expect(back.travel?.fromSessionId).not.toBe(paris.id);
  });

  it('the flag filter of the list returns exactly the flagged sessions', async () => {
    // Minutes apart, so all of them are still live and listed.
    await logIn(PARIS);
    clock.advance(5 * MINUTE_MS);
    const device = await logIn(PARIS, FIREFOX_WINDOWS);
    clock.advance(5 * MINUTE_MS);
    const travel = await logIn(NEWARK);
    clock.advance(5 * MINUTE_MS);
    await logIn(NEWARK);
    const admin = await asAdmin();
    const ids = async (flag: string) => {
      const response = await admin.get(`/api/sessions?userId=${user.id}&flag=${flag}`);
      expect(response.statusCode).toBe(200);
      return (response.json() as SessionPage).sessions.map((s) => s.id).sort();
    };
    expect(await ids('new_device')).toEqual([device.id]);
    expect(await ids('new_country')).toEqual([travel.id]);
    expect(await ids('impossible_travel')).toEqual([travel.id]);
  });

  it('50 parallel logins from a new country: all succeed, and exactly one is the new country, as in a row', async () => {
    await logIn(PARIS);
    clock.advance(10 * HOUR_MS);
    const responses = await Promise.all(
      Array.from({ length: 50 }, () =>
        t.app.inject({
          method: 'POST',
          url: '/api/auth/login',
          remoteAddress: LONDON,
          headers: { 'user-agent': CHROME_WINDOWS },
          payload: { username: user.username, password: PASSWORD },
        }),
      ),
    );
    expect(responses.map((r) => r.statusCode)).toEqual(responses.map(() => 200));
    const flags = responses.map((r) => (r.json().session as Session).flags);
    expect(flags.filter((f) => f.length > 0)).toEqual([['new_country']]);
    expect(await flaggedActivities()).toHaveLength(1);
  });
});
