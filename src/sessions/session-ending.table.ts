import type { RevokedReason } from '../contracts/sessions.js';

/** A session's ending not yet moved into its row (migration 014): what `revoked_*` will hold. */
export interface SessionEndingTable {
  sessionId: string;
  endedAt: number;
  endedBy: string | null;
  reason: RevokedReason;
}
