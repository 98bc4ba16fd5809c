import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { checkpointText } from '../src/activity/checkpoints/checkpoint-signature.js';
import { checkManifest } from '../src/activity/export/export-manifest.js';
import {
  openSigningKey,
  parsePublicKey,
  type SigningKey,
  signText,
  verifyText,
} from '../src/kernel/signing-key.js';
import { describeEachEngine } from './helpers/engines.js';
import { as, type SeededOrg, type SignedIn, seedOrg, signIn } from './helpers/factories.js';
import { rotatedApp } from './helpers/rotated-app.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

interface Report {
  ok: boolean;
  checkpoints: number;
  firstBroken?: { seq: number | null; problem: string; message: string };
}

describeEachEngine('rotating the signing key', (engine) => {
  let first: TestApp;
  const later: TestApp[] = [];
  let folder: string;
  let acme: SeededOrg;
  let admin: SignedIn;
  let apiKey: string;
  /** The key the first instance signed with, as the signing-key route published it. */
  let keyA: { keyId: string; publicKey: string; publicKeyPem: string };
  let firstSignedSeq: number;

  beforeEach(async () => {
    folder = mkdtempSync(join(tmpdir(), 'vault-rotate-'));
    first = await createTestApp(engine);
    acme = await seedOrg(first.app);
    admin = await signIn(first.app, acme.admin.username);
    apiKey = (await as(first.app, admin).post('/api/api-keys', { name: 'jobs' })).json().key;
    await put(first, 5);
    await first.app.services.checkpoints.signHeads(acme.orgId);
    firstSignedSeq = (await head()).seq;
    const { keyId, publicKey, publicKeyPem } = (
      await as(first.app, admin).get('/api/activities/signing-key')
    ).json();
    keyA = { keyId, publicKey, publicKeyPem };
  });
  afterEach(async () => {
    for (const app of later.splice(0)) await app.close();
    await first.close();
    rmSync(folder, { recursive: true, force: true });
  });

  /** The instance restarted with a new key file, `previous` listed as SIGNING_PREVIOUS_KEYS. */
  const rotate = async (previous: string[]) => {
    const app = await rotatedApp(engine, first, join(folder, 'key-b.pem'), previous);
    later.push(app);
    return app;
  };
  async function put(t: TestApp, count: number) {
    const events = Array.from({ length: count }, (_, i) => ({
      activity: 'backup',
      username: acme.user.username,
      target: `item ${i}`,
    }));
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/activities',
      headers: { authorization: `Bearer ${apiKey}` },
      payload: { events },
    });
    expect(response.statusCode, response.body).toBe(201);
  }
  function head() {
    return first.database.db
      .selectFrom('activityChainHeads')
      .selectAll()
      .where('orgId', '=', acme.orgId)
      .executeTakeFirstOrThrow();
  }
  const verify = async (t: TestApp): Promise<Report> => {
    const response = await as(t.app, admin).get('/api/activities/verify');
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  };

  it('with the old key listed as previous, the old checkpoints still verify beside the new ones, and the API publishes both keys', async () => {
    const b = await rotate([keyA.publicKey]);
    await put(b, 3);
    expect(await b.app.services.checkpoints.signHeads(acme.orgId)).toBe(1);

    const report = await verify(b);
    expect(report).toMatchObject({ ok: true, checkpoints: 2 });
    expect(report.firstBroken).toBeUndefined();

    const published = (await as(b.app, admin).get('/api/activities/signing-key')).json();
    expect(published.keyId).not.toBe(keyA.keyId);
    expect(published).toEqual({
      algorithm: 'Ed25519',
      keyId: published.keyId,
      publicKey: published.publicKey,
      publicKeyPem: published.publicKeyPem,
      previousKeys: [keyA],
    });
    const listed = (await as(b.app, admin).get('/api/activities/checkpoints')).json().checkpoints;
    expect(listed.map((c: { keyId: string }) => c.keyId)).toEqual([published.keyId, keyA.keyId]);
    // A SIEM holding the published keys checks each listed checkpoint with the key it names.
    for (const { signature, keyId, ...fields } of listed) {
      const key = keyId === keyA.keyId ? keyA : published;
      const text = checkpointText({ ...fields, signedAt: Date.parse(fields.signedAt) });
      const parsed = parsePublicKey(key.publicKeyPem);
      if (!parsed) throw new Error('a published key does not parse');
      expect(parsed.keyId).toBe(keyId);
      expect(verifyText(parsed, text, signature)).toBe(true);
    }
  });

  it('without the old key listed, verify fails naming the first checkpoint it signed', async () => {
    const b = await rotate([]);
    await put(b, 1);
    await b.app.services.checkpoints.signHeads(acme.orgId);
    const published = (await as(b.app, admin).get('/api/activities/signing-key')).json();
    expect(published.previousKeys).toEqual([]);
    const report = await verify(b);
    expect(report.ok).toBe(false);
    expect(report.firstBroken).toMatchObject({ seq: firstSignedSeq, problem: 'checkpoint' });
    expect(report.firstBroken?.message).toMatch(
      new RegExp(`^checkpoint at seq ${firstSignedSeq} \\(signed 20`),
    );
    expect(report.firstBroken?.message).toContain(`it names key ${keyA.keyId}, which is not trusted`);
    expect(report.firstBroken?.message).toContain('SIGNING_PREVIOUS_KEYS');
  });

  it('a checkpoint that names the previous key but is signed by another key is refused', async () => {
    const b = await rotate([keyA.publicKey]);
    await put(b, 2);
    const forger = openSigningKey(join(folder, 'forger.pem'), { create: true }) as SigningKey;
    const { seq, hash } = await head();
    const fields = { orgId: acme.orgId, seq, headHash: hash as string, signedAt: Date.now() };
    await b.database.db
      .insertInto('activityChainCheckpoints')
      .values({ ...fields, keyId: keyA.keyId, signature: signText(forger, checkpointText(fields)) })
      .execute();
    const report = await verify(b);
    expect(report.firstBroken).toMatchObject({ seq, problem: 'checkpoint' });
    expect(report.firstBroken?.message).toContain(`is not signed by key ${keyA.keyId}`);
    // The old key's own checkpoint before it held.
    expect(report.checkpoints).toBe(1);
  });

  it('a manifest signed before the rotation verifies with the old key among those given, and not without it', async () => {
    const manifest = first.app.services.checkpoints.signExportManifest({
      version: 1,
      orgId: acme.orgId,
      format: 'jsonl',
      rowCount: 1,
      bytes: 3,
      sha256: createHash('sha256').update('{}\n').digest('hex'),
      firstSeq: 1,
      lastSeq: firstSignedSeq,
      headHash: (await head()).hash,
      signedAt: new Date().toISOString(),
    });
    const digest = { sha256: manifest.sha256, bytes: 3 };
    const b = await rotate([keyA.publicKey]);
    const { verifyingKeys, key } = b.app.services.checkpoints;
    expect(checkManifest(verifyingKeys, manifest, digest)).toMatchObject({ ok: true });
    const onlyNew = checkManifest(key ? [key] : [], manifest, digest);
    expect(onlyNew).toMatchObject({
      ok: false,
      problem: expect.stringContaining(`it names key ${keyA.keyId}, which was not given`),
    });
  });
});
