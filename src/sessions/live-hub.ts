import type { LiveEvent } from './live-events.js';

/** One open Server-Sent Events stream of one session. */
export interface LiveStream {
  sessionId: string;
  userId: string;
  orgId: string;
  isAdmin: boolean;
  send(event: string, data: unknown): void;
  close(): void;
}

const REMEMBERED_EVENT_IDS = 1_000;

/** This instance's open streams, and the routing of live events to them. */
export class LiveHub {
  private readonly bySession = new Map<string, Set<LiveStream>>();
  private readonly byOrg = new Map<string, Set<LiveStream>>();
  // An event can arrive twice (delivered locally, then echoed by LISTEN); deliver it once.
  private readonly seen = new Set<string>();

  add(stream: LiveStream): void {
    addTo(this.bySession, stream.sessionId, stream);
    addTo(this.byOrg, stream.orgId, stream);
  }

  remove(stream: LiveStream): void {
    removeFrom(this.bySession, stream.sessionId, stream);
    removeFrom(this.byOrg, stream.orgId, stream);
  }

  get size(): number {
    let n = 0;
    for (const set of this.bySession.values()) n += set.size;
    return n;
  }

  deliver(id: string, event: LiveEvent): void {
    if (this.seen.has(id)) return;
    this.seen.add(id);
    if (this.seen.size > REMEMBERED_EVENT_IDS) this.seen.delete(this.seen.values().next().value as string);

    if (event.type === 'session-ended') {
      for (const { sessionId } of event.sessions) {
        for (const stream of [...(this.bySession.get(sessionId) ?? [])]) {
          stream.send('session-ended', { reason: event.reason });
          stream.close();
        }
      }
    }
    const userIds = new Set(
      event.type === 'session-ended' ? event.sessions.map((s) => s.userId) : event.userIds,
    );
    for (const stream of this.byOrg.get(event.orgId) ?? []) {
      if (stream.isAdmin || userIds.has(stream.userId)) stream.send('sessions-changed', {});
    }
  }

  /** Ends every stream, e.g. at shutdown, so clients reconnect to another instance. */
  closeAll(): void {
    for (const set of this.bySession.values()) for (const stream of [...set]) stream.close();
  }
}

function addTo(map: Map<string, Set<LiveStream>>, key: string, stream: LiveStream): void {
  const set = map.get(key) ?? new Set();
  set.add(stream);
  map.set(key, set);
}

function removeFrom(map: Map<string, Set<LiveStream>>, key: string, stream: LiveStream): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(stream);
  if (set.size === 0) map.delete(key);
}
