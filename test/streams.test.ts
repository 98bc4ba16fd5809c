import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createStreamService } from '../src/activity/streams/streams.service.js';
import { openSecretBox, secretsKeyPath } from '../src/kernel/secret-box.js';
import { TestClock } from './helpers/clock.js';
import { describeEachEngine } from './helpers/engines.js';
import { as, type SeededOrg, type SignedIn, seedOrg, signIn, withKey } from './helpers/factories.js';
import { type Received, StreamReceiver, signatureIsValid } from './helpers/stream-receiver.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

const SECRET = 'a-stream-secret-of-32-characters';
// Small batches: every test crosses several, and each full one is read ahead of its send.
const FAST = { pollMs: 20, firstBackoffMs: 20, maxBackoffMs: 100, batchSize: 7 };

interface StreamView {
  id: string;
  state: string;
  deliveredSeq: number;
  lag: number;
  lastError: string | null;
  lastSuccessAt: string | null;
}

describeEachEngine('activity streams', (engine) => {
  let t: TestApp;
  let clock: TestClock;
  let acme: SeededOrg;
  let admin: SignedIn;
  let receiver: StreamReceiver;
  let key: string;

  beforeAll(async () => {
    clock = new TestClock();
    t = await createTestApp(engine, { clock });
    acme = await seedOrg(t.app);
    admin = await signIn(t.app, acme.admin.username);
    key = (await as(t.app, admin).post('/api/api-keys', { name: 'jobs' })).json().key;
    t.app.services.streams.startDelivery(FAST);
  });
  afterAll(() => t.close());
  /** Another instance's secret box: the same key file, as instances of one deployment share it. */
  const sameKey = () => openSecretBox(secretsKeyPath(t.config), { create: false });
  afterEach(async () => {
    for (const stream of (await as(t.app, admin).get('/api/streams')).json().streams as StreamView[]) {
      await as(t.app, admin).delete(`/api/streams/${stream.id}`);
    }
    await receiver?.stop();
  });

  const ingest = async (count: number, label: string) => {
    const events = Array.from({ length: count }, (_, i) => ({
      activity: 'backup',
      status: 'success',
      username: acme.admin.username,
      target: `${label} ${i}`,
      details: { job: label, n: i },
    }));
    const response = await withKey(t.app, key).post('/api/activities', { events });
    expect(response.statusCode, response.body).toBe(201);
  };
  const create = async (body: Record<string, unknown>) => {
    const response = await as(t.app, admin).post('/api/streams', { name: 'siem', secret: SECRET, ...body });
    expect(response.statusCode, response.body).toBe(201);
    return response.json() as StreamView;
  };
  const view = async (id: string) =>
    ((await as(t.app, admin).get('/api/streams')).json().streams as StreamView[]).find((s) => s.id === id);
  const seqs = (events: Array<{ seq: number }>) => events.map((e) => e.seq);
  const gapFree = (numbers: number[]) =>
    numbers.every((n, i) => i === 0 || n === (numbers[i - 1] as number) + 1);

  it('pushes every activity from its own creation on, in chain order, signed, with seq, orgId and hash', async () => {
    receiver = await new StreamReceiver().listen();
    const stream = await create({ url: receiver.url, format: 'json' });
    expect(JSON.stringify(stream)).not.toContain(SECRET);
    await ingest(30, 'nightly');
    await signIn(t.app, acme.user.username); // the product's own activities go too
    await receiver.until(() => receiver.acceptedEvents().some((e) => e.activity === 'user.login'));
    const events = receiver.acceptedEvents();
    expect(events[0]).toMatchObject({ activity: 'stream.created', target: 'siem', orgId: acme.orgId });
    expect(gapFree(seqs(events))).toBe(true);
    expect(events.filter((e) => e.activity === 'backup')).toHaveLength(30);
    expect(events.find((e) => e.target === 'nightly 7')).toMatchObject({ details: { job: 'nightly', n: 7 } });
    for (const event of events) expect(event.hash).toMatch(/^[0-9a-f]{64}$/);
    for (const request of receiver.received) {
      expect(signatureIsValid(SECRET, request)).toBe(true);
      expect(signatureIsValid('another secret of the same size', request)).toBe(false);
      const body = JSON.parse(request.body);
      expect(request.headers['x-vault-delivery']).toBe(`${body.first}-${body.last}`);
      expect(body).toMatchObject({
        stream: stream.id,
        first: body.events[0].seq,
        last: body.events.at(-1).seq,
      });
    }
    // The hashes are the chain's: what the SIEM holds is the copy a signed checkpoint vouches for.
    await t.app.services.checkpoints.signHeads(acme.orgId);
    const [checkpoint] = (await as(t.app, admin).get('/api/activities/checkpoints')).json().checkpoints;
    await receiver.until(() => receiver.acceptedEvents().some((e) => e.seq === checkpoint.seq));
    expect(receiver.acceptedEvents().find((e) => e.seq === checkpoint.seq)?.hash).toBe(checkpoint.headHash);
    await expect.poll(async () => (await view(stream.id))?.lag).toBe(0);
  });

  it('sends Splunk HEC events with the token, one event object per activity', async () => {
    receiver = await new StreamReceiver().listen();
    await create({ url: receiver.url, format: 'splunk_hec', token: 'hec-token-1' });
    await ingest(5, 'hec');
    await receiver.until(() => receiver.received.some((r) => r.body.includes('hec 4')));
    const request = receiver.received.find((r) => r.body.includes('hec 4')) as Received;
    expect(request.headers.authorization).toBe('Splunk hec-token-1');
    expect(signatureIsValid(SECRET, request)).toBe(true);
    const lines = request.body.split('\n').map((line) => JSON.parse(line));
    const last = lines.at(-1);
    expect(last).toMatchObject({
      host: 'vault-sessions',
      source: 'vault-sessions',
      sourcetype: 'vault:activity',
    });
    expect(last.time).toBe(Date.parse(last.event.occurredAt) / 1000);
    expect(last.event).toMatchObject({ target: 'hec 4', orgId: acme.orgId });
  });

  it('loses nothing when the receiver fails, refuses connections and comes back, and keeps the last error', async () => {
    receiver = await new StreamReceiver().listen();
    const stream = await create({ url: receiver.url, format: 'json' });
    await receiver.until(() => receiver.acceptedEvents().length > 0);
    receiver.mode = { status: 503 };
    await ingest(10, 'during 503');
    await receiver.until(() => receiver.received.filter((r) => r.status === 503).length >= 2);
    await receiver.stop();
    await ingest(10, 'while down');
    await expect
      .poll(async () => (await view(stream.id))?.lastError, { timeout: 10_000 })
      .toMatch(/could not connect/);
    expect((await view(stream.id))?.lag).toBeGreaterThanOrEqual(20);
    receiver.mode = { status: 200 };
    await receiver.listen();
    await receiver.until(() => receiver.acceptedEvents().some((e) => e.target === 'while down 9'));
    const delivered = [...new Set(seqs(receiver.acceptedEvents()))];
    expect(gapFree(delivered)).toBe(true);
    expect(receiver.acceptedEvents().filter((e) => String(e.target).startsWith('during 503'))).toHaveLength(
      10,
    );
    const after = await view(stream.id);
    expect(after?.lastError).toMatch(/could not connect/);
    expect(after?.lastSuccessAt).not.toBeNull();
    expect(after?.state).toBe('active');
  });

  it('writes its cursor once it catches up or once a while, not once a batch, and resends nothing after a stop', async () => {
    receiver = await new StreamReceiver().listen();
    // Every write of a cursor, counted where the queries go out.
    let cursorWrites = 0;
    const counted = t.database.db.withPlugin({
      transformQuery({ node }) {
        if (node.kind === 'UpdateQueryNode' && JSON.stringify(node).includes('"delivered_seq"'))
          cursorWrites++;
        return node;
      },
      transformResult: async ({ result }) => result,
    });
    const busy = createStreamService({ db: counted, clock, secretBox: sameKey(), onDeliveryError: () => {} });
    await t.app.services.streams.stopDelivery();
    busy.startDelivery({ ...FAST, storeEveryMs: 60_000 });
    try {
      const stream = await create({ url: receiver.url, format: 'json' });
      await expect.poll(async () => (await view(stream.id))?.lag).toBe(0);
      const before = cursorWrites;
      await ingest(70, 'busy'); // ten batches of 7, one after another
      await receiver.until(() => receiver.acceptedEvents().some((e) => e.target === 'busy 69'));
      // Caught up, the loop writes the cursor before it waits: the lag says so.
      await expect.poll(async () => (await view(stream.id))?.lag).toBe(0);
      expect(cursorWrites - before).toBeLessThanOrEqual(3);
      await busy.stopDelivery();
      t.app.services.streams.startDelivery(FAST);
      await ingest(5, 'after the stop');
      await receiver.until(() => receiver.acceptedEvents().some((e) => e.target === 'after the stop 4'));
      const sent = seqs(receiver.acceptedEvents());
      expect(new Set(sent).size).toBe(sent.length);
      expect(gapFree(sent)).toBe(true);
    } finally {
      await busy.stopDelivery();
      t.app.services.streams.startDelivery(FAST);
    }
  });

  it('is delivered by exactly one of two instances on one database, and by the other once the first stops', async () => {
    receiver = await new StreamReceiver().listen();
    const other = createStreamService({
      db: t.database.db,
      clock,
      secretBox: sameKey(),
      onDeliveryError: () => {},
    });
    other.startDelivery(FAST);
    try {
      const stream = await create({ url: receiver.url, format: 'json' });
      await ingest(20, 'two instances');
      await receiver.until(() => receiver.acceptedEvents().some((e) => e.target === 'two instances 19'));
      const here = [t.app.services.streams.deliveringHere(), other.deliveringHere()];
      expect(here.flat().filter((id) => id === stream.id)).toHaveLength(1);
      // One loop: no activity was sent twice.
      const sent = seqs(receiver.acceptedEvents());
      expect(new Set(sent).size).toBe(sent.length);
      const running = here[0]?.includes(stream.id) ? t.app.services.streams : other;
      const standby = running === other ? t.app.services.streams : other;
      await running.stopDelivery();
      await ingest(5, 'after failover');
      await receiver.until(() => receiver.acceptedEvents().some((e) => e.target === 'after failover 4'));
      expect(standby.deliveringHere()).toContain(stream.id);
      if (running !== other) running.startDelivery(FAST);
    } finally {
      await other.stopDelivery();
    }
  });

  it('runs each stream in one loop only, however often the instance looks for streams', async () => {
    receiver = await new StreamReceiver().listen();
    // Looking every millisecond: passes overlap, and each must not lease what another just did.
    const eager = createStreamService({
      db: t.database.db,
      clock,
      secretBox: sameKey(),
      onDeliveryError: () => {},
    });
    await t.app.services.streams.stopDelivery();
    eager.startDelivery({ ...FAST, pollMs: 1 });
    try {
      const streams = await Promise.all(
        Array.from({ length: 5 }, (_, i) => create({ url: `${receiver.url}?n=${i}`, format: 'json' })),
      );
      await ingest(40, 'one loop');
      await receiver.until(() =>
        streams.every((s) => receiver.acceptedEvents(s.id).some((e) => e.target === 'one loop 39')),
      );
      for (const stream of streams) {
        const sent = seqs(receiver.acceptedEvents(stream.id));
        expect(new Set(sent).size, stream.id).toBe(sent.length);
      }
    } finally {
      await eager.stopDelivery();
      t.app.services.streams.startDelivery(FAST);
    }
  });

  it('stops at once, not waiting for a receiver that never answers, and blames it for nothing', async () => {
    receiver = await new StreamReceiver().listen();
    receiver.mode = 'hang';
    const patient = createStreamService({
      db: t.database.db,
      clock,
      secretBox: sameKey(),
      onDeliveryError: () => {},
    });
    await t.app.services.streams.stopDelivery();
    patient.startDelivery({ ...FAST, timeoutMs: 600_000 });
    try {
      const stream = await create({ url: receiver.url, format: 'json' });
      await receiver.until(() => receiver.received.length > 0);
      // Without the stop cutting the request short, this waits out the ten minutes (and the test).
      await patient.stopDelivery();
      expect((await view(stream.id))?.lastError).toBeNull();
      // Its lease is free: the other instance takes the stream and sends the batch again.
      receiver.mode = { status: 200 };
      t.app.services.streams.startDelivery(FAST);
      await receiver.until(() => receiver.acceptedEvents(stream.id).length > 0);
      expect(receiver.acceptedEvents(stream.id)[0]).toMatchObject({ activity: 'stream.created' });
    } finally {
      await patient.stopDelivery();
      t.app.services.streams.startDelivery(FAST);
    }
  });

  it('answers the test button with what the receiver said, and stops at once when deleted', async () => {
    receiver = await new StreamReceiver().listen();
    const stream = await create({ url: receiver.url, format: 'json' });
    const test = (await as(t.app, admin).post(`/api/streams/${stream.id}/test`, {})).json();
    expect(test).toEqual({ delivered: true, status: 200 });
    const sent = receiver.received.find((r) => r.headers['x-vault-delivery'] === 'test') as Received;
    expect(JSON.parse(sent.body)).toEqual({ stream: stream.id, test: true, events: [] });
    expect(signatureIsValid(SECRET, sent)).toBe(true);
    receiver.mode = { status: 401 };
    expect((await as(t.app, admin).post(`/api/streams/${stream.id}/test`, {})).json()).toMatchObject({
      delivered: false,
      status: 401,
      error: expect.stringContaining('401'),
    });
    receiver.mode = { status: 200 };
    await receiver.until(() => receiver.acceptedEvents().length > 0);
    expect((await as(t.app, admin).delete(`/api/streams/${stream.id}`)).statusCode).toBe(204);
    await ingest(5, 'after delete');
    // A stream created now from the same seq gets them; by then the deleted one has looked many times.
    const { deliveredSeq } = await create({ url: receiver.url, format: 'json', fromSeq: 1 });
    expect(deliveredSeq).toBe(0);
    await receiver.until(() => receiver.acceptedEvents().some((e) => e.target === 'after delete 4'));
    expect(receiver.acceptedEvents(stream.id).some((e) => String(e.target).startsWith('after delete'))).toBe(
      false,
    );
    await receiver.stop();
    const dead = await create({ url: receiver.url, format: 'json' });
    expect((await as(t.app, admin).post(`/api/streams/${dead.id}/test`, {})).json()).toMatchObject({
      delivered: false,
      error: expect.stringMatching(/^could not connect: ECONNREFUSED 127\.0\.0\.1:\d+$/),
    });
  });
  // Last: the day it moves the clock by ends every session before it.
  it('turns failed after 24 hours of failures, records it, and delivers again when resumed', async () => {
    receiver = await new StreamReceiver().listen();
    receiver.mode = { status: 500 };
    const stream = await create({ url: receiver.url, format: 'json' });
    // Failing since now: once the first failure is written, not only sent.
    await expect.poll(async () => (await view(stream.id))?.lastError).toBe('the receiver answered HTTP 500');
    clock.advance(24 * 3_600_000 + 1);
    admin = await signIn(t.app, acme.admin.username); // the day also ended the admin's session
    await expect.poll(async () => (await view(stream.id))?.state, { timeout: 10_000 }).toBe('failed');
    const failedRow = (await as(t.app, admin).get('/api/activities?activity=stream.failed')).json().items[0];
    expect(failedRow).toMatchObject({ status: 'failure', username: 'system', target: 'stream siem' });
    expect(failedRow.details).toContain('HTTP 500');
    const attempts = receiver.received.length;
    await ingest(1, 'after giving up');
    receiver.mode = { status: 200 };
    expect((await as(t.app, admin).post(`/api/streams/${stream.id}/resume`, {})).json().state).toBe('active');
    await receiver.until(() => receiver.acceptedEvents().some((e) => e.target === 'after giving up 0'));
    expect(receiver.received.length).toBeGreaterThan(attempts);
    expect(receiver.acceptedEvents()[0]).toMatchObject({ activity: 'stream.created' });
    const again = await as(t.app, admin).post(`/api/streams/${stream.id}/resume`, {});
    expect(again.statusCode).toBe(409);
  });

  it('keeps its secret and HEC token sealed in the database, and seals those of a stream stored before', async () => {
    receiver = await new StreamReceiver().listen();
    const sealed = await create({ url: receiver.url, format: 'splunk_hec', token: 'hec-token-2' });
    const row = await t.database.db
      .selectFrom('activityStreams')
      .selectAll()
      .where('id', '=', sealed.id)
      .executeTakeFirstOrThrow();
    expect(`${row.secret} ${row.token}`).not.toMatch(/a-stream-secret|hec-token-2/);
    expect(row.sealed).toBe(1);

    // A row of before migration 026: in the clear. It still delivers, and a start seals it.
    const old = await create({ url: receiver.url, format: 'json' });
    await t.database.db
      .updateTable('activityStreams')
      .set({ secret: 'old-plaintext-secret-0123456789ab', sealed: 0 })
      .where('id', '=', old.id)
      .execute();
    await ingest(1, 'for the old one');
    await receiver.until(() =>
      receiver.received.some(
        (r) => r.body.includes('for the old one') && signatureIsValid('old-plaintext-secret-0123456789ab', r),
      ),
    );
    expect(await t.app.services.streams.sealStoredSecrets()).toBe(1);
    expect(await t.app.services.streams.sealStoredSecrets()).toBe(0);
    const resealed = await t.database.db
      .selectFrom('activityStreams')
      .select(['secret', 'sealed'])
      .where('id', '=', old.id)
      .executeTakeFirstOrThrow();
    expect(resealed).toMatchObject({ sealed: 1 });
    expect(resealed.secret).not.toContain('old-plaintext');
    const seen = receiver.received.length;
    await ingest(1, 'after sealing');
    await receiver.until(() =>
      receiver.received
        .slice(seen)
        .some((r) => r.body.includes('after sealing 0') && r.body.includes(old.id)),
    );
    const request = receiver.received.slice(seen).find((r) => r.body.includes(old.id)) as Received;
    expect(signatureIsValid('old-plaintext-secret-0123456789ab', request)).toBe(true);
  });
});
