import { describe, expect, it } from 'vitest';
import { batchedPerTurn, oncePerTurn } from './per-turn.js';

describe('oncePerTurn', () => {
  it('runs once for all callers of a turn, and again for the next turn', async () => {
    let runs = 0;
    const run = oncePerTurn(() => ++runs);
    expect(await Promise.all([run(), run(), run()])).toEqual([1, 1, 1]);
    expect(await run()).toBe(2);
  });

  it('runs after what the caller did in its own turn', async () => {
    let state = 'before';
    const run = oncePerTurn(() => state);
    const seen = run();
    state = 'after'; // e.g. a commit landing after the request arrived, in the same turn
    expect(await seen).toBe('after');
  });
});

describe('batchedPerTurn', () => {
  const setup = () => {
    const calls: string[][] = [];
    const lookup = batchedPerTurn(async (keys) => {
      calls.push(keys);
      return new Map(keys.filter((k) => k !== 'unknown').map((k) => [k, k.toUpperCase()]));
    });
    return { lookup, calls };
  };

  it('looks up every key of one turn in one call and hands each caller its own row', async () => {
    const { lookup, calls } = setup();
    expect(await Promise.all([lookup('a'), lookup('b'), lookup('unknown'), lookup('a')])).toEqual([
      'A',
      'B',
      undefined,
      'A',
    ]);
    expect(calls).toEqual([['a', 'b', 'unknown']]);
  });

  it('starts a new call for keys asked for in a later turn', async () => {
    const { lookup, calls } = setup();
    await lookup('a');
    await lookup('b');
    expect(calls).toEqual([['a'], ['b']]);
  });

  it('fails every caller of the turn when the lookup fails (fail closed)', async () => {
    const lookup = batchedPerTurn<string>(async () => {
      throw new Error('connection refused');
    });
    const results = await Promise.allSettled([lookup('a'), lookup('b')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });
});
