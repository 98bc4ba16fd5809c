import { formatDateTime, formatRelative } from '../lib/time.ts';

/** "5 minutes ago", with the exact local date and time on hover and for assistive technology. */
export function RelativeTime({ iso, now }: { iso: string; now: number }) {
  const exact = formatDateTime(iso);
  return (
    <time dateTime={iso} title={exact} className="relative-time">
      {formatRelative(iso, now)}
      <span className="visually-hidden"> ({exact})</span>
    </time>
  );
}
