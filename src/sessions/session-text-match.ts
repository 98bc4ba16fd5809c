import { type Kysely, type RawBuilder, type SqlBool, sql } from 'kysely';
import { isPostgres } from '../db/dialect.js';
import { ftsPhrase, trigramSearchable } from '../db/fts.js';
import type { Schema } from '../db/schema.js';
import { prefixEnd } from '../kernel/prefix-end.js';

/**
 * The session list's text filter `q`: the address starts with it, or the search text (the
 * lower-cased username and city) contains it. Both engines give the same rows; how they find them
 * differs.
 *
 * PostgreSQL: LIKE, served by migration 013's trigram and pattern indexes.
 *
 * SQLite: the same LIKE (instr measured no faster: reading the rows is the cost). Walking the
 * org's live index and checking each row is fast when many rows match (a page fills early, the
 * count stops at its cap) and reads the whole org when few do; so when migration 016's trigram
 * index (every session's text, ended ones too) and address index together name at most
 * FEW_CANDIDATES sessions, the query reads just those by rowid instead (`candidatesFirst`).
 */

/**
 * Up to this many candidates are read by rowid and sorted; beyond, walking the org's covering
 * index is cheaper (about 35 ms either way at 4,000 with SQLite's default 2 MB page cache).
 */
export const FEW_CANDIDATES = 4_000;

/** Escapes LIKE's wildcards so `q` is matched as typed (the escape character is `\`). */
export function likeEscaped(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export function like(column: string, pattern: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`${sql.ref(column)} like ${pattern} escape '\\'`;
}

/** SQLite's lower(): ASCII only, the folding its LIKE does. */
function asciiLower(text: string): string {
  return text.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** Whether the rows a `q` can match are few enough to read them first (SQLite only; see above). */
export async function fewTextCandidates(db: Kysely<Schema>, orgId: string, q: string): Promise<boolean> {
  if (isPostgres(db) || !trigramSearchable(q)) return false;
  const end = prefixEnd(q);
  if (end === undefined) return false;
  const row = await sql<{ byText: number; byAddress: number }>`select
      (select count(*) from (select 1 from session_search where session_search match ${ftsPhrase(q)}
        limit ${FEW_CANDIDATES + 1})) as by_text,
      (select count(*) from (select 1 from sessions indexed by sessions_live_org_ip_idx
        where org_id = ${orgId} and revoked_at is null
          and lower(public_ip) >= ${asciiLower(q)} and lower(public_ip) < ${asciiLower(end)}
        limit ${FEW_CANDIDATES + 1})) as by_address`.execute(db);
  const counts = row.rows[0];
  return counts !== undefined && Number(counts.byText) + Number(counts.byAddress) <= FEW_CANDIDATES;
}

/** The `q` condition on `s`, exact on either engine; with `candidatesFirst`, also where to look. */
export function textMatches(orgId: string, q: string, candidatesFirst: boolean): RawBuilder<SqlBool> {
  const prefix = like('s.public_ip', `${likeEscaped(q)}%`);
  const exact = sql<SqlBool>`(${prefix} or ${like('s.search', `%${likeEscaped(q)}%`)})`;
  const end = prefixEnd(q);
  if (!candidatesFirst || end === undefined) return exact;
  // The trigram index holds ended sessions too and folds case: the exact check stays.
  return sql<SqlBool>`s.rowid in (
      select rowid from session_search where session_search match ${ftsPhrase(q)}
      union all
      select rowid from sessions indexed by sessions_live_org_ip_idx
        where org_id = ${orgId} and revoked_at is null
          and lower(public_ip) >= ${asciiLower(q)} and lower(public_ip) < ${asciiLower(end)}
    ) and ${exact}`;
}
