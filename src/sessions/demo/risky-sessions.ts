import type { SessionFlag } from '../../contracts/sessions.js';
import { HOUR_MS, MINUTE_MS } from '../../kernel/time.js';
import type { NewSessionRow } from '../session.table.js';
import { type Crowd, type Place, type Profile, pick } from './demo-crowd.js';
import { demoSessionRow, type RowTimes, type RowUser } from './demo-rows.js';

/** The speed above which two logins make `impossible_travel` (PRODUCT.md). */
const IMPOSSIBLE_KMH = 1_000;
const EARTH_RADIUS_KM = 6_371;

function distanceKm(a: Place, b: Place): number {
  const rad = Math.PI / 180;
  const [lat1, lon1, lat2, lon2] = [a.geo.latitude, a.geo.longitude, b.geo.latitude, b.geo.longitude].map(
    (degrees) => (degrees ?? 0) * rad,
  ) as [number, number, number, number];
  const h =
    Math.sin((lat2 - lat1) / 2) ** 2 + Math.cos(lat1) * Math.cos(lat2) * Math.sin((lon2 - lon1) / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.sqrt(h));
}

const placeName = (place: Place) => [place.geo.city, place.geo.country].filter((part) => part).join(', ');

export interface RiskWindow {
  now: number;
  /** How far back sessions were created. */
  createdWithinMs: number;
  /** The times of a live session created at `createdAt`. */
  times: (createdAt: number) => RowTimes;
}

/**
 * One user's two sessions, the second flagged against the first (the user's only earlier one):
 * from another country (`new_country`, sometimes on a new device too), or, every other user, from
 * a place too far to reach since (`impossible_travel`, with its figures).
 */
export function riskySessions(
  crowd: Crowd,
  user: RowUser,
  profile: Profile,
  window: RiskWindow,
  travel: boolean,
): NewSessionRow[] {
  const home = pick(profile.homePlaces);
  const device = pick(profile.devices);
  const { now } = window;
  if (!travel) {
    const abroad = crowd.places.filter((p) => p.geo.countryCode !== home.geo.countryCode);
    // A geo database of one country (GEOIP_CITY_DB) has no abroad: the pair is then unflagged.
    const away = pick(abroad.length > 0 ? abroad : crowd.places);
    const first = now - Math.floor(Math.random() * window.createdWithinMs);
    const second = first + Math.floor(Math.random() * (now - first));
    const newDevice = Math.random() < 0.5;
    const flags: SessionFlag[] = [
      ...(newDevice ? (['new_device'] as const) : []),
      ...(abroad.length > 0 ? (['new_country'] as const) : []),
    ];
    return [
      demoSessionRow(user, home, device, window.times(first)),
      demoSessionRow(user, away, newDevice ? crowd.otherDevice(profile) : device, window.times(second), {
        flags,
      }),
    ];
  }
  const gapMs = (15 + Math.floor(Math.random() * 75)) * MINUTE_MS;
  const first = now - gapMs - Math.floor(Math.random() * Math.max(0, window.createdWithinMs - gapMs));
  const hours = gapMs / HOUR_MS;
  const far = crowd.places.filter((p) => distanceKm(home, p) / hours > IMPOSSIBLE_KMH * 1.2);
  const away =
    far.length > 0
      ? pick(far)
      : crowd.places.reduce((best, p) => (distanceKm(home, p) > distanceKm(home, best) ? p : best));
  const from = demoSessionRow(user, home, device, window.times(first));
  const km = distanceKm(home, away);
  const flags: SessionFlag[] =
    away.geo.countryCode === home.geo.countryCode
      ? ['impossible_travel']
      : ['new_country', 'impossible_travel'];
  const flagged = demoSessionRow(user, away, device, window.times(first + gapMs), {
    flags,
    travel: {
      distanceKm: Math.round(km),
      hours: Math.round(hours * 100) / 100,
      speedKmh: Math.round(km / hours),
      fromLocation: placeName(home),
      fromSessionId: from.id,
    },
  });
  return [from, flagged];
}
