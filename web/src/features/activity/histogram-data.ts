import type { ActivityHistogram } from '../../api/types.ts';

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `15m` → 900,000; what the server names its intervals with. */
export function intervalMs(name: string): number {
  const match = /^(\d+)([smhd])$/.exec(name);
  if (!match) throw new Error(`not an interval: ${name}`);
  return Number(match[1]) * (UNIT_MS[match[2] as string] as number);
}

/**
 * The chart's columns: each bar in the middle of its bucket (seconds, as uPlot takes time), totals,
 * failed; a 0 is null, so no flat bar is drawn along the axis.
 */
export function chartColumns(
  histogram: ActivityHistogram,
): [number[], Array<number | null>, Array<number | null>] {
  const half = intervalMs(histogram.interval) / 2;
  return [
    histogram.buckets.map((b) => (Date.parse(b.start) + half) / 1_000),
    histogram.buckets.map((b) => b.total || null),
    histogram.buckets.map((b) => b.failed || null),
  ];
}

/** The instants from the first bucket's start to the end of the last bucket. */
export function chartSpan(histogram: ActivityHistogram): { from: number; until: number } {
  const first = histogram.buckets[0];
  const last = histogram.buckets[histogram.buckets.length - 1];
  if (!first || !last) return { from: 0, until: 0 };
  return { from: Date.parse(first.start), until: Date.parse(last.start) + intervalMs(histogram.interval) };
}

/**
 * The period a click or a drag narrows to: from the start of the first bucket it touches to the end
 * of the last (so a click on one bar is that bar's bucket), as ISO instants.
 */
export function narrowedRange(
  histogram: ActivityHistogram,
  fromMs: number,
  untilMs: number,
): { from: string; to: string } | null {
  const width = intervalMs(histogram.interval);
  const span = chartSpan(histogram);
  const clamp = (ms: number) => Math.min(Math.max(ms, span.from), span.until - 1);
  const first = Math.floor((clamp(Math.min(fromMs, untilMs)) - span.from) / width);
  const last = Math.floor((clamp(Math.max(fromMs, untilMs)) - span.from) / width);
  if (histogram.buckets.length === 0) return null;
  return {
    from: new Date(span.from + first * width).toISOString(),
    to: new Date(span.from + (last + 1) * width).toISOString(),
  };
}
