import { type Command, Option } from 'commander';
import { API_KEY_SCOPES, type ApiKeyScope } from '../contracts/api-keys.js';
import { operatorActor } from '../kernel/actor.js';
import { withContext } from './context.js';
import { resolveOrg } from './resolve.js';
import { formatCells, shortIso } from './table.js';

/** `apikey create|list|revoke`: an org's keys for the vault's services, as the API manages them. */
export function registerApiKeyCommands(program: Command): void {
  const apikey = program
    .command('apikey')
    .description("an org's API keys (for ingest and session introspection)");

  apikey
    .command('create')
    .description('create an API key; the key is printed this once and stored only hashed')
    .requiredOption('--org <name>', 'org name')
    .requiredOption('--name <name>', 'what the key is for, e.g. "backup service"')
    .addOption(
      new Option(
        '--scope <scope...>',
        'what the key may do (several allowed); default activities:write',
      ).choices(API_KEY_SCOPES),
    )
    .action((options: { org: string; name: string; scope?: ApiKeyScope[] }) =>
      withContext(async (context) => {
        const org = await resolveOrg(context, options.org);
        const created = await context.apiKeys.createApiKey(
          operatorActor(org.id),
          options.name,
          options.scope ? { scopes: options.scope } : {},
        );
        process.stdout.write(
          `created API key "${created.name}" (${created.id}) for "${org.name}", scopes ${created.scopes.join(', ')}\n` +
            `key (shown this once): ${created.key}\n`,
        );
      }),
    );

  apikey
    .command('list')
    .description("list an org's active API keys (never the keys themselves)")
    .requiredOption('--org <name>', 'org name')
    .option('--json', 'print JSON instead of a table')
    .action((options: { org: string; json?: boolean }) =>
      withContext(async (context) => {
        const org = await resolveOrg(context, options.org);
        const keys = await context.apiKeys.listApiKeys(operatorActor(org.id));
        if (options.json) {
          process.stdout.write(`${JSON.stringify(keys, null, 2)}\n`);
          return;
        }
        process.stdout.write(
          formatCells(
            ['ID', 'NAME', 'PREFIX', 'SCOPES', 'CREATED', 'LAST USED'],
            keys.map((k) => [
              k.id,
              k.name,
              `${k.prefix}…`,
              k.scopes.join(','),
              shortIso(k.createdAt),
              k.lastUsedAt === null ? 'never' : shortIso(k.lastUsedAt),
            ]),
          ),
        );
      }),
    );

  apikey
    .command('revoke')
    .description('revoke an API key at once')
    .requiredOption('--org <name>', 'org name')
    .argument('<id>', 'the key id (from apikey list)')
    .action((id: string, options: { org: string }) =>
      withContext(async (context) => {
        const org = await resolveOrg(context, options.org);
        await context.apiKeys.revokeApiKey(operatorActor(org.id), id);
        process.stdout.write(`revoked API key ${id}\n`);
      }),
    );
}
