import type { Selectable } from 'kysely';
import type { StreamFormat, StreamState } from '../../contracts/streams.js';

/** A push of an org's activity log to a SIEM (migration 021, decision 020). */
export interface ActivityStreamTable {
  id: string;
  orgId: string;
  name: string;
  url: string;
  format: StreamFormat;
  /** Signs every request (HMAC-SHA256); never returned by the API. */
  secret: string;
  /** Splunk HEC's token; never returned by the API. */
  token: string | null;
  /** 1: `secret` and `token` are sealed (stream-secrets.ts); 0: a row of before migration 026, until sealed. */
  sealed: number;
  state: StreamState;
  createdAt: number;
  createdBy: string | null;
  /** The last seq of the org's chain the receiver acknowledged; delivery goes on from the next. */
  deliveredSeq: number;
  lastError: string | null;
  lastErrorAt: number | null;
  lastSuccessAt: number | null;
  /** When the current run of failed deliveries began; null while they succeed. */
  failingSince: number | null;
  /** The instance running the delivery loop, until `leaseUntil` (ms). */
  leaseOwner: string | null;
  leaseUntil: number;
}

export type ActivityStreamRow = Selectable<ActivityStreamTable>;
