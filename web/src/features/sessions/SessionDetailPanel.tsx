import { lazy, type ReactNode, Suspense } from 'react';
import type { Session, SessionDetail } from '../../api/types.ts';
import { Alert } from '../../components/Alert.tsx';
import { CountryBadge } from '../../components/CountryBadge.tsx';
import { Drawer } from '../../components/Drawer.tsx';
import { RelativeTime } from '../../components/RelativeTime.tsx';
import { Link } from '../../components/router.tsx';
import { formatDateTime } from '../../lib/time.ts';
import { DeviceIcon } from './DeviceIcon.tsx';
import { describeEnding } from './end-reasons.ts';
import { FLAG_LABELS } from './filter-url.ts';
import { explainFlag } from './flags.ts';
import { SessionTimeline } from './SessionTimeline.tsx';
import { useSessionDetail } from './session-detail.ts';
import { describeSignIn } from './sign-in.ts';

// d3-geo and the atlas come with the first map shown, not with the page.
const WorldMap = lazy(() => import('../../components/WorldMap.tsx'));

interface SessionDetailPanelProps {
  id: string | null;
  /** Changes when this tab ended sessions: the panel asks again. */
  version: number;
  isAdmin: boolean;
  now: number;
  onClose: () => void;
  onLogout: (session: Session) => void;
  onLogoutUser: (session: Session) => void;
}

/** Everything known about one session (GET /api/sessions/:id), live or ended, beside the list. */
export function SessionDetailPanel({
  id,
  version,
  isAdmin,
  now,
  onClose,
  onLogout,
  onLogoutUser,
}: SessionDetailPanelProps) {
  const { load, retry } = useSessionDetail(id, version);
  const session = load.state === 'ready' ? load.detail.session : null;
  return (
    <Drawer
      open={id !== null}
      onClose={onClose}
      title={
        session ? (
          <>
            Session of {session.username}{' '}
            <span className={`badge ${session.live ? 'badge-live' : 'badge-ended'}`}>
              {session.live ? 'Live' : 'Ended'}
            </span>
          </>
        ) : (
          'Session'
        )
      }
    >
      {load.state === 'loading' && <p className="placeholder">Loading the session…</p>}
      {load.state === 'missing' && (
        <Alert tone="warning" title="No such session">
          It does not exist, or it is not one you may see.
        </Alert>
      )}
      {load.state === 'error' && (
        <Alert tone="error" title="The session could not be loaded">
          {load.message}{' '}
          <button type="button" className="link-button" onClick={retry}>
            Try again
          </button>
        </Alert>
      )}
      {load.state === 'ready' && (
        <SessionFacts
          detail={load.detail}
          isAdmin={isAdmin}
          now={now}
          onLogout={onLogout}
          onLogoutUser={onLogoutUser}
        />
      )}
    </Drawer>
  );
}

function Fact({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div className="fact">
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function When({ iso, now }: { iso: string; now: number }) {
  return (
    <>
      {formatDateTime(iso)}{' '}
      <span className="muted">
        (<RelativeTime iso={iso} now={now} />)
      </span>
    </>
  );
}

function SessionFacts({
  detail,
  isAdmin,
  now,
  onLogout,
  onLogoutUser,
}: {
  detail: SessionDetail;
  isAdmin: boolean;
  now: number;
  onLogout: (session: Session) => void;
  onLogoutUser: (session: Session) => void;
}) {
  const { session: s, activities } = detail;
  const place = [s.city, s.region, s.country].filter(Boolean).join(', ');
  const mapLabel = place ? `Map: approximately ${place}` : 'Map';
  const hints = Object.entries(s.clientHints);
  const ending = describeEnding(s);

  return (
    <div className="session-facts">
      <p className="session-status">
        {s.live ? (
          <>
            <span className="live-dot" aria-hidden="true" /> Live · last access{' '}
            <RelativeTime iso={s.lastAccessAt} now={now} />{' '}
            {s.lastUsedOn ? `on ${s.lastUsedOn}` : 'in this console'}
            {s.current && <span className="badge badge-current">This device</span>}
          </>
        ) : (
          <>
            {ending}
            {s.endedAt && (
              <>
                {' '}
                · <RelativeTime iso={s.endedAt} now={now} />
              </>
            )}
          </>
        )}
      </p>

      <figure className="map-figure">
        {s.latitude !== null && s.longitude !== null ? (
          <Suspense fallback={<div className="world-map world-map-loading" aria-hidden="true" />}>
            <WorldMap latitude={s.latitude} longitude={s.longitude} label={mapLabel} />
          </Suspense>
        ) : (
          <p className="world-map-missing muted small">No location is known for {s.publicIp}.</p>
        )}
        <figcaption className="muted small">
          {place ? `Approximately ${place}` : 'Location unknown'}
          {s.latitude !== null &&
            s.longitude !== null &&
            ` · ${s.latitude.toFixed(2)}, ${s.longitude.toFixed(2)}`}
          {' · from the IP address; accuracy varies'}
        </figcaption>
      </figure>

      {s.flags.length > 0 && (
        <section className="facts-section">
          <h3>Risk</h3>
          <ul className="flag-list">
            {s.flags.map((flag) => (
              <li key={flag} className={`flag-item flag-${flag}`}>
                <strong>{FLAG_LABELS[flag]}</strong>
                <span>{explainFlag(flag, s)}</span>
              </li>
            ))}
          </ul>
        </section>
      )}

      {(s.live || isAdmin) && (
        <div className="detail-actions">
          {s.live && (
            <button type="button" className="button button-danger" onClick={() => onLogout(s)}>
              Log out this session
            </button>
          )}
          {isAdmin && (
            <button type="button" className="button" onClick={() => onLogoutUser(s)}>
              Log out all sessions of {s.username}
            </button>
          )}
          <Link className="button button-quiet" href={`/activity?user=${encodeURIComponent(s.userId)}`}>
            Activity of {s.username}
          </Link>
        </div>
      )}

      <section className="facts-section">
        <h3>Where</h3>
        <dl className="facts">
          <Fact term="Public IP">
            <span className="mono">{s.publicIp}</span>
          </Fact>
          <Fact term="City">{s.city ?? 'Unknown'}</Fact>
          <Fact term="Region">{s.region ?? 'Unknown'}</Fact>
          <Fact term="Country">
            {s.countryCode ? (
              <span className="location-cell">
                <CountryBadge code={s.countryCode} /> {s.country ?? s.countryCode}
              </span>
            ) : (
              'Unknown'
            )}
          </Fact>
        </dl>
      </section>

      <section className="facts-section">
        <h3>Device</h3>
        <dl className="facts">
          <Fact term="Device">
            <span className="device-cell">
              <DeviceIcon type={s.deviceType} />
              {s.deviceType}
            </span>
          </Fact>
          <Fact term="OS">{s.os}</Fact>
          <Fact term="Browser">{s.browser}</Fact>
          <Fact term="User-Agent">
            <code className="user-agent">{s.userAgent || '(none sent)'}</code>
          </Fact>
          <Fact term="Client hints">
            {hints.length === 0 ? (
              <span className="muted">None sent</span>
            ) : (
              <table className="hints">
                <tbody>
                  {hints.map(([name, value]) => (
                    <tr key={name}>
                      <th scope="row">{name}</th>
                      <td>
                        <code>{value}</code>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </Fact>
        </dl>
      </section>

      <section className="facts-section">
        <h3>When</h3>
        <dl className="facts">
          <Fact term="Created">
            <When iso={s.createdAt} now={now} />
          </Fact>
          <Fact term="Last access">
            <When iso={s.lastAccessAt} now={now} />
          </Fact>
          <Fact term="Signed in with">
            {describeSignIn(s)}
            {!s.mfa && <span className="muted"> · no second factor</span>}
          </Fact>
          {s.live ? (
            <>
              <Fact term="Ends if unused">
                <When iso={s.idleExpiresAt} now={now} />
              </Fact>
              <Fact term="Lifetime ends">
                <When iso={s.expiresAt} now={now} />
              </Fact>
            </>
          ) : (
            <>
              {s.endedAt && (
                <Fact term="Ended">
                  <When iso={s.endedAt} now={now} />
                </Fact>
              )}
              <Fact term="How">{ending}</Fact>
              {s.endedBy && <Fact term="Ended by">{s.endedBy.username}</Fact>}
            </>
          )}
        </dl>
      </section>

      <section className="facts-section">
        <h3>Timeline</h3>
        <SessionTimeline activities={activities} />
      </section>
    </div>
  );
}
