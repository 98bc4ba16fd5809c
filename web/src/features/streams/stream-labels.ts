import type { Stream, StreamFormat, StreamState, StreamTestResult } from '../../api/types.ts';
import { formatCount } from '../../lib/format.ts';

/** The formats in the words of the form's select and the table. */
export const FORMAT_LABELS: Record<StreamFormat, string> = {
  json: 'JSON webhook',
  splunk_hec: 'Splunk HEC',
};

/** The select's order; typed by the record so a new format cannot be left out. */
export const FORMATS = Object.keys(FORMAT_LABELS) as StreamFormat[];

export const STATE_LABELS: Record<StreamState, string> = {
  active: 'Delivering',
  failed: 'Failed',
};

/** What the receiver has yet to get: the org's activities after the last one it acknowledged. */
export function lagLabel(lag: number): string {
  return lag === 0 ? 'up to date' : `${formatCount(lag)} behind`;
}

/**
 * An active stream whose last attempt failed: the loop is backing off and trying again, so
 * "Delivering" alone would promise more than is happening.
 */
export function isRetrying(stream: Pick<Stream, 'state' | 'lastErrorAt' | 'lastSuccessAt'>): boolean {
  if (stream.state !== 'active' || stream.lastErrorAt === null) return false;
  return stream.lastSuccessAt === null || Date.parse(stream.lastErrorAt) > Date.parse(stream.lastSuccessAt);
}

/** A URL in pieces to wrap between: after a path's slash, before a query's ? and &, never inside a word. */
export function urlPieces(url: string): string[] {
  return url.split(/(?<=\/)(?!\/)|(?=[?&])/);
}

/** A test's outcome as one line beside the row's buttons. */
export function testResultLabel(result: StreamTestResult): string {
  if (result.delivered)
    return result.status === undefined ? 'Delivered' : `Delivered (HTTP ${result.status})`;
  if (result.error) return `Not delivered: ${result.error}`;
  return result.status === undefined ? 'Not delivered' : `Not delivered (HTTP ${result.status})`;
}

export const SECRET_BYTES = 32;

/** A signing secret for the form's Generate button: 32 random bytes as 64 hex characters. */
export function generateSecret(random: (bytes: Uint8Array) => Uint8Array = (b) => crypto.getRandomValues(b)) {
  return Array.from(random(new Uint8Array(SECRET_BYTES)), (b) => b.toString(16).padStart(2, '0')).join('');
}

const FIELDS = ['name', 'url', 'format', 'secret', 'token', 'fromSeq'] as const;
export type StreamField = (typeof FIELDS)[number];

/**
 * The form field an API error names, so the message can sit under it: the schema's
 * "body.secret must NOT have fewer than 16 characters" or the service's "token is required…".
 */
export function fieldOfError(message: string): StreamField | null {
  const match = /^(?:body\.)?([A-Za-z]+)\b/.exec(message);
  const word = match?.[1];
  return FIELDS.find((field) => field === word) ?? null;
}
