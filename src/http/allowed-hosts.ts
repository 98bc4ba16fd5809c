/**
 * ALLOWED_REDIRECT_HOSTS: the protected apps' hosts, where the login page may send a browser back
 * (`?rd=`) and whose pages may follow their session live (CORS on the stream). Exact names only, no
 * suffix or wildcard; an entry `host:port` pins the port too.
 */
export class AllowedHosts {
  constructor(private readonly entries: readonly string[]) {}

  /** Whether an http(s) URL's host (and port, where the entry names one) is on the list. */
  allows(url: URL): boolean {
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return false;
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    const host = url.hostname.toLowerCase();
    return this.entries.some((entry) => entry === host || entry === `${host}:${port}`);
  }

  /** The Origin header's host when that origin is on the list: a protected app's page is calling. */
  originHost(origin: string | undefined): string | undefined {
    if (origin === undefined) return undefined;
    const url = parseUrl(origin);
    return url && url.origin === origin && this.allows(url) ? url.host : undefined;
  }
}

// Whitespace, control characters and backslashes have no place in a URL a proxy built, and each
// is a way to make two parsers disagree about the host.
const SUSPICIOUS = /[\s\p{Cc}\\]/u;

/**
 * Where `GET /login?…&rd=<url>` may send the browser: the URL as parsed and serialised here (so the
 * browser follows exactly what was checked), when it is http(s), has no userinfo and its host is
 * allowed or the vault's own; otherwise undefined.
 */
export function redirectTarget(
  raw: string,
  rules: { allowed: AllowedHosts; ownHostname: string },
): string | undefined {
  // nginx cannot percent-encode `rd`; Caddy and Traefik placeholders may have. Decode once, then
  // hold the result to the same rules.
  let candidate = raw;
  if (/^https?%3a/i.test(candidate)) {
    try {
      candidate = decodeURIComponent(candidate);
    } catch {
      return undefined;
    }
  }
  if (SUSPICIOUS.test(candidate)) return undefined;
  const url = parseUrl(candidate);
  if (url === undefined || url.username + url.password !== '') return undefined;
  const own =
    (url.protocol === 'https:' || url.protocol === 'http:') &&
    url.hostname === rules.ownHostname.toLowerCase();
  return own || rules.allowed.allows(url) ? url.href : undefined;
}

/** Everything after the first `rd=` parameter of a request URL, verbatim (it is the last parameter). */
export function rawRedirectParam(requestUrl: string): string | undefined {
  const query = requestUrl.indexOf('?');
  if (query < 0) return undefined;
  const match = /(?:^|&)rd=/.exec(requestUrl.slice(query + 1));
  if (!match) return undefined;
  return requestUrl.slice(query + 1 + match.index + match[0].length);
}

/** The URL `text` names, or undefined: `new URL` without the throw. */
export function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}
