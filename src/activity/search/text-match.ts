import { type Kysely, sql } from 'kysely';
import { isPostgres } from '../../db/dialect.js';
import { trigramQuery, trigramSearchable } from '../../db/fts.js';
import type { Schema } from '../../db/schema.js';

type Db = Kysely<Schema>;

/**
 * The activity log's text filter `q`: text in the target or the details, ignoring case, or the
 * start of the public IP (stored normalised: IPv6 in lower case). Both engines give the same rows;
 * how they find them differs.
 *
 * PostgreSQL: migration 004's trigram index of target and details, and 020's address index.
 *
 * SQLite: reading the period's rows newest first and checking each is fast when many match (a
 * page fills early, the count stops at its cap) and reads the whole period when few or none do;
 * so when migration 028's trigram index names at most FEW_CANDIDATES rows, the search reads just
 * those by rowid instead (`candidates`), and checks them exactly as before.
 */

/** Up to this many candidates are read by rowid and sorted; beyond, walking the period is cheaper. */
export const FEW_CANDIDATES = 5_000;
/**
 * The histogram counts every match, with no cap to stop at: reading this many candidates by rowid
 * still beats walking the period (docs/benchmarks.md, 2026-12-04).
 */
export const FEW_CANDIDATES_TO_COUNT = 50_000;

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * Target and details joined as PostgreSQL's trigram index has them (migration 004). Text without
 * U+0001 cannot match across the joint, so it matches the joined value exactly when it matches
 * either column.
 */
const JOINED_TEXT = "(coalesce(target, '') || E'\\x01' || coalesce(details, ''))";

/** What the start of an address can look like (IPv4, IPv6, IPv4-mapped): only then is it asked. */
const ADDRESS_START = /^[0-9a-f.:]+$/i;

/**
 * The ids of the rows a `q` can match, when they are at most `few` (SQLite only; see above): read
 * once per request, then named to the page, the count and the histogram, which would otherwise
 * each ask the trigram index again.
 */
export async function fewTextCandidates(
  db: Db,
  text: string,
  few = FEW_CANDIDATES,
): Promise<number[] | undefined> {
  if (isPostgres(db) || !trigramSearchable(text)) return undefined;
  const rows = await sql<{ id: number }>`select rowid as id from activity_search
      where activity_search match ${trigramQuery(text)} limit ${few + 1}`.execute(db);
  return rows.rows.length <= few ? rows.rows.map((r) => Number(r.id)) : undefined;
}

/** The `q` condition, exact on either engine; with `candidates` (SQLite), also where to look. */
export function textMatches(db: Db, text: string, candidates?: readonly number[]) {
  const pattern = `%${escapeLike(text)}%`;
  // SQLite's LIKE ignores ASCII case already; PostgreSQL needs ILIKE for the same answer.
  const like = sql.raw(isPostgres(db) ? 'ilike' : 'like');
  const byText =
    isPostgres(db) && !text.includes('\u0001')
      ? sql<boolean>`${sql.raw(JOINED_TEXT)} ilike ${pattern} escape '\\'`
      : sql<boolean>`(target ${like} ${pattern} escape '\\' or details ${like} ${pattern} escape '\\')`;
  // Plain LIKE on the lower-cased prefix: the pattern index (migration 020) serves it.
  const exact = ADDRESS_START.test(text)
    ? sql<boolean>`(${byText} or public_ip like ${`${text.toLowerCase()}%`} escape '\\')`
    : byText;
  if (candidates === undefined || isPostgres(db)) return exact;
  // The trigram index folds case, keeps no positions and holds the three texts side by side: the
  // exact check stays.
  return sql<boolean>`(id in (select value from json_each(${JSON.stringify(candidates)})) and ${exact})`;
}
