import { createHmac } from 'node:crypto';
import type { StreamFormat } from '../../contracts/streams.js';
import type { EncodedEvent } from './encoded-events.repository.js';

/** The request body of one batch, in the stream's format, around the events' own JSON. */
export function encodeBatch(format: StreamFormat, streamId: string, events: readonly EncodedEvent[]): string {
  if (format === 'json') {
    const first = events[0]?.seq ?? 0;
    const last = events[events.length - 1]?.seq ?? 0;
    const head = JSON.stringify({ stream: streamId, first, last });
    return `${head.slice(0, -1)},"events":[${events.map((event) => event.json).join(',')}]}`;
  }
  // Splunk HEC takes event objects one after another; a newline keeps them readable.
  return events
    .map(
      (event) =>
        `{"time":${event.occurredAt / 1000},"host":"vault-sessions","source":"vault-sessions","sourcetype":"vault:activity","event":${event.json}}`,
    )
    .join('\n');
}

/** What the test button sends: the stream's id and nothing to ingest. */
export const encodeTest = (streamId: string): string =>
  JSON.stringify({ stream: streamId, test: true, events: [] });

/**
 * `X-Vault-Signature`: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. A fresh `t`
 * each attempt, so a receiver that refuses old ones refuses a replay, not a retry.
 */
export function signBody(secret: string, body: string, nowMs: number): string {
  const t = Math.floor(nowMs / 1000);
  const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return `t=${t},v1=${v1}`;
}
