import type { Selectable } from 'kysely';
import type { OnLimit } from '../../contracts/org-policy.js';

/** An org's session policy (migration 011, `version` 022); a null limit means the configuration's. */
export interface OrgPolicyTable {
  orgId: string;
  idleMs: number | null;
  maxMs: number | null;
  /** Null: no limit. */
  maxSessionsPerUser: number | null;
  onLimit: OnLimit;
  /** 0 or 1. */
  requireMfa: number;
  updatedAt: number;
  updatedBy: string | null;
  /** Changes so far: a save that names an older one is refused (409 CONFLICT). */
  version: number;
}

export type OrgPolicyRow = Selectable<OrgPolicyTable>;
