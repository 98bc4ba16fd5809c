import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { rewriteRowAndChain } from './helpers/chain-tamper.js';
import { runCli } from './helpers/cli.js';
import { describeEachEngine, POSTGRES_URL } from './helpers/engines.js';
import { type SeededOrg, seedOrg, signIn } from './helpers/factories.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

// Each run starts a process that loads the sources through tsx: seconds on a busy machine.
const SLOW = 180_000;

describeEachEngine('signed exports and checkpoints from the CLI', (engine) => {
  let t: TestApp;
  let org: SeededOrg;
  let env: Record<string, string>;
  let folder: string;
  let publicKey: string;
  const name = `Acme ${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    t = await createTestApp(engine);
    org = await seedOrg(t.app, name);
    await signIn(t.app, org.user.username);
    const schema = t.database.postgresSchema;
    env = {
      DATABASE_URL:
        t.config.database.engine === 'sqlite'
          ? `sqlite:${t.config.database.path}`
          : `${POSTGRES_URL}?schema=${schema}`,
      // SQLite: the server's key is found beside the file; PostgreSQL: it has to be named.
      ...(t.config.signingKeyFile ? { SIGNING_KEY_FILE: t.config.signingKeyFile } : {}),
    };
    folder = mkdtempSync(join(tmpdir(), 'vault-manifest-'));
    publicKey = t.app.services.checkpoints.signingKey().publicKey;
  }, SLOW);

  afterAll(async () => {
    await t?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it(
    'an export verifies offline against its manifest; one changed byte, a wrong key or a bad key fail in one line',
    async () => {
      const out = join(folder, 'log.jsonl');
      const manifest = join(folder, 'log.manifest.json');
      const exported = await runCli(
        ['activity', 'export', '--org', name, '--format', 'jsonl', '--out', out, '--manifest', manifest],
        { env, cwd: folder },
      );
      expect(exported.code, exported.stderr).toBe(0);
      const signed = JSON.parse(readFileSync(manifest, 'utf8'));
      const file = readFileSync(out);
      expect(signed).toMatchObject({
        version: 1,
        orgId: org.orgId,
        format: 'jsonl',
        bytes: file.length,
        firstSeq: 1,
      });
      expect(signed.rowCount).toBe(file.toString('utf8').trimEnd().split('\n').length);
      const head = await t.database.db
        .selectFrom('activityChainCheckpoints')
        .selectAll()
        .where('orgId', '=', org.orgId)
        .where('seq', '=', signed.lastSeq)
        .executeTakeFirst();
      expect(head?.headHash).toBe(signed.headHash);

      const changed = join(folder, 'changed.jsonl');
      const bytes = Buffer.from(file);
      const middle = Math.floor(bytes.length / 2);
      bytes[middle] = (bytes[middle] as number) ^ 0x01;
      writeFileSync(changed, bytes);
      const otherKey = generateKeyPairSync('ed25519')
        .publicKey.export({ type: 'spki', format: 'der' })
        .subarray(12)
        .toString('base64');
      const offline = { cwd: folder, env: { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' } };
      const [good, tampered, wrongKey, badKey] = await Promise.all([
        runCli(['activity', 'verify-export', out, manifest, '--public-key', publicKey], offline),
        runCli(['activity', 'verify-export', changed, manifest, '--public-key', publicKey], offline),
        runCli(['activity', 'verify-export', out, manifest, '--public-key', otherKey], offline),
        runCli(['activity', 'verify-export', out, manifest, '--public-key', 'not-a-key'], offline),
      ]);
      expect(good.code, good.stderr).toBe(0);
      expect(good.stdout).toMatch(/^ok {6}.*: \d+ rows, SHA-256 [0-9a-f]{64}/);
      expect(tampered.code).toBe(1);
      expect(tampered.stderr.trim()).toMatch(
        /^export NOT verified: the file's SHA-256 is [0-9a-f]{64} .*the file was changed$/,
      );
      expect(wrongKey.code).toBe(1);
      expect(wrongKey.stderr).toContain(
        "export NOT verified: the manifest's signature does not hold for key",
      );
      expect(badKey.code).toBe(1);
      expect(badKey.stderr).toContain('--public-key must be an Ed25519 public key');
    },
    SLOW,
  );

  it(
    'verify --public-key holds the chain against its checkpoints and names the one a rewrite no longer matches',
    async () => {
      await t.app.services.checkpoints.signHeads(org.orgId);
      const intact = await runCli(['activity', 'verify', '--org', name, '--public-key', publicKey], {
        env,
        cwd: folder,
      });
      expect(intact.code, intact.stderr).toBe(0);
      expect(intact.stdout).toMatch(/^ok {6}.*chain intact, [1-9]\d* signed checkpoints match$/m);

      await rewriteRowAndChain(t, engine, org.orgId, 2);
      const keyless = { ...env, SIGNING_KEY_FILE: join(folder, 'no-such-key.pem') };
      const [broken, configured, withoutKey] = await Promise.all([
        runCli(['activity', 'verify', '--org', name, '--public-key', publicKey], { env, cwd: folder }),
        runCli(['activity', 'verify', '--org', name], { env, cwd: folder }),
        runCli(['activity', 'verify', '--org', name], { env: keyless, cwd: folder }),
      ]);
      // Checkpoints nobody can check are not waved through.
      expect(withoutKey.code).toBe(1);
      expect(withoutKey.stderr).toContain('the log has signed checkpoints but no signing key is configured');
      for (const run of [broken, configured]) {
        expect(run.code, run.stderr).toBe(1);
        expect(run.stdout).toMatch(
          /^BROKEN {2}.*: checkpoint at seq \d+ \(signed .*were rewritten \(checkpoint\)$/m,
        );
      }
    },
    SLOW,
  );
});
