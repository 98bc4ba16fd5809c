import { type ClientInfo, clientHintsOf, parseClientInfo } from '../client-info.js';
import type { GeoLocation, GeoLocator } from '../geo.js';
import { DEMO_CLIENTS, DEMO_IPS } from './demo-clients.js';

/** A located address, as a session row holds it. */
export interface Place {
  ip: string;
  geo: GeoLocation;
}

/** A parsed client, as a session row stores it. */
export interface Client {
  info: ClientInfo;
  userAgent: string;
  clientHints: string | null;
}

/** Where and on what one demo user logs in: a home country and one to three devices. */
export interface Profile {
  homePlaces: readonly Place[];
  devices: readonly Client[];
}

/** Picks from weighted items with one random number. */
export function weightedPicker<T>(items: readonly T[], weight: (item: T) => number): () => T {
  const cumulative: number[] = [];
  let total = 0;
  for (const item of items) {
    total += weight(item);
    cumulative.push(total);
  }
  return () => {
    const point = Math.random() * total;
    let low = 0;
    let high = cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((cumulative[middle] as number) > point) high = middle;
      else low = middle + 1;
    }
    return items[low] as T;
  };
}

export const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;

/**
 * The demo's addresses and browsers, each located and parsed once (a lookup or a User-Agent parse
 * per row would cost more than the row's insert), and a profile per user built from them.
 */
export function prepareCrowd(geo: GeoLocator) {
  const places: Place[] = DEMO_IPS.map((ip) => ({ ip, geo: geo.lookup(ip) })).filter(
    (place) => place.geo.countryCode !== null,
  );
  if (places.length === 0) throw new Error('the geo database locates none of the demo addresses');
  const byCountry = new Map<string, Place[]>();
  for (const place of places) {
    const code = place.geo.countryCode as string;
    byCountry.set(code, [...(byCountry.get(code) ?? []), place]);
  }
  const clients = DEMO_CLIENTS.map((client) => {
    const info = parseClientInfo(client.headers);
    const hints = clientHintsOf(client.headers);
    return {
      weight: client.weight,
      client: {
        info,
        userAgent: String(client.headers['user-agent']).slice(0, 512),
        clientHints: hints === null ? null : JSON.stringify(hints),
      },
    };
  });
  const pickClient = weightedPicker(clients, (c) => c.weight);

  return {
    places,
    /** A new user's profile: a country weighted by how many addresses it has, and 1-3 devices. */
    profile(): Profile {
      const home = pick(places);
      const devices = Array.from({ length: 1 + Math.floor(Math.random() * 3) }, () => pickClient().client);
      return { homePlaces: byCountry.get(home.geo.countryCode as string) ?? [home], devices };
    },
    /** A device the profile has not used. */
    otherDevice(profile: Profile): Client {
      const unused = clients.filter((c) => !profile.devices.includes(c.client));
      return (unused.length > 0 ? pick(unused) : pick(clients)).client;
    },
  };
}

export type Crowd = ReturnType<typeof prepareCrowd>;
