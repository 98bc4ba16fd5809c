import { performance } from 'node:perf_hooks';

/** One Server-Sent Event as a browser's EventSource would dispatch it. */
export interface SseEvent {
  event: string;
  /** The `data:` lines joined, parsed as JSON when they are JSON. */
  data: unknown;
  /** `performance.now()` when the event was complete on the client. */
  receivedAt: number;
}

export class SseTimeout extends Error {}

/** An open (or refused) event stream, read with Node's fetch. */
export interface SseStream {
  status: number;
  headers: Headers;
  /** The body of a response that is not an event stream (e.g. a 401 JSON error). */
  body: string | undefined;
  /** The next event; `null` once the server closed the stream; throws SseTimeout after `timeoutMs`. */
  next(timeoutMs?: number): Promise<SseEvent | null>;
  /** The next event of this name (others are skipped); throws SseTimeout or on close. */
  waitFor(event: string, timeoutMs?: number): Promise<SseEvent>;
  /** Everything that arrives within `ms`, and whether the server closed the stream meanwhile. */
  collect(ms: number): Promise<{ events: SseEvent[]; closed: boolean }>;
  /** True once the server ended the stream (not counting our own `close()`). */
  readonly closedByServer: boolean;
  /** `performance.now()` when the server ended the stream. */
  readonly closedAt: number | undefined;
  /** Hangs up from the client side. */
  close(): void;
}

const DEFAULT_TIMEOUT_MS = 2_000;

/** Opens `url` as an event stream (with the session cookie, if any) and parses it incrementally. */
export async function openSse(url: string, options: { cookie?: string } = {}): Promise<SseStream> {
  const abort = new AbortController();
  const headers: Record<string, string> = { accept: 'text/event-stream' };
  if (options.cookie) headers.cookie = options.cookie;
  const response = await fetch(url, { headers, signal: abort.signal });
  const isStream = (response.headers.get('content-type') ?? '').startsWith('text/event-stream');

  const queue: SseEvent[] = [];
  const waiters = new Set<() => void>();
  let ended = false;
  let closedAt: number | undefined;
  const wake = () => {
    for (const waiter of [...waiters]) waiter();
  };

  let body: string | undefined;
  if (!isStream) {
    body = await response.text();
    ended = true;
  } else if (response.body) {
    void pump(response.body, (event) => {
      queue.push(event);
      wake();
    })
      .catch(() => {})
      .finally(() => {
        if (!abort.signal.aborted) closedAt = performance.now();
        ended = true;
        wake();
      });
  }

  const next = (timeoutMs = DEFAULT_TIMEOUT_MS): Promise<SseEvent | null> =>
    new Promise((resolve, reject) => {
      const settle = () => {
        const event = queue.shift();
        if (event === undefined && !ended) return false;
        waiters.delete(settle);
        clearTimeout(timer);
        resolve(event ?? null);
        return true;
      };
      const timer = setTimeout(() => {
        waiters.delete(settle);
        reject(new SseTimeout(`no event within ${timeoutMs} ms`));
      }, timeoutMs);
      if (!settle()) waiters.add(settle);
    });

  return {
    status: response.status,
    headers: response.headers,
    body,
    next,
    async waitFor(name, timeoutMs = DEFAULT_TIMEOUT_MS) {
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        const event = await next(Math.max(1, deadline - performance.now()));
        if (event === null) throw new Error(`stream closed before a "${name}" event`);
        if (event.event === name) return event;
      }
    },
    async collect(ms) {
      const events: SseEvent[] = [];
      const deadline = performance.now() + ms;
      for (;;) {
        const left = deadline - performance.now();
        if (left <= 0) return { events, closed: false };
        try {
          const event = await next(left);
          if (event === null) return { events, closed: true };
          events.push(event);
        } catch (error) {
          if (error instanceof SseTimeout) return { events, closed: false };
          throw error;
        }
      }
    },
    get closedByServer() {
      return closedAt !== undefined;
    },
    get closedAt() {
      return closedAt;
    },
    close() {
      abort.abort();
    },
  };
}

/** Reads the body and hands over each complete event (comments and `retry:` lines are skipped). */
async function pump(body: ReadableStream<Uint8Array>, onEvent: (event: SseEvent) => void): Promise<void> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true }).replace(/\r\n?/g, '\n');
    for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = parseBlock(block);
      if (event) onEvent(event);
    }
  }
}

function parseBlock(block: string): SseEvent | undefined {
  let name = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') name = value;
    else if (field === 'data') data.push(value);
  }
  // Per the spec, a block without data dispatches nothing (e.g. the `retry:` preamble).
  if (data.length === 0) return undefined;
  const text = data.join('\n');
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: keep the text.
  }
  return { event: name, data: parsed, receivedAt: performance.now() };
}

/** Starts `app` on a free loopback port and returns its base URL. */
export async function listenOnLoopback(app: {
  listen(options: { port: number; host: string }): Promise<string>;
}): Promise<string> {
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return address.replace('localhost', '127.0.0.1');
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  json: unknown;
  /** `performance.now()` when the whole response had arrived. */
  returnedAt: number;
}

/** One request over real HTTP with a session cookie (Node's fetch: pooled keep-alive connections). */
export async function callApi(
  base: string,
  cookie: string | undefined,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: object,
): Promise<ApiResponse> {
  const headers: Record<string, string> = {};
  if (cookie) headers.cookie = cookie;
  if (body) headers['content-type'] = 'application/json';
  const response = await fetch(`${base}${path}`, {
    method,
    headers,
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  const returnedAt = performance.now();
  return {
    status: response.status,
    headers: response.headers,
    json: text ? JSON.parse(text) : null,
    returnedAt,
  };
}
