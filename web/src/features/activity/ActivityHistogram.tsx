import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { ActivityHistogram as Histogram } from '../../api/types.ts';
import { formatCount } from '../../lib/format.ts';
import { chartColumns, chartSpan, narrowedRange } from './histogram-data.ts';

interface ActivityHistogramProps {
  histogram: Histogram;
  /** A click on a bar or a drag across bars: the period to narrow the search to. */
  onNarrow: (range: { from: string; to: string }) => void;
}

const HEIGHT = 150;

/** An empty bucket is drawn as no bar (null), and read in the legend as 0. */
const count = (_u: uPlot, value: number | null) => formatCount(value ?? 0);

/** The theme's colours, read once the page's stylesheet is there. */
function color(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#1d4ed8';
}

/**
 * Activities over the period, drawn with uPlot in the page's time zone: each bar the bucket's
 * matches, its failed ones drawn over its foot in red (so it reads stacked: failed, then the rest).
 */
export default function ActivityHistogram({ histogram, onNarrow }: ActivityHistogramProps) {
  const box = useRef<HTMLDivElement>(null);
  const narrow = useRef(onNarrow);
  narrow.current = onNarrow;

  useEffect(() => {
    const target = box.current;
    if (!target) return;
    const span = chartSpan(histogram);
    let dragged = false;
    const bars = uPlot.paths.bars?.({ size: [0.9, 40], gap: 1 });
    const chart = new uPlot(
      {
        width: target.clientWidth,
        height: HEIGHT,
        scales: {
          x: { time: true, range: () => [span.from / 1_000, span.until / 1_000] },
          // Bars stand on 0, whatever the smallest count is.
          y: { range: (_u, _min, max) => [0, Math.max(1, Math.ceil(max * 1.1))] },
        },
        series: [
          {},
          {
            label: 'Activities',
            fill: color('--primary'),
            stroke: color('--primary'),
            paths: bars,
            points: { show: false },
            value: count,
          },
          {
            label: 'Failed',
            fill: color('--danger'),
            stroke: color('--danger'),
            paths: bars,
            points: { show: false },
            value: count,
          },
        ],
        axes: [{}, { size: 48, values: (_u, ticks) => ticks.map((tick) => formatCount(tick)) }],
        cursor: { drag: { x: true, y: false }, points: { show: false } },
        legend: { live: true },
        hooks: {
          setSelect: [
            (u) => {
              if (u.select.width < 3) return;
              dragged = true;
              const from = u.posToVal(u.select.left, 'x') * 1_000;
              const until = u.posToVal(u.select.left + u.select.width, 'x') * 1_000;
              const range = narrowedRange(histogram, from, until);
              if (range) narrow.current(range);
            },
          ],
        },
      },
      chartColumns(histogram),
      target,
    );
    const click = () => {
      if (dragged) {
        dragged = false;
        return;
      }
      const left = chart.cursor.left;
      if (left === undefined || left < 0) return;
      const at = chart.posToVal(left, 'x') * 1_000;
      const range = narrowedRange(histogram, at, at);
      if (range) narrow.current(range);
    };
    chart.over.addEventListener('click', click);
    const resize = new ResizeObserver(() => chart.setSize({ width: target.clientWidth, height: HEIGHT }));
    resize.observe(target);
    return () => {
      resize.disconnect();
      chart.over.removeEventListener('click', click);
      chart.destroy();
    };
  }, [histogram]);

  const total = histogram.buckets.reduce((n, b) => n + b.total, 0);
  const failed = histogram.buckets.reduce((n, b) => n + b.failed, 0);
  return (
    <figure className="histogram">
      <div
        ref={box}
        className="histogram-chart"
        role="img"
        aria-label={`${formatCount(total)} activities, ${formatCount(failed)} failed, in bars of ${histogram.interval}`}
      />
      <figcaption className="muted small">
        Bars of {histogram.interval}; click a bar or drag across bars to narrow the period.
      </figcaption>
    </figure>
  );
}
