import type { Activity } from '../../api/types.ts';
import { formatDateTime } from '../../lib/time.ts';
import { detailsSummary } from '../activity/details-fields.ts';

/** What the session did, oldest first: its login, what it ran, how it ended. */
export function SessionTimeline({ activities }: { activities: Activity[] }) {
  if (activities.length === 0) {
    return <p className="muted small">No activity was recorded with this session.</p>;
  }
  return (
    <ol className="timeline" aria-label="Timeline">
      {activities.map((a) => (
        <li key={a.id} className={`timeline-item timeline-${statusTone(a.status)}`}>
          <time dateTime={a.occurredAt} className="timeline-time">
            {formatDateTime(a.occurredAt)}
          </time>
          <div className="timeline-what">
            <span className="activity-name">{a.activity}</span>
            {a.status.toLowerCase() !== 'success' && <span className="timeline-status">{a.status}</span>}
            {a.target && <span className="timeline-target">{a.target}</span>}
          </div>
          {(a.details || a.publicIp) && (
            <p className="timeline-details">
              {a.details && detailsSummary(a.details)}
              {a.details && a.publicIp && ' · '}
              {a.publicIp && <span className="mono">{a.publicIp}</span>}
            </p>
          )}
        </li>
      ))}
    </ol>
  );
}

function statusTone(status: string): 'ok' | 'bad' | 'neutral' {
  const s = status.toLowerCase();
  if (['success', 'succeeded', 'ok', 'completed'].includes(s)) return 'ok';
  if (['failure', 'failed', 'error', 'denied'].includes(s)) return 'bad';
  return 'neutral';
}
