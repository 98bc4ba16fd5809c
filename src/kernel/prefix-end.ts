/**
 * The least string above every string that starts with `prefix`, in code point order (the order
 * of UTF-8 bytes, in which both engines compare these columns), for a range that an index serves
 * where LIKE would not: `>= prefix and < prefixEnd(prefix)`. Undefined when there is none: the
 * prefix is not well-formed text, or every character of it is the last code point.
 */
export function prefixEnd(prefix: string): string | undefined {
  if (!prefix.isWellFormed()) return undefined;
  const chars = [...prefix];
  // The last code point has no successor: the character before it is raised instead.
  while (chars.at(-1) === '\u{10FFFF}') chars.pop();
  const last = chars.pop()?.codePointAt(0);
  if (last === undefined) return undefined;
  // The surrogates are no characters: after U+D7FF comes U+E000.
  const next = last === 0xd7ff ? 0xe000 : last + 1;
  return chars.join('') + String.fromCodePoint(next);
}
