import { Fragment, useState } from 'react';
import type { Activity, ActivitySort, DetailsObject, SortOrder } from '../../api/types.ts';
import { SortHeader } from '../../components/SortHeader.tsx';
import { formatDateTime } from '../../lib/time.ts';
import { detailsFields, detailsSummary } from './details-fields.ts';

interface ActivityTableProps {
  items: Activity[];
  sort: ActivitySort;
  order: SortOrder;
  onSort: (column: ActivitySort) => void;
  busy: boolean;
}

const STATUS_TONES: Record<string, string> = {
  success: 'ok',
  succeeded: 'ok',
  ok: 'ok',
  completed: 'ok',
  failure: 'bad',
  failed: 'bad',
  error: 'bad',
  denied: 'bad',
  warning: 'warn',
  partial: 'warn',
  running: 'info',
  started: 'info',
};

/** Date/Time, User, Activity, Status, Target, Public IP; the first three sort on the server. */
export function ActivityTable({ items, sort, order, onSort, busy }: ActivityTableProps) {
  const header = { sort, order, onSort } as const;
  // Rows whose object details are open; a new page of items leaves ids that no longer show.
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const toggle = (id: string) =>
    setExpanded((open) => {
      const next = new Set(open);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  return (
    <div className="table-wrap" aria-busy={busy}>
      <table className={`data-table activity-table${busy ? ' is-busy' : ''}`}>
        <caption className="visually-hidden">Activities matching the filter</caption>
        <thead>
          <tr>
            <SortHeader column="occurredAt" label="Date/Time" {...header} />
            <SortHeader column="username" label="User" {...header} />
            <SortHeader column="activity" label="Activity" {...header} />
            <th scope="col">Status</th>
            <th scope="col">Target</th>
            <th scope="col">Public IP</th>
          </tr>
        </thead>
        <tbody>
          {items.map((item) => {
            const fields = isObject(item.details) ? detailsFields(item.details) : null;
            const open = fields !== null && expanded.has(item.id);
            return (
              <Fragment key={item.id}>
                <tr className={open ? 'is-expanded' : undefined}>
                  <td data-label="Date/Time" className="nowrap">
                    <time dateTime={item.occurredAt}>{formatDateTime(item.occurredAt)}</time>
                  </td>
                  <td data-label="User">{item.username}</td>
                  <td data-label="Activity">
                    <span className="activity-name">{item.activity}</span>
                  </td>
                  <td data-label="Status">
                    <span className={`status status-${STATUS_TONES[item.status.toLowerCase()] ?? 'neutral'}`}>
                      {item.status}
                    </span>
                  </td>
                  <td data-label="Target" className="target-cell">
                    <div>
                      {item.target ?? <span className="muted">—</span>}
                      {typeof item.details === 'string' && item.details && (
                        <span className="details">{item.details}</span>
                      )}
                      {fields !== null && item.details !== null && (
                        <button
                          type="button"
                          className="details-toggle"
                          aria-expanded={open}
                          aria-controls={`details-${item.id}`}
                          onClick={() => toggle(item.id)}
                        >
                          <span aria-hidden="true">{open ? '▾' : '▸'}</span>
                          <span className="details-summary">
                            {open ? `${fields.length} fields` : detailsSummary(item.details)}
                          </span>
                        </button>
                      )}
                      {item.source && (
                        <span className="source">reported by {describeSource(item.source)}</span>
                      )}
                    </div>
                  </td>
                  <td data-label="Public IP" className="mono">
                    {item.publicIp ?? <span className="muted">—</span>}
                  </td>
                </tr>
                {open && (
                  <tr className="details-row" id={`details-${item.id}`}>
                    <td colSpan={6}>
                      <dl className="details-fields">
                        {fields.map((field) => (
                          <div key={field.path}>
                            <dt>{field.path}</dt>
                            <dd>{field.value}</dd>
                          </div>
                        ))}
                      </dl>
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function isObject(details: Activity['details']): details is DetailsObject {
  return details !== null && typeof details === 'object';
}

/** `api_key vsk_ab12cd backup jobs` → `API key "backup jobs" (vsk_ab12cd…)`; `admin alice` → `admin alice`. */
function describeSource(source: string): string {
  const [kind, prefix, ...name] = source.split(' ');
  return kind === 'api_key' ? `API key "${name.join(' ')}" (${prefix}…)` : source;
}
