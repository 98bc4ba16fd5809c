import { Fragment, useEffect, useRef } from 'react';
import type { Session } from '../../api/types.ts';
import { CountryBadge } from '../../components/CountryBadge.tsx';
import { MiniMap } from '../../components/MiniMap.tsx';
import { RelativeTime } from '../../components/RelativeTime.tsx';
import { DeviceIcon } from './DeviceIcon.tsx';

interface SessionsTableProps {
  sessions: Session[];
  selected: Set<string>;
  onSelect: (selected: Set<string>) => void;
  now: number;
}

const UNKNOWN = 'Unknown';

function placeLabel(s: Session): string {
  const parts = [s.city, s.location].filter((p): p is string => Boolean(p) && p !== UNKNOWN);
  return parts.length ? `Approximately ${parts.join(', ')}` : 'Location unknown';
}

/** The seed's columns, a checkbox per row and select-all; stacks into cards on narrow screens. */
export function SessionsTable({ sessions, selected, onSelect, now }: SessionsTableProps) {
  const allRef = useRef<HTMLInputElement>(null);
  const count = sessions.filter((s) => selected.has(s.id)).length;
  const all = count === sessions.length && count > 0;
  useEffect(() => {
    if (allRef.current) allRef.current.indeterminate = count > 0 && !all;
  }, [count, all]);

  const toggle = (id: string) => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    onSelect(next);
  };

  return (
    <div className="table-wrap">
      <table className="data-table sessions-table">
        <caption className="visually-hidden">Active sessions, most recently used first</caption>
        <thead>
          <tr>
            <th scope="col" className="col-check">
              <label className="check">
                <input
                  ref={allRef}
                  type="checkbox"
                  checked={all}
                  onChange={() => onSelect(all ? new Set() : new Set(sessions.map((s) => s.id)))}
                />
                <span className="check-label">Select all</span>
              </label>
            </th>
            <th scope="col">Public IP</th>
            <th scope="col">User</th>
            <th scope="col">
              City <span className="approx">(approx.)</span>
            </th>
            <th scope="col">
              Location <span className="approx">(approx.)</span>
            </th>
            <th scope="col">Device Details</th>
            <th scope="col">OS Details</th>
            <th scope="col">Browser Details</th>
            <th scope="col">Last Access Time</th>
          </tr>
        </thead>
        <tbody>
          {sessions.map((s) => (
            <tr key={s.id} className={selected.has(s.id) ? 'is-selected' : undefined}>
              <td className="col-check">
                <label className="check">
                  <input type="checkbox" checked={selected.has(s.id)} onChange={() => toggle(s.id)} />
                  <span className="visually-hidden">
                    Select the session of {s.username} from {s.publicIp}
                    {s.current ? ' (this device)' : ''}
                  </span>
                </label>
              </td>
              <td data-label="Public IP" className="mono">
                {s.publicIp}
              </td>
              <td data-label="User">
                <span className="user-cell">
                  <span className="username">{s.username}</span>
                  {s.current && <span className="badge badge-current">This device</span>}
                </span>
              </td>
              <td data-label="City (approx.)">{s.city ?? UNKNOWN}</td>
              <td data-label="Location (approx.)">
                <span className="location-cell">
                  {s.latitude !== null && s.longitude !== null && (
                    <MiniMap latitude={s.latitude} longitude={s.longitude} label={placeLabel(s)} />
                  )}
                  {s.countryCode && <CountryBadge code={s.countryCode} />}
                  <span>{s.location}</span>
                </span>
              </td>
              <td data-label="Device Details">
                <span className="device-cell">
                  <DeviceIcon type={s.deviceType} />
                  {s.deviceType}
                </span>
              </td>
              <td data-label="OS Details">{s.os}</td>
              <td data-label="Browser Details">{s.browser}</td>
              <td data-label="Last Access Time">
                <span className="access-cell">
                  <RelativeTime iso={s.lastAccessAt} now={now} />
                  <span className="used-on" title="Where its latest request went">
                    {s.lastUsedOn === null ? 'in this console' : <>on {breakableHost(s.lastUsedOn)}</>}
                  </span>
                </span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A host name that may wrap after its dots (never inside a label) when the column is narrow. */
function breakableHost(host: string) {
  return host.split('.').map((label, i, labels) => (
    // biome-ignore lint/suspicious/noArrayIndexKey: the labels of one host, in order; they never move.
    <Fragment key={i}>
      {label}
      {i < labels.length - 1 && (
        <>
          .<wbr />
        </>
      )}
    </Fragment>
  ));
}
