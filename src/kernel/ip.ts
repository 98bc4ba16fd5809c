import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

// 2000::/3 is the only IPv6 space IANA hands out for global unicast; ipaddr.js labels everything it has
// no special range for as 'unicast', which would otherwise let e.g. `::102:304` pass as public.
const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR('2000::/3');

// ipaddr.js silently reads the deprecated IPv4-compatible form "::1.2.3.4" as "::ffff:1.2.3.4"; refusing
// it keeps a spoofed header from passing as a mapped (and thus geolocatable) address.
const IPV4_COMPATIBLE = /^::\d+\.\d+\.\d+\.\d+$/;

function parseStrict(ip: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  let text = ip.trim();
  // Zone ids only mean something on the host that produced them and would split one address into many.
  const zone = text.indexOf('%');
  if (zone !== -1 && text.includes(':')) text = text.slice(0, zone);
  // ipaddr.js also accepts legacy forms like "127.1" or "0x7f.0.0.1"; net.isIP only takes canonical
  // dotted-quad / RFC 4291 text, so odd spellings stay unparsed instead of aliasing another address.
  if (isIP(text) === 0) return undefined;
  if (IPV4_COMPATIBLE.test(text)) return undefined;
  try {
    const addr = ipaddr.parse(text);
    return addr instanceof ipaddr.IPv6 && addr.isIPv4MappedAddress() ? addr.toIPv4Address() : addr;
  } catch {
    return undefined;
  }
}

/** Canonical text form of an IP (IPv4-mapped IPv6 unwrapped, RFC 5952 IPv6, no zone id); input unchanged if unparsable. */
export function normalizeIp(ip: string): string {
  const addr = parseStrict(ip);
  if (addr === undefined) return ip;
  return addr instanceof ipaddr.IPv6 ? addr.toRFC5952String() : addr.toString();
}

/** True only for globally routable unicast addresses (not private, loopback, link-local, CGNAT, documentation, …). */
export function isPublicIp(ip: string): boolean {
  const addr = parseStrict(ip);
  if (addr === undefined) return false;
  if (addr instanceof ipaddr.IPv4) return addr.range() === 'unicast';
  return addr.range() === 'unicast' && addr.match(GLOBAL_UNICAST_V6);
}
