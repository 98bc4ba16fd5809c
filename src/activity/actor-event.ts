import type { Actor } from '../kernel/actor.js';
import type { ActivityEvent } from './chain/record.js';

/** What an actor did, as a successful activity: who, from which session and address, to what. */
export function actorEvent(actor: Actor, now: number, activity: string, target: string): ActivityEvent {
  return {
    occurredAt: now,
    userId: actor.userId,
    username: actor.username,
    activity,
    status: 'success',
    target,
    publicIp: actor.publicIp,
    sessionId: actor.sessionId,
  };
}
