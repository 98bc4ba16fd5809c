import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  /** What the receiver answered. */
  status: number;
}

/** How the receiver answers: 200, an HTTP status of failure, or never (the sender times out). */
export type ReceiverMode = { status: number } | 'hang';

/**
 * A SIEM collector on a loopback port: records every request, answers as told, and can stop
 * listening (connections refused) and come back on the same port.
 */
export class StreamReceiver {
  readonly received: Received[] = [];
  mode: ReceiverMode = { status: 200 };
  private server: Server | undefined;
  private port = 0;
  private waiters: Array<() => void> = [];

  get url(): string {
    return `http://127.0.0.1:${this.port}/collect`;
  }

  async listen(): Promise<this> {
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (this.mode === 'hang') {
          // Kept (status 0: no answer) and never answered.
          this.received.push({ headers: request.headers, body, status: 0 });
          for (const wake of this.waiters.splice(0)) wake();
          return;
        }
        const { status } = this.mode;
        this.received.push({
          headers: request.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          status,
        });
        response.writeHead(status).end();
        for (const wake of this.waiters.splice(0)) wake();
      });
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  /** Stops listening: the next attempts are refused. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }

  /** Resolves once `done()` holds, checked after every request (a test's timeout bounds it). */
  async until(done: () => boolean): Promise<void> {
    while (!done()) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** The events of the json batches answered 2xx (of one stream, or all), in the order they came. */
  acceptedEvents(streamId?: string): Array<Record<string, unknown> & { seq: number }> {
    return this.received
      .filter((r) => r.headers['x-vault-delivery'] !== 'test' && r.status >= 200 && r.status < 300)
      .map(
        (r) =>
          JSON.parse(r.body) as { stream: string; events: Array<Record<string, unknown> & { seq: number }> },
      )
      .filter((batch) => streamId === undefined || batch.stream === streamId)
      .flatMap((batch) => batch.events);
  }
}

/** A receiver's check of X-Vault-Signature, as README shows it. */
export function signatureIsValid(secret: string, received: Received): boolean {
  const header = String(received.headers['x-vault-signature'] ?? '');
  const parts = Object.fromEntries(header.split(',').map((part) => part.split('=') as [string, string]));
  if (!parts.t || !parts.v1) return false;
  const expected = createHmac('sha256', secret).update(`${parts.t}.${received.body}`).digest();
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
