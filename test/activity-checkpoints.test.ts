import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { CHECKPOINT_EVERY_MS, scheduleCheckpoints } from '../src/activity/checkpoints/checkpoint-schedule.js';
import { checkpointText } from '../src/activity/checkpoints/checkpoint-signature.js';
import { checkManifest } from '../src/activity/export/export-manifest.js';
import { parsePublicKey, verifyText } from '../src/kernel/signing-key.js';
import { disableAppendOnly, rewriteRowAndChain } from './helpers/chain-tamper.js';
import { describeEachEngine } from './helpers/engines.js';
import { as, type SeededOrg, type SignedIn, seedOrg, signIn } from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

interface Report {
  ok: boolean;
  checked: number;
  checkpoints: number;
  firstBroken?: { seq: number | null; problem: string; message: string };
}

describeEachEngine('signed checkpoints of the activity chain', (engine) => {
  let t: TestApp;
  let acme: SeededOrg;
  let admin: SignedIn;
  let key: string;

  beforeEach(async () => {
    t = await createTestApp(engine);
    acme = await seedOrg(t.app);
    admin = await signIn(t.app, acme.admin.username);
    key = (await as(t.app, admin).post('/api/api-keys', { name: 'jobs' })).json().key;
  });
  afterEach(() => t.close());

  const put = async (count: number) => {
    const events = Array.from({ length: count }, (_, i) => ({
      activity: 'backup',
      username: acme.user.username,
      target: `item ${i}`,
    }));
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/activities',
      headers: { authorization: `Bearer ${key}` },
      payload: { events },
    });
    expect(response.statusCode, response.body).toBe(201);
  };
  const verify = async (): Promise<Report> => {
    const response = await as(t.app, admin).get('/api/activities/verify');
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  };
  const head = () =>
    t.database.db
      .selectFrom('activityChainHeads')
      .selectAll()
      .where('orgId', '=', acme.orgId)
      .executeTakeFirstOrThrow();
  const listed = async (who = admin) => (await as(t.app, who).get('/api/activities/checkpoints')).json();

  it('signs the head at an export; the listed checkpoint verifies with the published key', async () => {
    await put(5);
    const before = await head();
    const exported = await as(t.app, admin).get('/api/activities/export?format=jsonl');
    expect(exported.statusCode).toBe(200);
    const { checkpoints, nextBeforeSeq } = await listed();
    expect(nextBeforeSeq).toBeNull();
    expect(checkpoints).toHaveLength(1);
    expect(checkpoints[0]).toMatchObject({ orgId: acme.orgId, seq: before.seq, headHash: before.hash });

    const published = (await as(t.app, admin).get('/api/activities/signing-key')).json();
    expect(published).toMatchObject({ algorithm: 'Ed25519', keyId: checkpoints[0].keyId });
    expect(Buffer.from(published.publicKey, 'base64')).toHaveLength(32);
    const publicKey = parsePublicKey(published.publicKey);
    if (!publicKey) throw new Error('the published key does not parse');
    expect(parsePublicKey(published.publicKeyPem)?.keyId).toBe(publicKey.keyId);
    const { signature, keyId: _keyId, ...fields } = checkpoints[0];
    const signed = { ...fields, signedAt: Date.parse(fields.signedAt) };
    expect(checkpointText(signed)).toBe(JSON.stringify(fields));
    expect(verifyText(publicKey, checkpointText(signed), signature)).toBe(true);
    expect(verifyText(publicKey, checkpointText({ ...signed, seq: signed.seq - 1 }), signature)).toBe(false);
  });

  it('signs a head once: 50 signings at once store one checkpoint, and an unchanged head is skipped', async () => {
    await put(3);
    const signings = Array.from({ length: 50 }, () => t.app.services.checkpoints.signHeads(acme.orgId));
    expect((await Promise.all(signings)).reduce((a, b) => a + b, 0)).toBe(1);
    expect(await t.app.services.checkpoints.signHeads(acme.orgId)).toBe(0);
    expect((await listed()).checkpoints).toHaveLength(1);
    await put(1);
    expect(await t.app.services.checkpoints.signHeads(acme.orgId)).toBe(1);
    expect((await listed()).checkpoints.map((c: { seq: number }) => c.seq)).toEqual([
      (await head()).seq,
      (await head()).seq - 1,
    ]);
  });

  it('signs the moved heads every few minutes in the background, and stops when the app closes', async () => {
    await put(3);
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const hooks: Array<() => Promise<void>> = [];
    const warnings: unknown[] = [];
    const host = {
      log: { debug: () => {}, warn: (detail: unknown) => warnings.push(detail) },
      addHook: (_name: 'onClose', hook: () => Promise<void>) => hooks.push(hook),
    };
    try {
      scheduleCheckpoints(host as unknown as FastifyInstance, t.app.services.checkpoints);
      expect((await listed()).checkpoints).toEqual([]);
      vi.advanceTimersByTime(CHECKPOINT_EVERY_MS);
      await vi.waitFor(async () => expect((await listed()).checkpoints).toHaveLength(1));
      for (const hook of hooks) await hook();
      await put(1);
      vi.advanceTimersByTime(CHECKPOINT_EVERY_MS * 3);
      expect(vi.getTimerCount()).toBe(0);
      expect((await listed()).checkpoints).toHaveLength(1);
      expect(warnings).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('catches a row rewritten with every later hash recomputed, naming the checkpoint; without one it would pass', async () => {
    await put(10);
    const signedSeq = (await head()).seq;
    await t.app.services.checkpoints.signHeads(acme.orgId);
    await put(5);
    const intact = await verify();
    expect(intact).toMatchObject({ ok: true, checkpoints: 1 });

    await rewriteRowAndChain(t, engine, acme.orgId, signedSeq - 3);
    const report = await verify();
    expect(report.ok).toBe(false);
    expect(report.firstBroken).toMatchObject({ seq: signedSeq, problem: 'checkpoint' });
    expect(report.firstBroken?.message).toMatch(new RegExp(`^checkpoint at seq ${signedSeq} \\(signed 20`));
    expect(report.firstBroken?.message).toContain(`rows up to seq ${signedSeq} were rewritten`);

    // The same rewrite without the checkpoint: the chain alone cannot tell.
    await t.database.db.deleteFrom('activityChainCheckpoints').execute();
    expect(await verify()).toEqual({ ok: true, checked: intact.checked, checkpoints: 0 });
  });

  it('catches a checkpoint forged in the database, and one past a chain cut short', async () => {
    await put(4);
    await t.app.services.checkpoints.signHeads(acme.orgId);
    const { seq } = await head();
    await disableAppendOnly(t, engine);
    const checkpoint = t.database.db.updateTable('activityChainCheckpoints').where('orgId', '=', acme.orgId);
    await checkpoint.set({ headHash: 'f'.repeat(64) }).execute();
    expect((await verify()).firstBroken).toMatchObject({ seq, problem: 'checkpoint' });
    expect((await verify()).firstBroken?.message).toContain('is not signed by key');

    await t.database.db.deleteFrom('activityChainCheckpoints').execute();
    await t.app.services.checkpoints.signHeads(acme.orgId);
    // The newest row cut off, its link and the head moved back: a clean chain, one row shorter.
    const last = await t.database.db
      .selectFrom('activityChainLinks')
      .selectAll()
      .where('orgId', '=', acme.orgId)
      .where('seq', '=', seq)
      .executeTakeFirstOrThrow();
    await t.database.db
      .deleteFrom('activityChainLinks')
      .where('orgId', '=', acme.orgId)
      .where('seq', '=', seq)
      .execute();
    await t.database.db.deleteFrom('activities').where('id', '=', last.activityId).execute();
    await t.database.db
      .updateTable('activityChainHeads')
      .set({ seq: seq - 1, hash: last.prevHash })
      .where('orgId', '=', acme.orgId)
      .execute();
    const report = await verify();
    expect(report.firstBroken).toMatchObject({ seq, problem: 'checkpoint' });
    expect(report.firstBroken?.message).toContain(`past the chain's end at seq ${seq - 1}`);
  });

  it('an HTTP export with manifest=1 names its signed manifest, which checks against the bytes downloaded', async () => {
    await put(7);
    const published = parsePublicKey(
      (await as(t.app, admin).get('/api/activities/signing-key')).json().publicKey,
    );
    if (!published) throw new Error('no key');
    const user = await signIn(t.app, acme.user.username);
    const outsider = await signIn(t.app, (await seedOrg(t.app)).admin.username);
    for (const format of ['csv', 'jsonl'] as const) {
      const exported = await as(t.app, admin).get(`/api/activities/export?format=${format}&manifest=1`);
      expect(exported.statusCode).toBe(200);
      const where = String(exported.headers['x-vault-manifest']);
      expect(where).toMatch(/^\/api\/activities\/export-manifests\/[0-9a-f-]{36}$/);
      // Stored once the last byte has left: the response can end a moment before.
      const fetched = await vi.waitFor(async () => {
        const response = await as(t.app, admin).get(where);
        expect(response.statusCode).toBe(200);
        return response.json();
      });
      const body = exported.rawPayload;
      const digest = { sha256: createHash('sha256').update(body).digest('hex'), bytes: body.length };
      expect(checkManifest([published], fetched, digest)).toMatchObject({ ok: true });
      expect(fetched).toMatchObject({ orgId: acme.orgId, format, lastSeq: expect.any(Number) });
      if (format === 'jsonl')
        expect(fetched.rowCount).toBe(body.toString('utf8').trimEnd().split('\n').length);
      const changed = Buffer.from(body);
      changed[5] = (changed[5] as number) ^ 0x01;
      const check = checkManifest([published], fetched, {
        ...digest,
        sha256: createHash('sha256').update(changed).digest('hex'),
      });
      expect(check).toMatchObject({ ok: false, problem: expect.stringContaining('the file was changed') });
      expect((await as(t.app, user).get(where)).statusCode).toBe(404);
      expect((await as(t.app, outsider).get(where)).statusCode).toBe(404);
    }
    expect((await as(t.app, admin).get('/api/activities/export-manifests/nope')).statusCode).toBe(400);
    const bad = await as(t.app, admin).get('/api/activities/export?manifest=2');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('manifest');
  });

  it("is the admin's: a user gets 403, another org sees none of them, bad paging is a 400 naming the field", async () => {
    await put(2);
    await t.app.services.checkpoints.signHeads();
    const other = await seedOrg(t.app);
    const outsider = await signIn(t.app, other.admin.username);
    expect((await listed(outsider)).checkpoints).toEqual([]);
    const user = await signIn(t.app, acme.user.username);
    expect((await as(t.app, user).get('/api/activities/checkpoints')).statusCode).toBe(403);
    expect((await as(t.app, user).get('/api/activities/signing-key')).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/api/activities/signing-key' })).statusCode).toBe(401);
    for (const query of ['limit=0', 'limit=x', 'beforeSeq=-1']) {
      const response = await as(t.app, admin).get(`/api/activities/checkpoints?${query}`);
      expect(response.statusCode).toBe(400);
      expect(response.body).toContain(query.split('=')[0]);
    }
    const paged = await as(t.app, admin).get('/api/activities/checkpoints?limit=1');
    expect(paged.json()).toMatchObject({ nextBeforeSeq: null });
  });
});
