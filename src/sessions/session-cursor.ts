import type { SessionSort } from '../contracts/sessions.js';
import { type CursorKey, decodeKeysetCursor, encodeKeysetCursor } from '../kernel/keyset-cursor.js';
import { type SortOrder, sortKeyKinds } from './session-query.js';

/** A page's `nextCursor`: the sort, its order and the last row's sort key (see keyset-cursor). */
export function encodeCursor(sort: SessionSort, order: SortOrder, key: CursorKey): string {
  return encodeKeysetCursor({ s: sort, o: order }, key);
}

/** The sort key a cursor continues after; a 400 for one this list did not give, or for another sort. */
export function decodeCursor(cursor: string, sort: SessionSort, order: SortOrder): CursorKey {
  return decodeKeysetCursor(
    cursor,
    { s: sort, o: order },
    sortKeyKinds(sort),
    'cursor is not a nextCursor of this list with this sort and order',
  );
}
