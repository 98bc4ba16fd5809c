import { createHmac } from 'node:crypto';
import type { Activity } from '../../contracts/activity.js';
import type { StreamFormat } from '../../contracts/streams.js';
import { toActivity } from '../activity.js';
import type { ChainedActivityRow } from './streams.repository.js';

/** An activity as a stream sends it (PRODUCT.md): the Activity, its seq and hash in the org's chain. */
export interface StreamEvent extends Activity {
  seq: number;
  orgId: string;
  hash: string;
}

export function toStreamEvent(orgId: string, row: ChainedActivityRow): StreamEvent {
  return { ...toActivity(row), seq: row.seq, orgId, hash: row.hash };
}

/** The request body of one batch, in the stream's format. */
export function encodeBatch(format: StreamFormat, streamId: string, events: readonly StreamEvent[]): string {
  if (format === 'json') {
    const first = events[0]?.seq ?? 0;
    const last = events[events.length - 1]?.seq ?? 0;
    return JSON.stringify({ stream: streamId, first, last, events });
  }
  // Splunk HEC takes event objects one after another; a newline keeps them readable.
  return events
    .map((event) =>
      JSON.stringify({
        time: Date.parse(event.occurredAt) / 1000,
        host: 'vault-sessions',
        source: 'vault-sessions',
        sourcetype: 'vault:activity',
        event,
      }),
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
