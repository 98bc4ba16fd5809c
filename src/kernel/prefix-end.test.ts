import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { prefixEnd } from './prefix-end.js';

/** Code point order: the order of the UTF-8 bytes, as the engines compare (not JavaScript's UTF-16 order). */
const compare = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
const text = fc.string({ unit: 'grapheme', maxLength: 6 });
const edgeChars = fc.constantFrom('\u{D7FF}', '\u{E000}', '\u{FFFF}', '\u{10000}', '\u{10FFFF}', 'a', 'z');
const edgy = fc.array(edgeChars, { minLength: 1, maxLength: 4 }).map((chars) => chars.join(''));

describe('prefixEnd', () => {
  it('bounds exactly the strings that start with the prefix', () => {
    fc.assert(
      fc.property(fc.oneof(text, edgy), fc.oneof(text, edgy), (prefix, s) => {
        fc.pre(prefix.length > 0);
        const end = prefixEnd(prefix);
        const inRange = compare(s, prefix) >= 0 && (end === undefined || compare(s, end) < 0);
        expect(inRange).toBe(s.startsWith(prefix));
        const extended = prefix + s;
        expect(compare(extended, prefix) >= 0 && (end === undefined || compare(extended, end) < 0)).toBe(
          true,
        );
      }),
      { numRuns: 2_000 },
    );
  });

  it('has no end for text that is not well-formed, or only for the last code points', () => {
    expect(prefixEnd('a\uD800')).toBeUndefined();
    expect(prefixEnd('\u{10FFFF}\u{10FFFF}')).toBeUndefined();
    expect(prefixEnd('a\u{10FFFF}')).toBe('b');
  });
});
