import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ipaddr from 'ipaddr.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { normalizeIp } from '../kernel/ip.js';
import {
  formatLocation,
  type GeoLocation,
  type GeoLocator,
  openGeoLocator,
  UNKNOWN_LOCATION,
} from './geo.js';

// --- A minimal MaxMind DB writer, so the GeoIP2-City record shape and the single-file (GEOIP_CITY_DB) mode
// can be tested without shipping a licensed database. Format: https://maxmind.github.io/MaxMind-DB/

type MmdbValue = string | number | MmdbValue[] | { [key: string]: MmdbValue };

function control(type: number, size: number): Buffer {
  const head = size < 29 ? [size] : [29, size - 29];
  const [first = 0, ...rest] = head;
  // Types above 7 are "extended": type 0 in the control byte, real type - 7 in the next byte.
  return type <= 7 ? Buffer.from([(type << 5) | first, ...rest]) : Buffer.from([first, type - 7, ...rest]);
}

function encode(value: MmdbValue): Buffer {
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([control(2, bytes.length), bytes]);
  }
  if (typeof value === 'number' && !Number.isInteger(value)) {
    const bytes = Buffer.alloc(8);
    bytes.writeDoubleBE(value);
    return Buffer.concat([control(3, 8), bytes]);
  }
  if (typeof value === 'number') {
    const bytes = Buffer.alloc(4);
    bytes.writeUInt32BE(value);
    return Buffer.concat([control(6, 4), bytes]);
  }
  if (Array.isArray(value)) return Buffer.concat([control(11, value.length), ...value.map(encode)]);
  const entries = Object.entries(value);
  return Buffer.concat([control(7, entries.length), ...entries.flatMap(([k, v]) => [encode(k), encode(v)])]);
}

function writeMmdb(ipVersion: 4 | 6, networks: Array<[string, MmdbValue]>): string {
  type Child = { node: number } | { data: number } | undefined;
  const nodes: Array<[Child, Child]> = [[undefined, undefined]];
  const data: Buffer[] = [];
  let dataSize = 0;
  for (const [cidr, record] of networks) {
    const [addr, prefix] = ipaddr.parseCIDR(cidr);
    const v4InV6 = ipVersion === 6 && addr.kind() === 'ipv4';
    const bytes = [...(v4InV6 ? new Array<number>(12).fill(0) : []), ...addr.toByteArray()];
    const bits = (v4InV6 ? 96 : 0) + prefix;
    const encoded = encode(record);
    let node = 0;
    for (let i = 0; i < bits; i++) {
      const bit = ((bytes[i >> 3] ?? 0) >> (7 - (i & 7))) & 1;
      const pair = nodes[node] as [Child, Child];
      if (i === bits - 1) {
        pair[bit] = { data: dataSize };
      } else {
        const next = pair[bit];
        if (next === undefined || !('node' in next)) {
          nodes.push([undefined, undefined]);
          pair[bit] = { node: nodes.length - 1 };
        }
        node = (pair[bit] as { node: number }).node;
      }
    }
    data.push(encoded);
    dataSize += encoded.length;
  }
  const count = nodes.length;
  const tree = Buffer.alloc(count * 6);
  nodes.forEach((pair, i) => {
    pair.forEach((child, side) => {
      const value = child === undefined ? count : 'node' in child ? child.node : count + 16 + child.data;
      tree.writeUIntBE(value, i * 6 + side * 3, 3);
    });
  });
  const metadata = encode({
    node_count: count,
    record_size: 24,
    ip_version: ipVersion,
    database_type: 'Test-City',
    languages: ['en'],
    binary_format_major_version: 2,
    binary_format_minor_version: 0,
    build_epoch: 1_700_000_000,
    description: { en: 'test fixture' },
  });
  const marker = Buffer.concat([Buffer.from([0xab, 0xcd, 0xef]), Buffer.from('MaxMind.com')]);
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'geo-test-')), `test-${ipVersion}.mmdb`);
  writeFileSync(file, Buffer.concat([tree, Buffer.alloc(16), ...data, marker, metadata]));
  return file;
}

const geoip2London: MmdbValue = {
  city: { geoname_id: 2643743, names: { en: 'London', de: 'London' } },
  subdivisions: [{ geoname_id: 6269131, iso_code: 'ENG', names: { en: 'England' } }],
  country: { geoname_id: 2635167, iso_code: 'GB', names: { en: 'United Kingdom' } },
  location: { accuracy_radius: 100, latitude: 51.5142, longitude: -0.0931 },
};

// --- Tests against the packaged DB-IP City Lite databases.

describe('openGeoLocator with the packaged DB-IP City Lite files', () => {
  let geo: GeoLocator;
  beforeAll(async () => {
    geo = await openGeoLocator({});
  });

  // Answers as DB-IP (build of 2026-06-05) gives them; only ones that have looked stable are pinned.
  it.each<[string, Partial<GeoLocation>]>([
    ['8.8.8.8', { city: 'Mountain View', region: 'California', countryCode: 'US', country: 'United States' }],
    ['8.8.4.4', { countryCode: 'US', region: 'California' }],
    ['9.9.9.9', { countryCode: 'US' }],
    ['1.1.1.1', { countryCode: 'AU', country: 'Australia' }],
    ['81.2.69.142', { countryCode: 'GB', country: 'United Kingdom' }],
    ['193.0.14.129', { countryCode: 'NL', country: 'Netherlands' }],
    ['77.88.8.8', { countryCode: 'RU', country: 'Russia' }],
    ['2620:fe::fe', { countryCode: 'US' }],
    ['2a00:1450:4001:81a::200e', { countryCode: 'DE', country: 'Germany' }],
    ['2a02:6b8::feed:0ff', { countryCode: 'RU' }],
  ])('%s', (ip, expected) => {
    const location = geo.lookup(ip);
    expect(location).toMatchObject(expected);
    expect(location.latitude).toEqual(expect.any(Number));
    expect(location.longitude).toEqual(expect.any(Number));
  });

  it('rounds coordinates away from float32 noise', () => {
    expect(geo.lookup('8.8.8.8')).toMatchObject({ latitude: 37.422, longitude: -122.085 });
  });

  it('treats an IPv4-mapped IPv6 address like the IPv4 address', () => {
    expect(normalizeIp('::ffff:8.8.8.8')).toBe('8.8.8.8');
    expect(geo.lookup('::ffff:8.8.8.8')).toEqual(geo.lookup('8.8.8.8'));
    expect(geo.lookup('::ffff:8.8.8.8').countryCode).toBe('US');
  });

  it('accepts non-canonical IPv6 text', () => {
    expect(geo.lookup('2A00:1450:4001:081A:0000:0000:0000:200E')).toEqual(
      geo.lookup('2a00:1450:4001:81a::200e'),
    );
  });

  it.each([
    '10.0.0.1',
    '10.255.255.254',
    '172.16.5.4',
    '192.168.1.1',
    '127.0.0.1',
    '::1',
    '169.254.169.254',
    'fe80::1',
    'fe80::1%eth0',
    'fd00::1',
    '100.64.0.1',
    '203.0.113.10',
    '198.51.100.1',
    '192.0.2.1',
    '2001:db8::1',
    '0.0.0.0',
    '::',
    '224.0.0.1',
    '::ffff:192.168.0.1',
    'not-an-ip',
    '',
    '8.8.8',
    '999.1.1.1',
  ])('%j is UNKNOWN_LOCATION', (ip) => {
    expect(geo.lookup(ip)).toBe(UNKNOWN_LOCATION);
  });

  it('is cached per path set', async () => {
    expect(await openGeoLocator({})).toBe(geo);
    expect(await openGeoLocator({ cityDbPath: undefined })).toBe(geo);
  });
});

describe('openGeoLocator with a single GeoIP2-City style file', () => {
  const file = writeMmdb(6, [
    ['81.2.69.0/24', geoip2London],
    // Country-only record without names: the name must come from Intl.DisplayNames.
    ['89.160.20.0/24', { country: { geoname_id: 2661886, iso_code: 'SE' } }],
    ['2a02:cf40::/32', { country: { geoname_id: 3017382, iso_code: 'FR', names: { en: 'France' } } }],
    // A database that (wrongly) knows a private range must still never be asked about it.
    ['10.0.0.0/8', geoip2London],
  ]);
  let geo: GeoLocator;
  beforeAll(async () => {
    geo = await openGeoLocator({ cityDbPath: file });
  });

  it('maps the nested GeoIP2 shape', () => {
    expect(geo.lookup('81.2.69.142')).toEqual({
      city: 'London',
      region: 'England',
      countryCode: 'GB',
      country: 'United Kingdom',
      latitude: 51.5142,
      longitude: -0.0931,
    });
  });

  it('serves IPv4-mapped and IPv6 addresses from the same file', () => {
    expect(geo.lookup('::ffff:81.2.69.142').city).toBe('London');
    expect(geo.lookup('2a02:cf40::1')).toEqual({
      city: null,
      region: null,
      countryCode: 'FR',
      country: 'France',
      latitude: null,
      longitude: null,
    });
  });

  it('names the country from its code when the record has no name', () => {
    expect(geo.lookup('89.160.20.112')).toMatchObject({ countryCode: 'SE', country: 'Sweden', city: null });
  });

  it('returns UNKNOWN_LOCATION for addresses the database does not cover', () => {
    expect(geo.lookup('8.8.8.8')).toBe(UNKNOWN_LOCATION);
    expect(geo.lookup('2a00:1450:4001:81a::200e')).toBe(UNKNOWN_LOCATION);
  });

  it('never looks up private addresses, even when the database has them', () => {
    expect(geo.lookup('10.1.2.3')).toBe(UNKNOWN_LOCATION);
  });

  it('resolves relative paths to the same cached locator', async () => {
    expect(await openGeoLocator({ cityDbPath: path.relative(process.cwd(), file) })).toBe(geo);
  });
});

describe('openGeoLocator with a single IPv4-only file in the flat DB-IP shape', () => {
  const file = writeMmdb(4, [
    [
      '81.2.69.0/24',
      {
        city: 'London',
        country_code: 'GB',
        latitude: 51.5143,
        longitude: -0.0912,
        state1: 'England',
        state2: '',
      },
    ],
    ['42.0.0.0/8', { city: 'Seoul', country_code: 'KR', latitude: 37.5665, longitude: 126.978 }],
  ]);
  let geo: GeoLocator;
  beforeAll(async () => {
    geo = await openGeoLocator({ cityDbPath: file });
  });

  it('maps the flat shape', () => {
    expect(geo.lookup('81.2.69.142')).toEqual({
      city: 'London',
      region: 'England',
      countryCode: 'GB',
      country: 'United Kingdom',
      latitude: 51.5143,
      longitude: -0.0912,
    });
  });

  it('does not walk IPv6 addresses through an IPv4-only tree', () => {
    expect(geo.lookup('42.0.20.80').city).toBe('Seoul');
    // The first 32 bits of 2a00:1450:: read as 42.0.20.80, so an unguarded lookup would answer "Seoul".
    expect(geo.lookup('2a00:1450:4001:81a::200e')).toBe(UNKNOWN_LOCATION);
  });
});

describe('openGeoLocator failures', () => {
  it('rejects with the path when the database file is missing', async () => {
    const missing = path.join(tmpdir(), 'no-such-dir', 'GeoIP2-City.mmdb');
    await expect(openGeoLocator({ cityDbPath: missing })).rejects.toThrow(missing);
  });

  it('rejects with the path when the file is not a MaxMind database', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'geo-test-')), 'not-a-db.mmdb');
    writeFileSync(file, 'this is not a database\n');
    await expect(openGeoLocator({ cityDbPath: file })).rejects.toThrow(file);
  });

  it('retries after a failed open instead of caching the failure', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'geo-test-'));
    const file = path.join(dir, 'later.mmdb');
    await expect(openGeoLocator({ cityDbPath: file })).rejects.toThrow(file);
    copyFileSync(writeMmdb(6, [['81.2.69.0/24', geoip2London]]), file);
    expect((await openGeoLocator({ cityDbPath: file })).lookup('81.2.69.1').city).toBe('London');
  });
});

describe('formatLocation', () => {
  const base: GeoLocation = { ...UNKNOWN_LOCATION };

  it.each<[string, GeoLocation, string]>([
    [
      'region and country',
      { ...base, city: 'Mountain View', region: 'California', countryCode: 'US', country: 'United States' },
      'California, United States',
    ],
    ['country only', { ...base, countryCode: 'US', country: 'United States' }, 'United States'],
    ['code without a name', { ...base, countryCode: 'US' }, 'US'],
    ['region without a country', { ...base, region: 'Bavaria' }, 'Bavaria'],
    ['city-state', { ...base, region: 'Singapore', countryCode: 'SG', country: 'Singapore' }, 'Singapore'],
    ['city only', { ...base, city: 'Springfield' }, 'Unknown'],
    ['nothing', UNKNOWN_LOCATION, 'Unknown'],
  ])('%s', (_name, geo, expected) => {
    expect(formatLocation(geo)).toBe(expected);
  });

  it('formats what the packaged database says', async () => {
    const geo = await openGeoLocator({});
    expect(formatLocation(geo.lookup('8.8.8.8'))).toBe('California, United States');
    expect(formatLocation(geo.lookup('10.0.0.1'))).toBe('Unknown');
  });
});

describe('UNKNOWN_LOCATION', () => {
  it('is all null and frozen', () => {
    expect(UNKNOWN_LOCATION).toEqual({
      city: null,
      region: null,
      countryCode: null,
      country: null,
      latitude: null,
      longitude: null,
    });
    expect(Object.isFrozen(UNKNOWN_LOCATION)).toBe(true);
  });
});

describe('city names', () => {
  it('shows the city without the district DB-IP appends, which IP geolocation cannot resolve', async () => {
    const geo = await openGeoLocator({});
    const quad9 = geo.lookup('9.9.9.9');
    expect(quad9.city).not.toBeNull();
    expect(quad9.city).not.toMatch(/\(/);
  });
});
