import type { SecretBox } from '../../kernel/secret-box.js';
import type { StreamTarget } from './stream-delivery.js';
import type { ActivityStreamRow } from './streams.table.js';

/** What each sealed value is bound to: a secret copied into another stream's row does not open. */
const secretContext = (streamId: string) => `stream-secret:${streamId}`;
const tokenContext = (streamId: string) => `stream-token:${streamId}`;

/** A box that must be there: streams sign with their secret, which is never stored in the clear. */
export function requireBox(box: SecretBox | undefined): SecretBox {
  if (!box) throw new Error('no secrets key (SECRETS_KEY_FILE): stream secrets cannot be sealed or read');
  return box;
}

/** The stored columns of a stream's secret and HEC token. */
export function sealStreamSecrets(
  box: SecretBox,
  streamId: string,
  plain: { secret: string; token: string | null },
): { secret: string; token: string | null; sealed: number } {
  return {
    secret: box.seal(plain.secret, secretContext(streamId)),
    token: plain.token === null ? null : box.seal(plain.token, tokenContext(streamId)),
    sealed: 1,
  };
}

/** Where and how to deliver: the row with its secret and token opened (as stored, on an old unsealed row). */
export function streamTarget(box: SecretBox | undefined, row: ActivityStreamRow): StreamTarget {
  if (row.sealed === 0) return row;
  const open = requireBox(box);
  return {
    url: row.url,
    format: row.format,
    secret: open.open(row.secret, secretContext(row.id)),
    token: row.token === null ? null : open.open(row.token, tokenContext(row.id)),
  };
}
