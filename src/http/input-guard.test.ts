import { describe, expect, it } from 'vitest';
import { findInputProblem, MAX_INPUT_DEPTH } from './input-guard.js';

describe('findInputProblem', () => {
  it('accepts well-formed input, astral characters included', () => {
    expect(findInputProblem({ a: ['x', 1, -0, null, true, { b: '💾 é' }] }, 'body')).toBeUndefined();
  });

  it('names the first offending field in document order', () => {
    const body = { events: [{ target: 'ok' }, { target: 'a\u0000b', details: '\ud800' }] };
    expect(findInputProblem(body, 'body')).toBe('body.events.1.target contains a NUL character');
  });

  it.each([
    ['\ud800', 'contains an unpaired surrogate'],
    ['x\udfff', 'contains an unpaired surrogate'],
    ['\udc00\ud800', 'contains an unpaired surrogate'],
    [Number.POSITIVE_INFINITY, 'must be a finite number'],
    [Number.NaN, 'must be a finite number'],
  ])('refuses %j', (value, problem) => {
    expect(findInputProblem({ q: value }, 'query')).toBe(`query.q ${problem}`);
  });

  it('checks keys without echoing them', () => {
    expect(findInputProblem({ a: { '\ud800': 1 } }, 'body')).toBe(
      'body.a has a key that contains an unpaired surrogate',
    );
  });

  it('stops at the depth bound without recursing, however deep the input', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(findInputProblem(deep, 'body')).toMatch(
      new RegExp(`nests deeper than ${MAX_INPUT_DEPTH} levels$`),
    );
    let allowed: unknown = 'leaf';
    for (let i = 0; i < MAX_INPUT_DEPTH; i++) allowed = { a: allowed };
    expect(findInputProblem(allowed, 'body')).toBeUndefined();
  });
});
