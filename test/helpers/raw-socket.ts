import { connect, type Socket } from 'node:net';

/** A bare TCP connection to the server, for clients no HTTP library would imitate (slow, silent). */
export interface RawConnection {
  socket: Socket;
  /** Everything the server has sent so far. */
  received(): string;
  /** Resolves true once the server closed the connection, or false after `timeoutMs`. */
  closedWithin(timeoutMs: number): Promise<boolean>;
  /** Resolves with the first complete response head and body, or undefined if the server hung up first. */
  request(text: string, timeoutMs?: number): Promise<string | undefined>;
  close(): void;
}

/** Connects to `base` (an http://host:port URL), optionally from a given loopback address. */
export async function openRawConnection(
  base: string,
  options: { localAddress?: string } = {},
): Promise<RawConnection> {
  const { hostname, port } = new URL(base);
  const socket = connect({ host: hostname, port: Number(port), ...options });
  let data = '';
  let closed = false;
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const waiter of [...waiters]) waiter();
  };
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    data += chunk;
    wake();
  });
  socket.on('error', () => {});
  socket.on('close', () => {
    closed = true;
    wake();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });

  /** Waits until `done()` holds or the time is up; returns whether it held. */
  const until = (done: () => boolean, timeoutMs: number) =>
    new Promise<boolean>((resolve) => {
      const check = () => {
        if (!done()) return;
        finish(true);
      };
      const finish = (result: boolean) => {
        waiters.delete(check);
        clearTimeout(timer);
        resolve(result);
      };
      const timer = setTimeout(() => finish(done()), timeoutMs);
      waiters.add(check);
      check();
    });

  return {
    socket,
    received: () => data,
    closedWithin: (timeoutMs) => until(() => closed, timeoutMs),
    async request(text, timeoutMs = 2_000) {
      const start = data.length;
      socket.write(text);
      const complete = () => {
        const response = data.slice(start);
        const headEnd = response.indexOf('\r\n\r\n');
        if (headEnd === -1) return false;
        const length = Number(/content-length: *(\d+)/i.exec(response.slice(0, headEnd))?.[1] ?? 0);
        return response.length >= headEnd + 4 + length;
      };
      await until(() => complete() || closed, timeoutMs);
      return complete() ? data.slice(start) : undefined;
    },
    close: () => socket.destroy(),
  };
}

/** A keep-alive health check in raw HTTP/1.1. */
export const HEALTH_REQUEST = 'GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';
