import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { operatorActor } from '../src/kernel/actor.js';
import { appendBackups } from './helpers/activity-rows.js';
import { TestClock } from './helpers/clock.js';
import { describeEachEngine } from './helpers/engines.js';
import { PASSWORD, type SeededOrg, type SignedIn, seedOrg, signIn } from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

/** Enough rows that an unread export stays open: its stream stops after the first batches. */
const ROWS = 5_000;
const AT_ONCE = 50;

describeEachEngine('how many exports and verifications run at once', (engine) => {
  let t: TestApp;
  let clock: TestClock;
  let acme: SeededOrg;
  let admin: SignedIn;
  let user: SignedIn;
  const held: LightMyRequestResponse[] = [];

  beforeEach(async () => {
    clock = new TestClock();
    t = await createTestApp(engine, { clock });
    acme = await seedOrg(t.app);
    admin = await signIn(t.app, acme.admin.username);
    user = await signIn(t.app, acme.user.username);
    await appendBackups(
      t.database,
      { orgId: acme.orgId, userId: acme.user.id, username: acme.user.username },
      ROWS,
      clock.now(),
    );
  });
  afterEach(async () => {
    // Ends the server's side of every export left open, as a client hanging up would.
    for (const response of held.splice(0)) response.raw.res.destroy();
    await t.close();
  });

  /** Starts an export and leaves its body unread, so the export stays open (backpressure). */
  const openExport = async (who: SignedIn) => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/api/activities/export?period=1y',
      headers: { cookie: who.cookie },
      payloadAsStream: true,
    });
    if (response.statusCode === 200) held.push(response);
    return response;
  };
  const readToEnd = async (response: LightMyRequestResponse) => {
    let bytes = 0;
    for await (const chunk of response.stream()) bytes += (chunk as Buffer).length;
    return bytes;
  };
  const statuses = (responses: LightMyRequestResponse[]) => {
    const counts: Record<number, number> = {};
    for (const r of responses) counts[r.statusCode] = (counts[r.statusCode] ?? 0) + 1;
    return counts;
  };
  const refusal = (response: LightMyRequestResponse) => {
    const body: string[] = [];
    response
      .stream()
      .on('data', (chunk: Buffer) => body.push(chunk.toString()))
      .resume();
    return new Promise<{ code: string; message: string }>((resolve) =>
      response.stream().on('end', () => resolve(JSON.parse(body.join('')).error)),
    );
  };
  /** More people of the org, signed in: admins when asked. */
  const signInMore = async (count: number, role: 'admin' | 'user') => {
    const people: SignedIn[] = [];
    for (let i = 0; i < count; i++) {
      const created = await t.app.services.accounts.createUser(operatorActor(acme.orgId), {
        username: `${role}-${i}-${acme.orgId.slice(0, 6)}`,
        password: PASSWORD,
        role,
      });
      people.push(await signIn(t.app, created.username));
    }
    return people;
  };
  const exportsRecorded = async () =>
    (
      await t.database.db
        .selectFrom('activities')
        .select('status')
        .where('orgId', '=', acme.orgId)
        .where('activity', '=', 'activity.exported')
        .execute()
    ).map((r) => r.status);

  it(`of ${AT_ONCE} exports one user asks for at once, 3 run and the rest get 429 RATE_LIMITED naming the limit`, async () => {
    const responses = await Promise.all(Array.from({ length: AT_ONCE }, () => openExport(user)));
    expect(statuses(responses)).toEqual({ 200: 3, 429: AT_ONCE - 3 });
    const refused = responses.find((r) => r.statusCode === 429) as LightMyRequestResponse;
    expect(refused.headers['content-type']).toMatch(/^application\/json/);
    const error = await refusal(refused);
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.message).toContain('At most 3 exports per user');
    // Another user is not held back by this one's limit.
    expect((await openExport(admin)).statusCode).toBe(200);
  });

  it(`of ${AT_ONCE} exports asked for at once by 12 people, 20 run on this instance`, async () => {
    // Admins: each export holds the org's rows, so none ends before the others arrive.
    const people = [user, admin, ...(await signInMore(10, 'admin'))];
    const responses = await Promise.all(
      Array.from({ length: AT_ONCE }, (_, i) => openExport(people[i % people.length] as SignedIn)),
    );
    expect(statuses(responses)).toEqual({ 200: 20, 429: AT_ONCE - 20 });
    const messages = await Promise.all(responses.filter((r) => r.statusCode === 429).map(refusal));
    expect(messages.map((m) => m.message)).toContainEqual(
      expect.stringContaining('At most 20 exports can run at once on this server'),
    );
  });

  it('a finished export gives its slot back', async () => {
    const [first, ...others] = [await openExport(user), await openExport(user), await openExport(user)];
    expect(others.map((r) => r.statusCode)).toEqual([200, 200]);
    expect((await openExport(user)).statusCode).toBe(429);
    expect(await readToEnd(first as LightMyRequestResponse)).toBeGreaterThan(ROWS * 100);
    expect((await openExport(user)).statusCode).toBe(200);
  });

  it('a client that disconnects mid-export gives its slot back', async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as AddressInfo;
    expect((await openExport(user)).statusCode).toBe(200);
    expect((await openExport(user)).statusCode).toBe(200);
    // The third export over a real socket: read its first bytes, then hang up.
    await new Promise<void>((resolve, reject) => {
      const request = httpRequest(
        {
          port,
          host: '127.0.0.1',
          path: '/api/activities/export?period=1y',
          headers: { cookie: user.cookie },
        },
        (response) => {
          expect(response.statusCode).toBe(200);
          response.once('data', () => {
            request.destroy();
            resolve();
          });
        },
      );
      request.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code !== 'ECONNRESET') reject(error);
      });
      request.end();
    });
    // Recorded once the server has noticed the hang-up (the other export is still open).
    while ((await exportsRecorded()).length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await exportsRecorded()).toEqual(['aborted']);
    expect((await openExport(user)).statusCode).toBe(200);
    expect((await openExport(user)).statusCode).toBe(429);
  });

  it(`of ${AT_ONCE} verifications asked for at once, 5 run per admin and at most 8 on this instance`, async () => {
    const soloes = await Promise.all(
      Array.from({ length: AT_ONCE }, () =>
        t.app.inject({ method: 'GET', url: '/api/activities/verify', headers: { cookie: admin.cookie } }),
      ),
    );
    expect(statuses(soloes)).toEqual({ 200: 5, 429: AT_ONCE - 5 });
    expect(soloes.find((r) => r.statusCode === 429)?.json().error).toMatchObject({
      code: 'RATE_LIMITED',
      message: expect.stringContaining('At most 5 verifications of the activity log per user'),
    });
    const admins = [admin, ...(await signInMore(3, 'admin'))];
    const spread = await Promise.all(
      Array.from({ length: AT_ONCE }, (_, i) =>
        t.app.inject({
          method: 'GET',
          url: '/api/activities/verify',
          headers: { cookie: (admins[i % admins.length] as SignedIn).cookie },
        }),
      ),
    );
    expect(statuses(spread)).toEqual({ 200: 8, 429: AT_ONCE - 8 });
    expect(spread.find((r) => r.statusCode === 429)?.json().error.message).toContain(
      'At most 8 verifications of the activity log can run at once on this server',
    );
    // Finished verifications gave their slots back.
    const again = await t.app.inject({
      method: 'GET',
      url: '/api/activities/verify',
      headers: { cookie: admin.cookie },
    });
    expect(again.statusCode).toBe(200);
    // 100 verifications and 3 logins: over half a minute on a loaded 2-core machine.
  }, 120_000);
});
