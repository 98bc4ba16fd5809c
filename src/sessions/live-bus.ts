import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { LiveBus, LiveEvent } from './live-events.js';
import type { LiveHub } from './live-hub.js';

/** One process, one hub: delivery is a function call (the embedded SQLite setup). */
export function createMemoryBus(hub: LiveHub): LiveBus {
  return {
    async publish(event) {
      hub.deliver(randomUUID(), event);
    },
    async close() {},
  };
}

// NOTIFY payloads must stay under 8000 bytes; 60 session/user id pairs leave ample room.
const SESSIONS_PER_NOTIFY = 60;
const RECONNECT_DELAY_MS = 500;

interface PostgresBusOptions {
  url: string;
  channel: string;
  hub: LiveHub;
  onError?: (error: Error) => void;
}

/**
 * Several instances share one PostgreSQL: every instance LISTENs, and a publish NOTIFYs
 * them all. The publishing instance also delivers locally at once (the echo is deduplicated).
 */
export async function createPostgresBus(options: PostgresBusOptions): Promise<LiveBus> {
  const { url, channel, hub } = options;
  let closed = false;
  let listener: pg.Client | undefined;
  const publisher = new pg.Pool({ connectionString: url, max: 2 });
  publisher.on('error', () => {});

  const connect = async (): Promise<void> => {
    const client = new pg.Client({ connectionString: url });
    client.on('notification', (message) => {
      if (message.channel !== channel || !message.payload) return;
      const { id, event } = JSON.parse(message.payload) as { id: string; event: LiveEvent };
      hub.deliver(id, event);
    });
    client.on('error', (error) => {
      options.onError?.(error);
      reconnectSoon();
    });
    await client.connect();
    await client.query(`LISTEN ${channel}`);
    listener = client;
  };
  const reconnectSoon = () => {
    listener?.end().catch(() => {});
    listener = undefined;
    if (!closed) setTimeout(() => connect().catch(reconnectSoon), RECONNECT_DELAY_MS).unref();
  };
  await connect();

  return {
    async publish(event) {
      for (const part of splitForNotify(event)) {
        const id = randomUUID();
        hub.deliver(id, part);
        await publisher.query('select pg_notify($1, $2)', [channel, JSON.stringify({ id, event: part })]);
      }
    },
    async close() {
      closed = true;
      await listener?.end().catch(() => {});
      await publisher.end();
    },
  };
}

function splitForNotify(event: LiveEvent): LiveEvent[] {
  if (event.type !== 'session-ended' || event.sessions.length <= SESSIONS_PER_NOTIFY) return [event];
  const parts: LiveEvent[] = [];
  for (let i = 0; i < event.sessions.length; i += SESSIONS_PER_NOTIFY) {
    parts.push({ ...event, sessions: event.sessions.slice(i, i + SESSIONS_PER_NOTIFY) });
  }
  return parts;
}
