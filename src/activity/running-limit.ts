import type { Actor } from '../kernel/actor.js';
import { AppError } from '../kernel/errors.js';

export interface RunningLimits {
  perInstance: number;
  perUser: number;
}

/** Gives a slot back; calling it again does nothing. */
export type Release = () => void;

/**
 * Counts the runs of one kind of long work (exports, chain verifications) on this instance and per
 * user, and refuses one more beyond either limit. Taking a slot is synchronous, check and count
 * together, so requests arriving in the same turn cannot all pass the check before any counts.
 */
export function createRunningLimit(what: string, limits: RunningLimits) {
  let running = 0;
  const byUser = new Map<string, number>();
  return {
    /** A slot for the actor, or RATE_LIMITED (429) naming the limit that was reached. */
    take(actor: Actor): Release {
      // The CLI's operator has no user id; operators share one count per org.
      const key = actor.userId ?? `operator:${actor.orgId}`;
      const mine = byUser.get(key) ?? 0;
      if (mine >= limits.perUser) {
        throw new AppError(
          'RATE_LIMITED',
          `At most ${limits.perUser} ${what} per user can run at once; wait for yours to finish`,
          { 'retry-after': '5' },
        );
      }
      if (running >= limits.perInstance) {
        throw new AppError(
          'RATE_LIMITED',
          `At most ${limits.perInstance} ${what} can run at once on this server; try again shortly`,
          { 'retry-after': '5' },
        );
      }
      running += 1;
      byUser.set(key, mine + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        running -= 1;
        const left = (byUser.get(key) ?? 1) - 1;
        if (left === 0) byUser.delete(key);
        else byUser.set(key, left);
      };
    },
  };
}
