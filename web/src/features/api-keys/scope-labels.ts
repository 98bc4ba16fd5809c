import type { ApiKeyScope } from '../../api/types.ts';

/** What each scope lets a key do, in the words of the person creating it. */
export const SCOPE_LABELS: Record<ApiKeyScope, { title: string; detail: string }> = {
  'activities:write': { title: 'Record activities', detail: 'a backup job posting its events' },
  'activities:read': {
    title: 'Read the activity log',
    detail: 'a SIEM pulling the log, its histogram and checkpoints',
  },
  'sessions:introspect': { title: 'Check sessions', detail: 'a service asking whether a session is live' },
};
