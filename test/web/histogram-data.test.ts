import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chartColumns, intervalMs, narrowedRange } from '../../web/src/features/activity/histogram-data.js';

const histogram = {
  interval: '3h',
  buckets: Array.from({ length: 56 }, (_, i) => ({
    start: new Date(Date.UTC(2026, 11, 1) + i * 3 * 3_600_000).toISOString(),
    total: i,
    failed: i % 3,
  })),
};
const FROM = Date.UTC(2026, 11, 1);
const H3 = 3 * 3_600_000;

describe('the histogram on the page', () => {
  it('reads the server’s interval names', () => {
    expect(intervalMs('15m')).toBe(900_000);
    expect(intervalMs('7d')).toBe(7 * 86_400_000);
    expect(() => intervalMs('1w')).toThrow();
  });

  it('puts each bar in the middle of its bucket', () => {
    const [xs, totals, failed] = chartColumns(histogram);
    expect(xs[0]).toBe((FROM + H3 / 2) / 1_000);
    expect(totals[5]).toBe(5);
    expect(failed[5]).toBe(2);
    // Nothing drawn for nothing: a 0 would be a flat bar along the axis.
    expect(totals[0]).toBeNull();
    expect(failed[3]).toBeNull();
  });

  it('narrows a click to its bucket and a drag to whole buckets, never beyond the chart', () => {
    expect(narrowedRange(histogram, FROM + H3 + 10, FROM + H3 + 10)).toEqual({
      from: new Date(FROM + H3).toISOString(),
      to: new Date(FROM + 2 * H3).toISOString(),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: FROM - 10 * H3, max: FROM + 70 * H3 }),
        fc.integer({ min: FROM - 10 * H3, max: FROM + 70 * H3 }),
        (a, b) => {
          const range = narrowedRange(histogram, a, b);
          const from = Date.parse(range?.from ?? '');
          const to = Date.parse(range?.to ?? '');
          expect((from - FROM) % H3).toBe(0);
          expect((to - FROM) % H3).toBe(0);
          expect(from).toBeGreaterThanOrEqual(FROM);
          expect(to).toBeLessThanOrEqual(FROM + 56 * H3);
          expect(to).toBeGreaterThan(from);
          expect(from).toBeLessThanOrEqual(Math.max(Math.min(a, b), FROM));
        },
      ),
    );
  });
});
