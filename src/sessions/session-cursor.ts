import type { SessionSort } from '../contracts/sessions.js';
import { invalidInput } from '../kernel/errors.js';
import { type SortOrder, sortKeyKinds } from './session-query.js';

type SortKey = Array<string | number>;

/**
 * A page's `nextCursor`: the sort, its order and the last row's sort key, opaque to the client.
 * It holds nothing the client could not see (values of a row it was shown), so it needs no signature;
 * what comes back is checked for shape and used only as bound parameters.
 */
export function encodeCursor(sort: SessionSort, order: SortOrder, key: SortKey): string {
  return Buffer.from(JSON.stringify({ s: sort, o: order, k: key })).toString('base64url');
}

/** The sort key a cursor continues after; a 400 for one this list did not give, or for another sort. */
export function decodeCursor(cursor: string, sort: SessionSort, order: SortOrder): SortKey {
  const refused = invalidInput('cursor is not a nextCursor of this list with this sort and order');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw refused;
  }
  if (typeof parsed !== 'object' || parsed === null) throw refused;
  const { s, o, k } = parsed as { s?: unknown; o?: unknown; k?: unknown };
  const kinds = sortKeyKinds(sort);
  if (s !== sort || o !== order || !Array.isArray(k) || k.length !== kinds.length) throw refused;
  const valid = k.every((value, i) =>
    kinds[i] === 'number' ? Number.isSafeInteger(value) : typeof value === 'string' && value.length <= 256,
  );
  if (!valid) throw refused;
  return k as SortKey;
}
