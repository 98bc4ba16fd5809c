import type { RevokedReason } from '../contracts/sessions.js';

/** Tells the ended sessions' open tabs to leave, and admins' lists to refresh. */
export interface SessionEndedEvent {
  type: 'session-ended';
  orgId: string;
  sessions: Array<{ sessionId: string; userId: string }>;
  reason: RevokedReason;
}

/** A session started or ended: lists showing it (admins', and the user's own) should refresh. */
export interface SessionsChangedEvent {
  type: 'sessions-changed';
  orgId: string;
  userIds: string[];
}

export type LiveEvent = SessionEndedEvent | SessionsChangedEvent;

/** Carries live events to every instance's hub. */
export interface LiveBus {
  publish(event: LiveEvent): Promise<void>;
  close(): Promise<void>;
}
