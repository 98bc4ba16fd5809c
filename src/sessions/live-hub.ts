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

/** How many streams may be open at once on this instance; each holds a socket (a file descriptor). */
export interface StreamLimits {
  perSession: number;
  perUser: number;
  perInstance: number;
}

/** Enough for every tab of a browser, and a few browsers per user. */
export const MAX_STREAMS_PER_SESSION = 10;
export const MAX_STREAMS_PER_USER = 30;

/** Which limit refused a stream, and its value. */
export type StreamRefusal = { limit: keyof StreamLimits; max: number };

const REMEMBERED_EVENT_IDS = 1_000;

/** This instance's open streams, and the routing of live events to them. */
export class LiveHub {
  private readonly bySession = new Map<string, Set<LiveStream>>();
  private readonly byUser = new Map<string, Set<LiveStream>>();
  private readonly byOrg = new Map<string, Set<LiveStream>>();
  private readonly all = new Set<LiveStream>();
  // An event can arrive twice (delivered locally, then echoed by LISTEN); deliver it once.
  private readonly seen = new Set<string>();

  constructor(
    private readonly limits: StreamLimits = {
      perSession: MAX_STREAMS_PER_SESSION,
      perUser: MAX_STREAMS_PER_USER,
      perInstance: Number.POSITIVE_INFINITY,
    },
  ) {}

  /**
   * Adds the stream unless that would pass a limit. Checking and adding in one synchronous step
   * is what keeps concurrent opens from overshooting: no other open can run in between.
   */
  admit(stream: LiveStream): StreamRefusal | undefined {
    const { perSession, perUser, perInstance } = this.limits;
    if ((this.bySession.get(stream.sessionId)?.size ?? 0) >= perSession) {
      return { limit: 'perSession', max: perSession };
    }
    if ((this.byUser.get(stream.userId)?.size ?? 0) >= perUser) return { limit: 'perUser', max: perUser };
    if (this.all.size >= perInstance) return { limit: 'perInstance', max: perInstance };
    this.all.add(stream);
    addTo(this.bySession, stream.sessionId, stream);
    addTo(this.byUser, stream.userId, stream);
    addTo(this.byOrg, stream.orgId, stream);
    return undefined;
  }

  remove(stream: LiveStream): void {
    this.all.delete(stream);
    removeFrom(this.bySession, stream.sessionId, stream);
    removeFrom(this.byUser, stream.userId, stream);
    removeFrom(this.byOrg, stream.orgId, stream);
  }

  get size(): number {
    return this.all.size;
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
    for (const stream of [...this.all]) stream.close();
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
