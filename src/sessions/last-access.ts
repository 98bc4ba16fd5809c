import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.js';
import { type Access, updateLastAccess } from './sessions.repository.js';

/** How often remembered accesses are written: well inside the promised 60 s of freshness. */
export const LAST_ACCESS_FLUSH_MS = 15_000;

/**
 * Remembers each session's latest request in memory and writes them in one batch every
 * LAST_ACCESS_FLUSH_MS, so a busy session costs one write per interval, not one per request.
 */
export class LastAccessTracker {
  private pending = new Map<string, Access>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly db: Kysely<Schema>) {}

  /** `usedOn`: the protected app's host when the request came through forward auth; null: the console. */
  touch(sessionId: string, at: number, usedOn: string | null = null): void {
    this.pending.set(sessionId, { at, usedOn });
  }

  /** The newest access this instance saw but has not written yet. */
  unwritten(sessionId: string): Access | undefined {
    return this.pending.get(sessionId);
  }

  forget(sessionIds: readonly string[]): void {
    for (const id of sessionIds) this.pending.delete(id);
  }

  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    try {
      await updateLastAccess(this.db, batch);
    } catch (error) {
      // Keep what could not be written; newer touches win over the failed batch.
      for (const [id, access] of batch) if (!this.pending.has(id)) this.pending.set(id, access);
      throw error;
    }
  }

  start(onError: (error: unknown) => void): void {
    this.timer = setInterval(() => this.flush().catch(onError), LAST_ACCESS_FLUSH_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
