import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import type { ApiKeyRow } from './api-keys.table.js';

type Db = Kysely<Schema>;

export function insertApiKey(db: Db, row: ApiKeyRow): Promise<unknown> {
  return db.insertInto('apiKeys').values(row).execute();
}

export function listApiKeys(db: Db, orgId: string): Promise<ApiKeyRow[]> {
  return db
    .selectFrom('apiKeys')
    .selectAll()
    .where('orgId', '=', orgId)
    .where('revokedAt', 'is', null)
    .orderBy('createdAt', 'desc')
    .execute();
}

export function findApiKeyByHash(db: Db, keyHash: string): Promise<ApiKeyRow | undefined> {
  return db.selectFrom('apiKeys').selectAll().where('keyHash', '=', keyHash).executeTakeFirst();
}

/** Revokes a key of this org; returns whether there was one to revoke. */
export async function revokeApiKey(db: Db, orgId: string, id: string, at: number): Promise<boolean> {
  const result = await db
    .updateTable('apiKeys')
    .set({ revokedAt: at })
    .where('orgId', '=', orgId)
    .where('id', '=', id)
    .where('revokedAt', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export function touchApiKey(db: Db, id: string, at: number): Promise<unknown> {
  return db.updateTable('apiKeys').set({ lastUsedAt: at }).where('id', '=', id).execute();
}
