import { useEffect, useState } from 'react';
import type { Session } from '../../api/types.ts';

/** The ids checked in the list; sessions that ended meanwhile drop out, so they cannot be selected. */
export function useSelection(sessions: readonly Session[]) {
  const [selected, setSelected] = useState<Set<string>>(new Set());
  useEffect(() => {
    const ids = new Set(sessions.map((s) => s.id));
    setSelected((old) => {
      const kept = new Set([...old].filter((id) => ids.has(id)));
      return kept.size === old.size ? old : kept;
    });
  }, [sessions]);
  return [selected, setSelected] as const;
}
