import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { describeEachEngine } from './helpers/engines.js';
import { type SeededOrg, seedOrg, signIn } from './helpers/factories.js';
import { databaseUrlOf, rotatedApp } from './helpers/rotated-app.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

// Each run starts a process that loads the sources through tsx: seconds on a busy machine.
const SLOW = 180_000;

describeEachEngine('a rotated signing key, from the CLI', (engine) => {
  let first: TestApp;
  let rotated: TestApp;
  let org: SeededOrg;
  let folder: string;
  let keyA: string;
  let keyB: string;
  /** The rotated instances' environment: the new key file, the old key listed as previous. */
  let envB: Record<string, string>;
  const out = () => join(folder, 'log.jsonl');
  const manifest = () => join(folder, 'log.manifest.json');
  const name = `Acme ${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'vault-rotate-cli-'));
    first = await createTestApp(engine);
    org = await seedOrg(first.app, name);
    await signIn(first.app, org.user.username);
    keyA = first.app.services.checkpoints.signingKey().publicKey;
    const envA = {
      DATABASE_URL: databaseUrlOf(first),
      // SQLite: the key is found beside the file; PostgreSQL: it has to be named.
      ...(first.config.signingKeyFile ? { SIGNING_KEY_FILE: first.config.signingKeyFile } : {}),
    };
    // Before the rotation: an export and its manifest, and so a checkpoint, signed by key A.
    const exported = await runCli(
      ['activity', 'export', '--org', name, '--format', 'jsonl', '--out', out(), '--manifest', manifest()],
      { env: envA, cwd: folder },
    );
    expect(exported.code, exported.stderr).toBe(0);

    const keyFileB = join(folder, 'key-b.pem');
    rotated = await rotatedApp(engine, first, keyFileB, [keyA]);
    await signIn(rotated.app, org.admin.username);
    expect(await rotated.app.services.checkpoints.signHeads(org.orgId)).toBe(1);
    keyB = rotated.app.services.checkpoints.signingKey().publicKey;
    envB = { DATABASE_URL: databaseUrlOf(first), SIGNING_KEY_FILE: keyFileB, SIGNING_PREVIOUS_KEYS: keyA };
  }, SLOW);

  afterAll(async () => {
    await rotated?.close();
    await first?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it(
    'verify trusts the configured previous key or every --public-key given; with only the new key it names the old checkpoint',
    async () => {
      const keyless = { ...envB, SIGNING_KEY_FILE: join(folder, 'no-such-key.pem') };
      const { SIGNING_PREVIOUS_KEYS: _none, ...unlisted } = envB;
      const verify = ['activity', 'verify', '--org', name];
      const [configured, bothGiven, onlyNew, notListed] = await Promise.all([
        runCli(verify, { env: envB, cwd: folder }),
        runCli([...verify, '--public-key', keyB, '--public-key', keyA], { env: keyless, cwd: folder }),
        runCli([...verify, '--public-key', keyB], { env: envB, cwd: folder }),
        runCli(verify, { env: unlisted, cwd: folder }),
      ]);
      for (const run of [configured, bothGiven]) {
        expect(run.code, run.stderr).toBe(0);
        expect(run.stdout).toMatch(/^ok {6}.*chain intact, 2 signed checkpoints match$/m);
      }
      for (const run of [onlyNew, notListed]) {
        expect(run.code, run.stderr).toBe(1);
        expect(run.stdout).toMatch(
          /^BROKEN {2}.*: checkpoint at seq \d+ \(signed .*\) is not signed by key [0-9a-f]{16} \(it names key [0-9a-f]{16}, which is not trusted/m,
        );
      }
    },
    SLOW,
  );

  it(
    'verify-export takes --public-key several times: a manifest of the old key verifies with it among them',
    async () => {
      const offline = { cwd: folder, env: { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' } };
      const verifyExport = ['activity', 'verify-export', out(), manifest()];
      const [both, onlyNew, none] = await Promise.all([
        runCli([...verifyExport, '--public-key', keyB, '--public-key', keyA], offline),
        runCli([...verifyExport, '--public-key', keyB], offline),
        runCli(verifyExport, offline),
      ]);
      expect(both.code, both.stderr).toBe(0);
      expect(both.stdout).toMatch(/^ok {6}.*: \d+ rows, SHA-256 [0-9a-f]{64}/);
      expect(onlyNew.code).toBe(1);
      expect(onlyNew.stderr).toMatch(
        /export NOT verified: the manifest's signature does not hold for key [0-9a-f]{16} \(it names key [0-9a-f]{16}, which was not given\)/,
      );
      expect(none.code).toBe(1);
      expect(none.stderr).toContain("required option '--public-key <key>' not specified");
    },
    SLOW,
  );

  it(
    'the current key listed as previous, or a malformed one, stops the server and the CLI in one line',
    async () => {
      const sameKey = { ...envB, SIGNING_PREVIOUS_KEYS: keyB, PORT: '0' };
      const malformed = { ...envB, SIGNING_PREVIOUS_KEYS: `${keyA},not-a-key`, PORT: '0' };
      const [serveSame, verifySame, serveMalformed] = await Promise.all([
        runCli(['serve'], { env: sameKey, cwd: folder }),
        runCli(['activity', 'verify', '--org', name], { env: sameKey, cwd: folder }),
        runCli(['serve'], { env: malformed, cwd: folder }),
      ]);
      for (const run of [serveSame, verifySame]) {
        expect(run.code, run.stdout).toBe(78);
        expect(run.stderr).toMatch(
          /^invalid configuration: SIGNING_PREVIOUS_KEYS entry 1 is the current signing key [0-9a-f]{16} \(SIGNING_KEY_FILE\)/m,
        );
        expect(run.stderr).not.toContain('    at ');
      }
      expect(serveMalformed.code).toBe(78);
      expect(serveMalformed.stderr).toMatch(
        /^invalid configuration: SIGNING_PREVIOUS_KEYS entry 2 \("not-a-key"\) is not an Ed25519 public key/m,
      );
    },
    SLOW,
  );
});
