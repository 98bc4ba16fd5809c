import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { ACTIVITY } from '../activity/activity-names.js';
import { actorEvent } from '../activity/actor-event.js';
import { recordActivities } from '../activity/chain/record.js';
import {
  type ApiKey,
  type ApiKeyScope,
  DEFAULT_API_KEY_SCOPES,
  isApiKeyScope,
} from '../contracts/api-keys.js';
import type { Schema } from '../db/schema.js';
import { type Actor, isAdmin } from '../kernel/actor.js';
import type { Clock } from '../kernel/clock.js';
import { forbidden, invalidInput, notFound } from '../kernel/errors.js';
import { newId } from '../kernel/ids.js';
import {
  findApiKeyByHash,
  insertApiKey,
  listApiKeys,
  revokeApiKey,
  touchApiKey,
} from './api-keys.repository.js';
import type { ApiKeyRow } from './api-keys.table.js';

const KEY_PREFIX = 'vsk_';
const SHOWN_PREFIX_LENGTH = KEY_PREFIX.length + 6;
const LAST_USED_PRECISION_MS = 60_000;

export type { ApiKey } from '../contracts/api-keys.js';

/** Who calls with an API key: an org's service, not a user. */
export interface ApiKeyPrincipal {
  keyId: string;
  orgId: string;
  name: string;
  /** The key's first characters, as the key list shows them. */
  prefix: string;
  scopes: readonly ApiKeyScope[];
}

const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
// A scope this version does not know (written by a newer one during an upgrade) grants nothing here.
const parseScopes = (stored: string): ApiKeyScope[] => stored.split(' ').filter(isApiKeyScope);
const toApiKey = (row: ApiKeyRow): ApiKey => ({
  id: row.id,
  name: row.name,
  prefix: row.prefix,
  scopes: parseScopes(row.scopes),
  createdAt: new Date(row.createdAt).toISOString(),
  lastUsedAt: iso(row.lastUsedAt),
});

export type ApiKeyService = ReturnType<typeof createApiKeyService>;

export function createApiKeyService(deps: { db: Kysely<Schema>; clock: Clock }) {
  const { db, clock } = deps;
  const requireAdmin = (actor: Actor) => {
    if (!isAdmin(actor)) throw forbidden('Only admins manage API keys');
  };

  return {
    /**
     * Creates a key; the returned `key` is shown this once and stored only hashed. Without
     * `scopes` it may ingest only, as every key could before scopes.
     */
    async createApiKey(
      actor: Actor,
      name: string,
      options: { scopes?: readonly ApiKeyScope[] } = {},
    ): Promise<ApiKey & { key: string }> {
      requireAdmin(actor);
      const scopes = options.scopes ?? DEFAULT_API_KEY_SCOPES;
      // The route's schema says the same; the CLI and other callers come here without it.
      if (scopes.length === 0) throw invalidInput('scopes must name at least one scope');
      if (new Set(scopes).size !== scopes.length) throw invalidInput('scopes must not name a scope twice');
      const unknown = scopes.find((scope) => !isApiKeyScope(scope));
      if (unknown !== undefined) throw invalidInput(`scopes: unknown scope "${unknown}"`);
      const now = clock.now();
      const key = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
      const row: ApiKeyRow = {
        id: newId(),
        orgId: actor.orgId,
        name,
        keyHash: hashKey(key),
        prefix: key.slice(0, SHOWN_PREFIX_LENGTH),
        scopes: scopes.join(' '),
        createdAt: now,
        createdBy: actor.userId,
        lastUsedAt: null,
        revokedAt: null,
      };
      await db.transaction().execute(async (trx) => {
        await insertApiKey(trx, row);
        await recordActivities(
          trx,
          actor.orgId,
          [
            {
              ...actorEvent(actor, now, ACTIVITY.API_KEY_CREATED, `${name} (${row.prefix}…)`),
              details: `scopes: ${row.scopes}`,
            },
          ],
          now,
        );
      });
      return { ...toApiKey(row), key };
    },

    async listApiKeys(actor: Actor): Promise<ApiKey[]> {
      requireAdmin(actor);
      return (await listApiKeys(db, actor.orgId)).map(toApiKey);
    },

    async revokeApiKey(actor: Actor, id: string): Promise<void> {
      requireAdmin(actor);
      const now = clock.now();
      await db.transaction().execute(async (trx) => {
        if (!(await revokeApiKey(trx, actor.orgId, id, now))) throw notFound('API key');
        await recordActivities(trx, actor.orgId, [actorEvent(actor, now, ACTIVITY.API_KEY_REVOKED, id)], now);
      });
    },

    /** The org service behind a Bearer key, or undefined for an unknown or revoked key. */
    async authenticateApiKey(key: string): Promise<ApiKeyPrincipal | undefined> {
      if (!key.startsWith(KEY_PREFIX)) return undefined;
      const row = await findApiKeyByHash(db, hashKey(key));
      if (!row || row.revokedAt !== null) return undefined;
      const now = clock.now();
      // At most once a minute: a write (and a commit) on every call of a busy ingest client tells
      // no one more. Math.abs: a clock set back must not freeze the time until it catches up.
      if (row.lastUsedAt === null || Math.abs(now - row.lastUsedAt) >= LAST_USED_PRECISION_MS)
        await touchApiKey(db, row.id, now);
      return {
        keyId: row.id,
        orgId: row.orgId,
        name: row.name,
        prefix: row.prefix,
        scopes: parseScopes(row.scopes),
      };
    },
  };
}
