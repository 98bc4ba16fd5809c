import { Fragment, type MouseEvent, useEffect, useRef } from 'react';
import type { Session, SessionSort, SortOrder } from '../../api/types.ts';
import { CountryBadge } from '../../components/CountryBadge.tsx';
import { RelativeTime } from '../../components/RelativeTime.tsx';
import { Link } from '../../components/router.tsx';
import { SortHeader } from '../../components/SortHeader.tsx';
import { DeviceIcon } from './DeviceIcon.tsx';
import { FlagBadges } from './FlagBadges.tsx';
import { SignInBadges } from './SignInBadges.tsx';

interface SessionsTableProps {
  sessions: Session[];
  selected: ReadonlySet<string>;
  onSelect: (selected: Set<string>) => void;
  sort: SessionSort;
  order: SortOrder;
  onSort: (column: SessionSort) => void;
  /** The address of a session's details (the panel over this list). */
  detailHref: (id: string) => string;
  onOpen: (id: string) => void;
  /** The session whose details are open, marked in the list. */
  openId: string | null;
  busy: boolean;
  now: number;
}

const UNKNOWN = 'Unknown';

/** A click on one of the row's own controls is theirs, not "open the details". */
function onControl(event: MouseEvent<HTMLTableRowElement>): boolean {
  const control = event.target instanceof Element ? event.target.closest('a, button, input, label') : null;
  return control !== null && event.currentTarget.contains(control);
}

/**
 * The seed's eight columns with a checkbox per row and select-all for the page; User, Location and
 * Last Access sort on the server. A row opens its session's details. Stacks into cards on narrow screens.
 */
export function SessionsTable(props: SessionsTableProps) {
  const { sessions, selected, onSelect, now } = props;
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
  const header = { sort: props.sort, order: props.order, onSort: props.onSort } as const;
  const openRow = (event: MouseEvent<HTMLTableRowElement>, id: string) => {
    // Selecting text to copy (an IP address) is not a click on the row.
    if (!onControl(event) && !window.getSelection()?.toString()) props.onOpen(id);
  };

  return (
    <div className="table-wrap" aria-busy={props.busy}>
      <table className={`data-table sessions-table${props.busy ? ' is-busy' : ''}`}>
        <caption className="visually-hidden">Active sessions matching the filter</caption>
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
                <span className="check-label">Select all on this page</span>
              </label>
            </th>
            <th scope="col">Public IP</th>
            <SortHeader column="username" label="User" {...header} />
            <th scope="col">
              City <span className="approx">(approx.)</span>
            </th>
            <SortHeader
              column="country"
              label={
                <>
                  Location <span className="approx">(approx.)</span>
                </>
              }
              {...header}
            />
            <th scope="col">Device Details</th>
            <th scope="col">OS Details</th>
            <th scope="col">Browser Details</th>
            <SortHeader column="lastAccessAt" label="Last Access Time" {...header} />
            <th scope="col" className="col-open">
              <span className="visually-hidden">Details</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {sessions.map((s) => (
            <tr
              key={s.id}
              className={`${selected.has(s.id) ? 'is-selected' : ''}${props.openId === s.id ? ' is-open' : ''}`}
              onClick={(event) => openRow(event, s.id)}
            >
              <td className="col-check">
                <label className="check">
                  <input type="checkbox" checked={selected.has(s.id)} onChange={() => toggle(s.id)} />
                  <span className="visually-hidden">
                    Select the session of {s.username} from {s.publicIp}
                    {s.current ? ' (this device)' : ''}
                  </span>
                </label>
              </td>
              <td data-label="Public IP" className="mono ip-cell">
                {breakable(s.publicIp, ':')}
              </td>
              <td data-label="User">
                <span className="user-cell">
                  <span className="username">{s.username}</span>
                  {s.current && <span className="badge badge-current">This device</span>}
                  <SignInBadges session={s} />
                  <FlagBadges session={s} />
                </span>
              </td>
              <td data-label="City (approx.)">{s.city ?? UNKNOWN}</td>
              <td data-label="Location (approx.)">
                <span className="location-cell">
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
                    {s.lastUsedOn === null ? 'in this console' : <>on {breakable(s.lastUsedOn, '.')}</>}
                  </span>
                </span>
              </td>
              <td className="col-open">
                <Link
                  href={props.detailHref(s.id)}
                  keepScroll
                  className="open-link"
                  aria-label={`Details of the session of ${s.username} from ${s.publicIp}`}
                >
                  <svg viewBox="0 0 16 16" aria-hidden="true" focusable="false">
                    <path d="m6 3.5 4.5 4.5L6 12.5" />
                  </svg>
                  <span className="open-link-text" aria-hidden="true">
                    Details
                  </span>
                </Link>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * A host name that may wrap after its dots, or an IPv6 address after its colons (never inside a
 * label or group), when the column is narrow; an IPv4 address has no such place and stays whole.
 */
function breakable(text: string, separator: '.' | ':') {
  return text.split(separator).map((part, i, parts) => (
    // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one name, in order; they never move.
    <Fragment key={i}>
      {part}
      {i < parts.length - 1 && (
        <>
          {separator}
          <wbr />
        </>
      )}
    </Fragment>
  ));
}
