import { useEffect, useState } from 'react';
import { api } from '../../api/client.ts';
import type { User } from '../../api/types.ts';

/** The org's users for an admin's user filter; nobody else may list them, so nothing is asked. */
export function useOrgUsers(isAdmin: boolean): User[] {
  const [users, setUsers] = useState<User[]>([]);
  useEffect(() => {
    if (!isAdmin) return;
    const abort = new AbortController();
    api
      .users(abort.signal)
      .then(({ users }) => setUsers(users))
      .catch(() => undefined);
    return () => abort.abort();
  }, [isAdmin]);
  return users;
}
