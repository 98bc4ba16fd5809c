import { invalidInput } from './errors.js';

/** The values of the last row shown, in the list's sort order. */
export type CursorKey = Array<string | number>;
export type CursorKeyKind = 'string' | 'number';

/** Fields a list writes into its cursors so one cannot be replayed on another list or order. */
export type CursorTag = Record<string, string>;

/** Longest string a cursor's key may hold (any column a list sorts by fits). */
const MAX_KEY_STRING = 256;

/**
 * A page's `nextCursor`: the list's tag and the last row's sort key, opaque to the client.
 * It holds nothing the client could not see (values of a row it was shown), so it needs no signature;
 * what comes back is checked for shape and used only as bound parameters.
 */
export function encodeKeysetCursor(tag: CursorTag, key: CursorKey): string {
  return Buffer.from(JSON.stringify({ ...tag, k: key })).toString('base64url');
}

/**
 * The sort key a cursor continues after, or a 400 with `refusal` for one that this list, with
 * this tag, did not give: another tag, another key length or kinds, or no cursor at all.
 */
export function decodeKeysetCursor(
  cursor: string,
  tag: CursorTag,
  kinds: readonly CursorKeyKind[],
  refusal: string,
): CursorKey {
  const refused = invalidInput(refusal);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw refused;
  }
  if (typeof parsed !== 'object' || parsed === null) throw refused;
  const fields = parsed as Record<string, unknown>;
  if (Object.entries(tag).some(([name, value]) => fields[name] !== value)) throw refused;
  const k = fields.k;
  if (!Array.isArray(k) || k.length !== kinds.length) throw refused;
  const valid = k.every((value, i) =>
    kinds[i] === 'number'
      ? Number.isSafeInteger(value)
      : typeof value === 'string' && value.length <= MAX_KEY_STRING,
  );
  if (!valid) throw refused;
  return k as CursorKey;
}
