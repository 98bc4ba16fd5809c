import type { StreamFormat } from '../../contracts/streams.js';
import { signBody } from './stream-payload.js';

/** A receiver that has not answered by then has failed the attempt (PRODUCT.md). */
export const DELIVERY_TIMEOUT_MS = 10_000;

export interface StreamTarget {
  url: string;
  format: StreamFormat;
  secret: string;
  token: string | null;
}

export type DeliveryOutcome = { ok: true; status: number } | { ok: false; status?: number; error: string };

/** Sends one signed request; never throws. A 2xx is delivered; anything else names why not. */
export async function postToStream(
  target: StreamTarget,
  body: string,
  delivery: string,
  nowMs: number,
  options: { timeoutMs?: number; stop?: AbortSignal } = {},
): Promise<DeliveryOutcome> {
  const timeoutMs = options.timeoutMs ?? DELIVERY_TIMEOUT_MS;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'vault-sessions-stream',
    'x-vault-delivery': delivery,
    'x-vault-signature': signBody(target.secret, body, nowMs),
  };
  if (target.format === 'splunk_hec' && target.token !== null)
    headers.authorization = `Splunk ${target.token}`;
  try {
    // A redirect is not followed: the signed body goes only where the admin said.
    const response = await fetch(target.url, {
      method: 'POST',
      headers,
      body,
      redirect: 'manual',
      // Stopping the server ends the request too: a receiver that does not answer must not hold
      // the shutdown past its deadline (server-shutdown.ts).
      signal: options.stop
        ? AbortSignal.any([AbortSignal.timeout(timeoutMs), options.stop])
        : AbortSignal.timeout(timeoutMs),
    });
    // Only the status matters; an unread body would hold the connection.
    await response.body?.cancel().catch(() => {});
    if (response.status >= 200 && response.status < 300) return { ok: true, status: response.status };
    return { ok: false, status: response.status, error: `the receiver answered HTTP ${response.status}` };
  } catch (error) {
    return { ok: false, error: describeFailure(error, timeoutMs) };
  }
}

/** Undici's "fetch failed" hides the reason in `cause`: ECONNREFUSED, ENOTFOUND, a TLS error. */
function describeFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof DOMException && error.name === 'TimeoutError') {
    return `no answer within ${timeoutMs / 1000} s`;
  }
  const cause =
    error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  if (cause?.code) {
    // "connect ECONNREFUSED 127.0.0.1:9" says the code and where; other causes may not name the code.
    const detail = cause.message?.includes(cause.code) ? cause.message.replace(/^connect /, '') : cause.code;
    return `could not connect: ${detail}`;
  }
  return error instanceof Error ? error.message : String(error);
}
