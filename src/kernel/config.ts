import { isIP } from 'node:net';
import { HOUR_MS, MINUTE_MS, SECOND_MS } from './time.js';

/** Where the database lives: an embedded SQLite file or a PostgreSQL server. */
export type DatabaseConfig =
  | { engine: 'sqlite'; path: string }
  /** `schema`: from `?schema=` in the URL, the search_path of every connection (one database, several apps). */
  | { engine: 'postgres'; url: string; schema?: string };

/** Whose X-Forwarded-For we believe: nobody, a hop count, or a list of addresses/CIDRs/`loopback`. */
export type TrustProxy = false | number | string[];

export interface Config {
  port: number;
  host: string;
  database: DatabaseConfig;
  trustProxy: TrustProxy;
  adminUsername: string | undefined;
  adminPassword: string | undefined;
  sessionIdleMs: number;
  sessionMaxMs: number;
  cookieSecure: 'auto' | boolean;
  /** The session cookie's Domain, so one login serves sibling hosts; unset: a host-only cookie. */
  cookieDomain: string | undefined;
  /** Hosts (`host` or `host:port`, lower case) the login page may send a browser back to, and whose pages may follow a session live. */
  allowedRedirectHosts: readonly string[];
  /** The vault's public origin (`https://vault.example.com`), for a login redirect built without a browser's Host. */
  publicUrl: string | undefined;
  activityRetentionDays: number;
  /** Per API key (or admin) and instance; 0 = no limit. */
  ingestEventsPerMinute: number;
  geoipCityDb: string | undefined;
  logLevel: LogLevel;
  /** Headers and body of a request must have arrived within this; headers within 10 s at most. */
  requestTimeoutMs: number;
  /** A connection with no bytes in either direction for this long is closed (event streams excepted). */
  idleTimeoutMs: number;
  maxConnections: number;
  /** Concurrent connections from one socket address; 0 (off) when TRUST_PROXY names a proxy. */
  maxConnectionsPerIp: number;
  /** Open event streams on this instance, all sessions together. */
  maxStreams: number;
  /** The bearer token GET /metrics asks for; unset, there is no /metrics. */
  metricsToken: string | undefined;
  /** SIGNING_KEY_FILE: the Ed25519 private key (PEM) that signs checkpoints; unset: signing-key.ts's default. */
  signingKeyFile: string | undefined;
  /** SIGNING_PREVIOUS_KEYS: retired public keys (raw, base64) that still verify what they signed, never sign. */
  signingPreviousKeys: readonly string[];
  /** SECRETS_KEY_FILE: the AES key that seals stored secrets (secret-box.ts); unset: beside the signing key. */
  secretsKeyFile: string | undefined;
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

const PROXY_KEYWORDS = new Set(['loopback', 'linklocal', 'uniquelocal']);
/** Short enough to guess is too short: 16 random characters are beyond any scrape-rate guessing. */
export const MIN_METRICS_TOKEN_LENGTH = 16;

type Env = Record<string, string | undefined>;

/** Reads and validates the environment once; every bad value is reported, not just the first. */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  };

  const trustProxy = parseTrustProxy(env.TRUST_PROXY, problems);
  // Behind a proxy every socket is the proxy's: a per-address cap would cap all clients together.
  const perIpCap = int('MAX_CONNECTIONS_PER_IP', 100, 1, 1_000_000);
  const config: Config = {
    port: int('PORT', 3000, 0, 65535),
    host: env.HOST || 'localhost',
    database: parseDatabaseUrl(env.DATABASE_URL, problems),
    trustProxy,
    adminUsername: env.VAULT_ADMIN_USERNAME || undefined,
    adminPassword: env.VAULT_ADMIN_PASSWORD || undefined,
    sessionIdleMs: int('SESSION_IDLE_MINUTES', 30, 1, 7 * 24 * 60) * MINUTE_MS,
    sessionMaxMs: int('SESSION_MAX_HOURS', 12, 1, 24 * 90) * HOUR_MS,
    cookieSecure: parseCookieSecure(env.COOKIE_SECURE, problems),
    cookieDomain: parseCookieDomain(env.COOKIE_DOMAIN, problems),
    allowedRedirectHosts: parseAllowedHosts(env.ALLOWED_REDIRECT_HOSTS, problems),
    publicUrl: parsePublicUrl(env.PUBLIC_URL, problems),
    activityRetentionDays: int('ACTIVITY_RETENTION_DAYS', 400, 1, 36_500),
    ingestEventsPerMinute: int('INGEST_EVENTS_PER_MINUTE', 600_000, 0, 100_000_000),
    geoipCityDb: env.GEOIP_CITY_DB || undefined,
    logLevel: parseLogLevel(env.LOG_LEVEL, problems),
    requestTimeoutMs: int('REQUEST_TIMEOUT_SECONDS', 30, 1, 3_600) * SECOND_MS,
    idleTimeoutMs: int('IDLE_TIMEOUT_SECONDS', 120, 1, 3_600) * SECOND_MS,
    maxConnections: int('MAX_CONNECTIONS', 900, 2, 1_000_000),
    maxConnectionsPerIp: trustProxy === false || trustProxy === 0 ? perIpCap : 0,
    maxStreams: int('MAX_STREAMS', 500, 1, 1_000_000),
    metricsToken: parseMetricsToken(env.METRICS_TOKEN, problems),
    signingKeyFile: env.SIGNING_KEY_FILE || undefined,
    signingPreviousKeys: parsePreviousKeys(env.SIGNING_PREVIOUS_KEYS, problems),
    secretsKeyFile: env.SECRETS_KEY_FILE || undefined,
  };
  if (config.maxStreams >= config.maxConnections) {
    // Streams hold their connection; at the cap nothing else could get through.
    problems.push(
      `MAX_STREAMS must be lower than MAX_CONNECTIONS (got ${config.maxStreams} and ${config.maxConnections})`,
    );
  }
  if ((config.adminUsername === undefined) !== (config.adminPassword === undefined)) {
    problems.push('VAULT_ADMIN_USERNAME and VAULT_ADMIN_PASSWORD must be set together');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}

/** Parses `sqlite:PATH` or `postgres://...`; the default is an embedded file under ./data. */
export function parseDatabaseUrl(raw: string | undefined, problems: string[] = []): DatabaseConfig {
  const url = raw || 'sqlite:./data/vault.db';
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    if (path === '') problems.push('DATABASE_URL sqlite: needs a file path, e.g. sqlite:./data/vault.db');
    return { engine: 'sqlite', path };
  }
  if (/^postgres(ql)?:\/\//.test(url)) return parsePostgresUrl(url, problems);
  // Start-up errors end up in logs: a mistyped scheme must not leak the password that follows it.
  const shown = url.replace(/(\/\/[^:/@]*):[^@/]*@/, '$1:***@');
  problems.push(`DATABASE_URL must start with sqlite: or postgres:// (got "${shown}")`);
  return { engine: 'sqlite', path: './data/vault.db' };
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]*$/;

/** Takes `schema=` out of the query (the driver would not know it) and checks it names a schema. */
function parsePostgresUrl(url: string, problems: string[]): DatabaseConfig {
  const match = /[?&]schema=([^&]*)/.exec(url);
  if (!match) return { engine: 'postgres', url };
  const schema = match[1] as string;
  if (!SCHEMA_NAME.test(schema)) {
    problems.push(
      `DATABASE_URL schema= must be a lower-case name of letters, digits and _ (got "${schema}")`,
    );
  }
  const rest = url.replace(/([?&])schema=[^&]*&?/, '$1').replace(/[?&]$/, '');
  return { engine: 'postgres', url: rest, schema };
}

function parseTrustProxy(raw: string | undefined, problems: string[]): TrustProxy {
  if (raw === undefined || raw.trim() === '' || raw === 'false') return false;
  if (/^\d+$/.test(raw)) return Number(raw);
  const entries = raw.split(',').map((s) => s.trim());
  for (const entry of entries) {
    const [address, bits, ...rest] = entry.split('/');
    const family = address ? isIP(address) : 0;
    // A prefix longer than the address would pass here and only crash the server when it builds.
    const validBits =
      bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 6 ? 128 : 32));
    if (!PROXY_KEYWORDS.has(entry) && !(family !== 0 && validBits && rest.length === 0)) {
      problems.push(`TRUST_PROXY entry "${entry}" is not loopback, an IP address, a CIDR or a hop count`);
    }
  }
  return entries;
}

function parseMetricsToken(raw: string | undefined, problems: string[]): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  // The token itself is never echoed: start-up errors end up in logs.
  if (!/^[\x21-\x7e]+$/.test(raw)) {
    problems.push('METRICS_TOKEN must be printable ASCII without spaces (it is sent as a bearer token)');
  } else if (raw.length < MIN_METRICS_TOKEN_LENGTH) {
    problems.push(
      `METRICS_TOKEN must be at least ${MIN_METRICS_TOKEN_LENGTH} characters (got ${raw.length}); e.g. openssl rand -hex 32`,
    );
  }
  return raw;
}

/** A raw Ed25519 public key in base64: what the server prints at start and the signing-key route shows. */
const RAW_PUBLIC_KEY = /^[A-Za-z0-9+/]{43}=$/;

function parsePreviousKeys(raw: string | undefined, problems: string[]): string[] {
  if (raw === undefined || raw.trim() === '') return [];
  const keys = raw.split(',').map((entry) => entry.trim());
  for (const [index, key] of keys.entries()) {
    if (RAW_PUBLIC_KEY.test(key)) continue;
    // Only a start is echoed: a private key pasted here by mistake must not end up in the logs.
    const shown = key.length > 12 ? `${key.slice(0, 12)}…` : key;
    problems.push(
      `SIGNING_PREVIOUS_KEYS entry ${index + 1} ("${shown}") is not an Ed25519 public key: give the raw key in base64 (44 characters ending in =, the publicKey of GET /api/activities/signing-key)`,
    );
  }
  return keys;
}

function parseCookieSecure(raw: string | undefined, problems: string[]): 'auto' | boolean {
  if (raw === undefined || raw === '' || raw === 'auto') return 'auto';
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  problems.push(`COOKIE_SECURE must be auto, true or false (got "${raw}")`);
  return 'auto';
}

// A DNS name of letters, digits and hyphens (IDNs in their xn-- form), or an IPv4 address.
const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

function parseCookieDomain(raw: string | undefined, problems: string[]): string | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  // Browsers ignore a leading dot; dropping it here keeps one spelling in the Set-Cookie header.
  const domain = raw.trim().toLowerCase().replace(/^\./, '');
  if (!HOSTNAME.test(domain) || isIP(domain) !== 0 || !domain.includes('.')) {
    problems.push(
      `COOKIE_DOMAIN must be a domain with a dot such as example.com, no scheme, port or path (got "${raw}")`,
    );
  }
  return domain;
}

function parsePublicUrl(raw: string | undefined, problems: string[]): string | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  let url: URL | undefined;
  try {
    url = new URL(raw.trim());
  } catch {
    url = undefined;
  }
  const bare =
    url &&
    (url.protocol === 'https:' || url.protocol === 'http:') &&
    url.pathname === '/' &&
    !url.search &&
    !url.hash &&
    !url.username &&
    !url.password;
  if (!url || !bare) {
    problems.push(
      `PUBLIC_URL must be the vault's origin such as https://vault.example.com, no path (got "${raw}")`,
    );
    return undefined;
  }
  return url.origin;
}

function parseAllowedHosts(raw: string | undefined, problems: string[]): string[] {
  if (raw === undefined || raw.trim() === '') return [];
  const hosts = raw.split(',').map((entry) => entry.trim().toLowerCase());
  for (const host of hosts) {
    const [name = '', port, ...rest] = host.split(':');
    const validPort = port === undefined || (/^\d{1,5}$/.test(port) && Number(port) <= 65535);
    if (!HOSTNAME.test(name) || !validPort || rest.length > 0) {
      problems.push(
        `ALLOWED_REDIRECT_HOSTS entry "${host}" must be a host name, optionally with :port (no scheme, path or wildcard)`,
      );
    }
  }
  return hosts;
}

function parseLogLevel(raw: string | undefined, problems: string[]): LogLevel {
  if (raw === undefined || raw === '') return 'info';
  const level = LOG_LEVELS.find((l) => l === raw);
  if (!level) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${raw}")`);
  return level ?? 'info';
}
