import { useEffect, useState } from 'react';
import { api } from '../../api/client.ts';
import type { User } from '../../api/types.ts';

/** The largest page the API gives: the fewest requests for a whole org. */
const WHOLE_ORG_PAGE = 500;

/**
 * The org's users for an admin's user filter; nobody else may list them, so nothing is asked.
 * Every page of them, as the filter's list shows everyone (a search by `q` would scale further).
 */
export function useOrgUsers(isAdmin: boolean): User[] {
  const [users, setUsers] = useState<User[]>([]);
  useEffect(() => {
    if (!isAdmin) return;
    const abort = new AbortController();
    const loadAll = async () => {
      const all: User[] = [];
      let cursor: string | undefined;
      do {
        const page = await api.users({ limit: WHOLE_ORG_PAGE, cursor }, abort.signal);
        all.push(...page.users);
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined && !abort.signal.aborted);
      if (!abort.signal.aborted) setUsers(all);
    };
    loadAll().catch(() => undefined);
    return () => abort.abort();
  }, [isAdmin]);
  return users;
}
