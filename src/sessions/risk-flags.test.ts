import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HOUR_MS, MINUTE_MS } from '../kernel/time.js';
import {
  assessRisk,
  distanceKm,
  IMPOSSIBLE_TRAVEL_KMH,
  type LocatedLogin,
  type LoginHistory,
  MIN_TRAVEL_GAP_MS,
  MIN_TRAVEL_KM,
  measureTravel,
} from './risk-flags.js';

const PARIS = { latitude: 48.8575, longitude: 2.3514 };
const NEWARK = { latitude: 40.7357, longitude: -74.1724 };
const T0 = Date.UTC(2026, 10, 23, 12);

const point = fc.record({
  latitude: fc.double({ min: -90, max: 90, noNaN: true }),
  longitude: fc.double({ min: -180, max: 180, noNaN: true }),
});
/** From the same millisecond to a year, and a little backwards (another instance's clock). */
const gapMs = fc.integer({ min: -5 * MINUTE_MS, max: 365 * 24 * HOUR_MS });

const previous = (at: { latitude: number; longitude: number }, createdAt = T0): LocatedLogin => ({
  ...at,
  id: 'prev',
  createdAt,
  location: 'Somewhere',
});
const seenEverything = (prev: LocatedLogin | null): LoginHistory => ({
  any: true,
  deviceSeen: true,
  countrySeen: true,
  previous: prev,
});
const loginAt = (at: { latitude: number; longitude: number }, createdAt: number) => ({
  ...at,
  createdAt,
  countryCode: 'FR',
});

describe('risk flags, computed from the login and its history', () => {
  it('a first login raises nothing, whatever it looks like', () => {
    const none: LoginHistory = { any: false, deviceSeen: false, countrySeen: false, previous: null };
    expect(assessRisk(loginAt(PARIS, T0), none)).toEqual({ flags: [], travel: null });
  });

  it('an unseen device and an unseen country are flagged; an unknown country never is', () => {
    const history: LoginHistory = { any: true, deviceSeen: false, countrySeen: false, previous: null };
    expect(assessRisk(loginAt(PARIS, T0), history).flags).toEqual(['new_device', 'new_country']);
    const unknown = { createdAt: T0, countryCode: null, latitude: null, longitude: null };
    expect(assessRisk(unknown, { ...history, deviceSeen: true }).flags).toEqual([]);
  });

  it('Paris then Newark an hour later is impossible travel, with its figures; ten hours later it is not', () => {
    const from = previous(PARIS);
    const fast = assessRisk(loginAt(NEWARK, T0 + HOUR_MS), seenEverything(from));
    expect(fast.flags).toEqual(['impossible_travel']);
    expect(fast.travel).toEqual({
      distanceKm: 5847,
      hours: 1,
      speedKmh: 5847,
      fromLocation: 'Somewhere',
      fromSessionId: 'prev',
    });
    expect(assessRisk(loginAt(NEWARK, T0 + 10 * HOUR_MS), seenEverything(from))).toEqual({
      flags: [],
      travel: null,
    });
  });

  it('a gap under a minute counts as a minute, so logins at the same instant give finite figures', () => {
    const travel = measureTravel(previous(PARIS), { ...NEWARK, createdAt: T0 });
    expect(travel.hours).toBe(Math.round((MIN_TRAVEL_GAP_MS / HOUR_MS) * 10_000) / 10_000);
    expect(Number.isFinite(travel.speedKmh)).toBe(true);
  });

  it('two addresses of one metro area a second apart are no journey', () => {
    const suburb = { latitude: 48.9, longitude: 2.6 };
    expect(distanceKm(PARIS, suburb)).toBeLessThan(MIN_TRAVEL_KM);
    expect(assessRisk(loginAt(suburb, T0 + 1_000), seenEverything(previous(PARIS))).flags).toEqual([]);
  });

  it('distance is symmetric, never negative, never beyond half the earth, never NaN', () => {
    fc.assert(
      fc.property(point, point, (a, b) => {
        const ab = distanceKm(a, b);
        expect(Number.isFinite(ab)).toBe(true);
        expect(ab).toBeGreaterThanOrEqual(0);
        expect(ab).toBeLessThanOrEqual(Math.PI * 6_371 + 1e-6);
        expect(ab).toBeCloseTo(distanceKm(b, a), 6);
        expect(distanceKm(a, a)).toBe(0);
      }),
    );
  });

  it('the stated speed is the stated distance over the stated hours, and every figure is finite', () => {
    fc.assert(
      fc.property(point, point, gapMs, (a, b, gap) => {
        const travel = measureTravel(previous(a), { ...b, createdAt: T0 + gap });
        for (const figure of [travel.distanceKm, travel.hours, travel.speedKmh]) {
          expect(Number.isFinite(figure)).toBe(true);
          expect(figure).toBeGreaterThanOrEqual(0);
        }
        expect(travel.hours).toBeGreaterThan(0);
        expect(travel.speedKmh).toBe(Math.round(travel.distanceKm / travel.hours));
      }),
    );
  });

  it('never flags a journey under 1,000 km/h or under the noise distance; always flags one well over', () => {
    fc.assert(
      fc.property(point, point, gapMs, (a, b, gap) => {
        const { flags, travel } = assessRisk(loginAt(b, T0 + gap), seenEverything(previous(a)));
        const km = distanceKm(a, b);
        const speed = km / (Math.max(MIN_TRAVEL_GAP_MS, gap) / HOUR_MS);
        if (speed < IMPOSSIBLE_TRAVEL_KMH * 0.99 || km < MIN_TRAVEL_KM - 1) {
          expect(flags).toEqual([]);
          expect(travel).toBeNull();
        }
        if (speed > IMPOSSIBLE_TRAVEL_KMH * 1.01 && km > MIN_TRAVEL_KM + 1) {
          expect(flags).toEqual(['impossible_travel']);
          expect(travel?.speedKmh).toBeGreaterThan(IMPOSSIBLE_TRAVEL_KMH);
        }
      }),
    );
  });
});
