import type { Command } from 'commander';
import { verifyChain } from '../activity/chain/chain-verify.js';
import { AppError } from '../kernel/errors.js';
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

export function registerVerifyCommands(activity: Command): void {
  activity
    .command('verify')
    .description(
      "check each org's hash chain and its signed checkpoints; exits 1 naming the first altered, removed or reordered row, or the checkpoint a rewrite no longer matches",
    )
    .option('--org <name>', 'only this org')
    .option('--public-key <key>', 'check the signatures with this key (default: the SIGNING_KEY_FILE key)')
    .action((options: { org?: string; publicKey?: string }) =>
      withContext(async (context) => {
        const given = options.publicKey === undefined ? undefined : publicKeyOption(options.publicKey);
        const key = given ?? context.checkpoints.key;
        if (!key) {
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
          const report = await context.checkpoints.holdAgainstCheckpoints(await verifyChain(db, org.id), key);
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
      'the signing key: base64 (GET /api/activities/signing-key), a PEM, or a PEM file',
    )
    .action(async (file: string, manifest: string, options: { publicKey: string }) => {
      const outcome = await verifyExportFiles(file, manifest, publicKeyOption(options.publicKey));
      if (!outcome.ok) throw new AppError('INVALID_INPUT', `export NOT verified: ${outcome.problem}`);
      process.stdout.write(`ok      ${file}: ${outcome.summary}\n`);
    });
}
