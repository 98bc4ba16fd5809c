import type { Command } from 'commander';
import { verifyChain } from '../activity/chain/chain-verify.js';
import { AppError } from '../kernel/errors.js';
import { distinctKeys } from '../kernel/previous-keys.js';
import { parsePublicKey, type SigningKey, signingKeyPath } from '../kernel/signing-key.js';
import { withContext } from './context.js';
import { verifyExportFiles } from './export-manifest.js';
import { resolveOrg } from './resolve.js';

/** `--public-key K`: the raw key in base64, a PEM text, or a PEM file; refused in one line otherwise. */
export function publicKeyOption(given: string): SigningKey {
  const key = parsePublicKey(given);
  if (!key) {
    throw new AppError(
      'INVALID_INPUT',
      '--public-key must be an Ed25519 public key: its base64 (GET /api/activities/signing-key), a PEM, or a PEM file',
    );
  }
  return key;
}

/**
 * Commander's way to take an option several times: each `--public-key` adds one. No default: a
 * required option with one would never be missing.
 */
const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/** The keys an auditor gave, each once; none given answers undefined (the configured ones then). */
function givenKeys(given: readonly string[] | undefined): SigningKey[] | undefined {
  return given === undefined ? undefined : distinctKeys(given.map(publicKeyOption));
}

export function registerVerifyCommands(activity: Command): void {
  activity
    .command('verify')
    .description(
      "check each org's hash chain and its signed checkpoints; exits 1 naming the first altered, removed or reordered row, or the checkpoint a rewrite no longer matches",
    )
    .option('--org <name>', 'only this org')
    .option(
      '--public-key <key>',
      'check the signatures with this key; repeat it for the current and previous keys (default: SIGNING_KEY_FILE and SIGNING_PREVIOUS_KEYS)',
      collect,
    )
    .action((options: { org?: string; publicKey?: string[] }) =>
      withContext(async (context) => {
        const keys = givenKeys(options.publicKey) ?? context.checkpoints.verifyingKeys;
        if (keys.length === 0) {
          process.stderr.write(
            `note: no signing key at ${signingKeyPath(context.config)}; an org with signed checkpoints needs --public-key\n`,
          );
        }
        const db = context.database.db;
        const orgs = options.org
          ? [await resolveOrg(context, options.org)]
          : await context.accounts.listOrgs();
        let broken = 0;
        for (const org of orgs) {
          const report = await context.checkpoints.holdAgainstCheckpoints(
            await verifyChain(db, org.id),
            keys,
          );
          if (report.ok) {
            process.stdout.write(
              `ok      ${org.name}: ${report.checked} activities, chain intact, ${report.checkpoints} signed checkpoints match\n`,
            );
          } else {
            broken += 1;
            process.stdout.write(
              `BROKEN  ${org.name}: ${report.firstBroken?.message} (${report.firstBroken?.problem})\n`,
            );
          }
        }
        if (broken > 0) process.exitCode = 1;
      }),
    );

  activity
    .command('verify-export')
    .description('check an export against its signed manifest, offline (no database): SHA-256 and signature')
    .argument('<file>', 'the exported file')
    .argument('<manifest>', 'the manifest written by --manifest')
    .requiredOption(
      '--public-key <key>',
      'the signing key: base64 (GET /api/activities/signing-key), a PEM, or a PEM file; repeat it for previous keys',
      collect,
    )
    .action(async (file: string, manifest: string, options: { publicKey: string[] }) => {
      const outcome = await verifyExportFiles(file, manifest, givenKeys(options.publicKey) ?? []);
      if (!outcome.ok) throw new AppError('INVALID_INPUT', `export NOT verified: ${outcome.problem}`);
      process.stdout.write(`ok      ${file}: ${outcome.summary}\n`);
    });
}
