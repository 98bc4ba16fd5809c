import type { SessionFlag, Travel } from '../contracts/sessions.js';
import { HOUR_MS, MINUTE_MS } from '../kernel/time.js';

/** The speed above which two logins make `impossible_travel` (PRODUCT.md). */
export const IMPOSSIBLE_TRAVEL_KMH = 1_000;
/**
 * Gaps shorter than this count as this long: two logins at the same instant (or a clock that
 * went back between two instances) would otherwise divide by zero. A minute still makes any
 * journey beyond ~17 km "impossible", which two far-apart logins a few seconds apart are.
 */
export const MIN_TRAVEL_GAP_MS = MINUTE_MS;
/**
 * Nearer than this is no journey: IP geolocation places one metro area's addresses tens of
 * kilometres apart (DB-IP City Lite is city-level at best), and over a one-minute gap 17 km
 * would already be "over 1,000 km/h".
 */
export const MIN_TRAVEL_KM = 100;

const EARTH_RADIUS_KM = 6_371;

export interface Point {
  latitude: number;
  longitude: number;
}

/** Great-circle distance (haversine) in km. */
export function distanceKm(a: Point, b: Point): number {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLon = (b.longitude - a.longitude) * rad;
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  // Rounding can push h a hair above 1 for antipodes, where asin would answer NaN.
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.sqrt(Math.min(1, h)));
}

/** What a login brings to the comparison: when, and where (as far as its address tells). */
export interface LoginFacts {
  createdAt: number;
  countryCode: string | null;
  latitude: number | null;
  longitude: number | null;
}

/** The user's most recent earlier session that has coordinates. */
export interface LocatedLogin extends Point {
  id: string;
  createdAt: number;
  /** Readable, e.g. "Paris, France". */
  location: string;
}

/** What the user's earlier sessions (live or ended) say, read without loading them. */
export interface LoginHistory {
  /** Any earlier session at all: a first login raises nothing. */
  any: boolean;
  /** An earlier session with the same device type, OS name and browser name. */
  deviceSeen: boolean;
  /** An earlier session from the login's country (false when the login's country is unknown). */
  countrySeen: boolean;
  previous: LocatedLogin | null;
}

export interface RiskAssessment {
  flags: SessionFlag[];
  /** The figures of `impossible_travel`; null without that flag. */
  travel: Travel | null;
}

/**
 * The journey from `from` to `to` as the flag states it: whole km, hours to 4 decimals (the gap
 * at least MIN_TRAVEL_GAP_MS), and the speed those two stated figures give.
 */
export function measureTravel(from: LocatedLogin, to: Point & { createdAt: number }): Travel {
  const km = Math.round(distanceKm(from, to));
  const gapMs = Math.max(MIN_TRAVEL_GAP_MS, to.createdAt - from.createdAt);
  const hours = Math.round((gapMs / HOUR_MS) * 10_000) / 10_000;
  return {
    distanceKm: km,
    hours,
    speedKmh: Math.round(km / hours),
    fromLocation: from.location,
    fromSessionId: from.id,
  };
}

/** Whether a journey is one nobody makes: far enough to be more than geolocation noise, and too fast. */
export function isImpossible(travel: Travel): boolean {
  return travel.distanceKm >= MIN_TRAVEL_KM && travel.distanceKm / travel.hours > IMPOSSIBLE_TRAVEL_KMH;
}

/** Which flags a login raises against the user's own history (PRODUCT.md, "Risk flags"). */
export function assessRisk(login: LoginFacts, history: LoginHistory): RiskAssessment {
  if (!history.any) return { flags: [], travel: null };
  const flags: SessionFlag[] = [];
  if (!history.deviceSeen) flags.push('new_device');
  // An unknown country (a private or unlisted address) is no evidence of anything.
  if (login.countryCode !== null && !history.countrySeen) flags.push('new_country');
  let travel: Travel | null = null;
  if (history.previous !== null && login.latitude !== null && login.longitude !== null) {
    const journey = measureTravel(history.previous, {
      latitude: login.latitude,
      longitude: login.longitude,
      createdAt: login.createdAt,
    });
    if (isImpossible(journey)) {
      flags.push('impossible_travel');
      travel = journey;
    }
  }
  return { flags, travel };
}

/** "Paris, France": the place a travel starts from, as the flag's explanation names it. */
export function placeName(place: {
  city: string | null;
  region: string | null;
  country: string | null;
  countryCode: string | null;
}): string {
  const parts = [place.city ?? place.region, place.country ?? place.countryCode];
  return parts.filter((part): part is string => part !== null && part !== '').join(', ') || 'Unknown';
}
