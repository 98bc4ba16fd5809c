import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chooseInterval, fillBuckets, INTERVALS, MAX_BUCKETS } from './histogram.js';

const YEAR = 365 * 86_400_000;

describe('the histogram’s intervals', () => {
  it('cuts any period from 30 s to the 10,000 years from 0001-01-01 to 9999-12-31 into 30 to 100 buckets', () => {
    const longest = Date.parse('+010000-01-01T00:00:00Z') - Date.parse('0001-01-01T00:00:00Z');
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 30_000, max: 8 * YEAR }), fc.integer({ min: 30_000, max: longest })),
        (periodMs) => {
          const buckets = Math.ceil(periodMs / chooseInterval(periodMs).ms);
          expect(buckets).toBeGreaterThanOrEqual(30);
          expect(buckets).toBeLessThanOrEqual(MAX_BUCKETS);
        },
      ),
    );
  });

  it('names the presets as a person reads them', () => {
    expect(chooseInterval(86_400_000).name).toBe('15m');
    expect(chooseInterval(7 * 86_400_000).name).toBe('3h');
    expect(chooseInterval(30 * 86_400_000).name).toBe('12h');
    expect(chooseInterval(YEAR).name).toBe('7d');
    expect(INTERVALS.map((i) => i.ms)).toEqual([...INTERVALS.map((i) => i.ms)].sort((a, b) => a - b));
  });

  it('fills every bucket in order, empty ones as 0, the counts where they belong', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.integer({ min: 1, max: 10 * YEAR }),
        fc.array(fc.nat(), { maxLength: 50 }),
        (from, periodMs, raw) => {
          const interval = chooseInterval(periodMs);
          const count = Math.ceil(periodMs / interval.ms);
          const counts = [...new Set(raw.map((n) => n % count))].map((index) => ({
            index,
            total: index + 2,
            failed: 1,
          }));
          const buckets = fillBuckets(from, from + periodMs, interval, counts);
          expect(buckets).toHaveLength(count);
          buckets.forEach((bucket, index) => {
            expect(Date.parse(bucket.start)).toBe(from + index * interval.ms);
            const found = counts.find((c) => c.index === index);
            expect(bucket.total).toBe(found ? index + 2 : 0);
          });
        },
      ),
    );
  });

  it('puts the rows at or after the end of an open period into the last bucket, losing none', () => {
    const interval = chooseInterval(86_400_000);
    const buckets = fillBuckets(0, 86_400_000, interval, [
      { index: 95, total: 1, failed: 0 },
      { index: 96, total: 5, failed: 2 },
      { index: 200, total: 1, failed: 1 },
    ]);
    expect(buckets).toHaveLength(96);
    expect(buckets[95]).toMatchObject({ total: 7, failed: 3 });
  });
});
