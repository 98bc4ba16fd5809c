import { describe, expect, it } from 'vitest';
import { createTurnShare } from './turn-share.js';

const SLICE = 10;
const PIECE = 4;

describe('createTurnShare', () => {
  it('runs the pieces of many callers one at a time, and no more than a slice of them between two loop turns', async () => {
    let clock = 0;
    const share = createTurnShare(SLICE, () => clock);
    let turn = 0;
    let stop = false;
    const ticker = () => {
      turn += 1;
      if (!stop) setImmediate(ticker);
    };
    setImmediate(ticker);
    let running = 0;
    const spentPerTurn = new Map<number, number>();
    const piece = async () => {
      running += 1;
      expect(running).toBe(1);
      const at = turn;
      await Promise.resolve(); // a piece may await (Kysely does) without letting another one in
      clock += PIECE;
      spentPerTurn.set(at, (spentPerTurn.get(at) ?? 0) + PIECE);
      running -= 1;
    };
    const caller = async () => {
      for (let i = 0; i < 10; i++) await share(piece);
    };
    await Promise.all(Array.from({ length: 5 }, caller));
    stop = true;
    const spent = [...spentPerTurn.values()];
    expect(spent.reduce((a, b) => a + b, 0)).toBe(50 * PIECE);
    // The piece that crosses the slice still finishes: one piece over at most.
    expect(Math.max(...spent)).toBeLessThanOrEqual(SLICE + PIECE);
    expect(spentPerTurn.size).toBeGreaterThanOrEqual((50 * PIECE) / (SLICE + PIECE));
  });

  it('gives a failed piece its error and the next caller its turn', async () => {
    const share = createTurnShare(SLICE);
    await expect(share(() => Promise.reject(new Error('broken read')))).rejects.toThrow('broken read');
    await expect(share(() => 42)).resolves.toBe(42);
  });
});
