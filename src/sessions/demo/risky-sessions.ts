import type { SessionFlag, Travel } from '../../contracts/sessions.js';
import { HOUR_MS, MINUTE_MS } from '../../kernel/time.js';
import { distanceKm, IMPOSSIBLE_TRAVEL_KMH, isImpossible, measureTravel, placeName } from '../risk-flags.js';
import type { NewSessionRow } from '../session.table.js';
import { type Crowd, type Place, type Profile, pick } from './demo-crowd.js';
import { demoSessionRow, type RowTimes, type RowUser } from './demo-rows.js';

const coordinates = (place: Place) => ({
  latitude: place.geo.latitude ?? 0,
  longitude: place.geo.longitude ?? 0,
});
const km = (a: Place, b: Place) => distanceKm(coordinates(a), coordinates(b));

/** The journey from the first session to the second as a real login would measure it (risk-flags.ts). */
function journey(from: { id: string; createdAt: number }, home: Place, away: Place, at: number): Travel {
  const start = {
    ...coordinates(home),
    id: from.id,
    createdAt: from.createdAt,
    location: placeName(home.geo),
  };
  return measureTravel(start, { ...coordinates(away), createdAt: at });
}

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
    const from = demoSessionRow(user, home, device, window.times(first));
    // Abroad soon after may be faster than anyone travels: flagged then as a login would be.
    const trip = journey({ id: from.id, createdAt: first }, home, away, second);
    const impossible = isImpossible(trip);
    return [
      from,
      demoSessionRow(user, away, newDevice ? crowd.otherDevice(profile) : device, window.times(second), {
        flags: impossible ? [...flags, 'impossible_travel'] : flags,
        ...(impossible ? { travel: trip } : {}),
      }),
    ];
  }
  const gapMs = (15 + Math.floor(Math.random() * 75)) * MINUTE_MS;
  const first = now - gapMs - Math.floor(Math.random() * Math.max(0, window.createdWithinMs - gapMs));
  const hours = gapMs / HOUR_MS;
  const far = crowd.places.filter((p) => km(home, p) / hours > IMPOSSIBLE_TRAVEL_KMH * 1.2);
  const away =
    far.length > 0 ? pick(far) : crowd.places.reduce((best, p) => (km(home, p) > km(home, best) ? p : best));
  const from = demoSessionRow(user, home, device, window.times(first));
  const trip = journey({ id: from.id, createdAt: first }, home, away, first + gapMs);
  // A geo database of one small country (GEOIP_CITY_DB) may have nowhere that far: then no flag.
  const flags: SessionFlag[] = [
    ...(away.geo.countryCode === home.geo.countryCode ? [] : (['new_country'] as const)),
    ...(isImpossible(trip) ? (['impossible_travel'] as const) : []),
  ];
  const flagged = demoSessionRow(user, away, device, window.times(first + gapMs), {
    flags,
    ...(isImpossible(trip) ? { travel: trip } : {}),
  });
  return [from, flagged];
}
