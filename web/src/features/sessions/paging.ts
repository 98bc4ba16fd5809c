import { useCallback, useState } from 'react';

/** Sessions a page: the seed's Activity Log shows 100 records a page, and so does this list. */
export const PAGE_SIZE = 100;

/**
 * Keyset paging with a way back: `cursors[i]` fetches page i+1, Next pushes the page's
 * `nextCursor`, Previous pops. A new `key` (another filter or sort) starts again at page 1.
 */
export function usePaging(key: string) {
  const [paging, setPaging] = useState<{ key: string; cursors: Array<string | undefined> }>({
    key,
    cursors: [undefined],
  });
  const cursors = paging.key === key ? paging.cursors : [undefined];
  const pageIndex = cursors.length - 1;

  const next = useCallback(
    (cursor: string) =>
      setPaging((old) => ({ key, cursors: [...(old.key === key ? old.cursors : [undefined]), cursor] })),
    [key],
  );
  const back = useCallback(
    () =>
      setPaging((old) => {
        const kept = old.key === key ? old.cursors : [undefined];
        return { key, cursors: kept.length > 1 ? kept.slice(0, -1) : kept };
      }),
    [key],
  );
  return { cursor: cursors[pageIndex], pageIndex, next, back };
}
