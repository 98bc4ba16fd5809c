import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { asText } from './helpers/fuzz/requests.js';

// The route fuzzer once died in its own generator (CI, 2026-12-03): String({ toString: 1 }) throws.
describe('route fuzzer: generated values as URL text', () => {
  it('writes any JSON value, even one with a toString key, without throwing', () => {
    expect(asText({ toString: 1 })).toBe('{"toString":1}');
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 3 }), (value) => typeof asText(value) === 'string'));
  });
});
