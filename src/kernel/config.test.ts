import { describe, expect, it } from 'vitest';
import { type Config, ConfigError, loadConfig, parseDatabaseUrl } from './config.js';

/** The problems a bad environment is refused with. */
function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig defaults', () => {
  it('runs on an empty environment with the documented defaults', () => {
    expect(loadConfig({})).toEqual<Config>({
      port: 3000,
      host: 'localhost',
      database: { engine: 'sqlite', path: './data/vault.db' },
      trustProxy: false,
      adminUsername: undefined,
      adminPassword: undefined,
      sessionIdleMs: 30 * 60_000,
      sessionMaxMs: 12 * 3_600_000,
      cookieSecure: 'auto',
      cookieDomain: undefined,
      allowedRedirectHosts: [],
      publicUrl: undefined,
      activityRetentionDays: 400,
      ingestEventsPerMinute: 600_000,
      geoipCityDb: undefined,
      logLevel: 'info',
      requestTimeoutMs: 30_000,
      idleTimeoutMs: 120_000,
      maxConnections: 900,
      maxConnectionsPerIp: 100,
      maxStreams: 500,
      metricsToken: undefined,
      signingKeyFile: undefined,
      signingPreviousKeys: [],
      secretsKeyFile: undefined,
    });
  });

  it('treats empty variables as unset', () => {
    const empty = Object.fromEntries(
      [
        'PORT',
        'HOST',
        'DATABASE_URL',
        'TRUST_PROXY',
        'VAULT_ADMIN_USERNAME',
        'VAULT_ADMIN_PASSWORD',
        'SESSION_IDLE_MINUTES',
        'SESSION_MAX_HOURS',
        'COOKIE_SECURE',
        'ACTIVITY_RETENTION_DAYS',
        'INGEST_EVENTS_PER_MINUTE',
        'GEOIP_CITY_DB',
        'LOG_LEVEL',
        'REQUEST_TIMEOUT_SECONDS',
        'IDLE_TIMEOUT_SECONDS',
        'MAX_CONNECTIONS',
        'MAX_CONNECTIONS_PER_IP',
        'MAX_STREAMS',
        'METRICS_TOKEN',
        'COOKIE_DOMAIN',
        'ALLOWED_REDIRECT_HOSTS',
        'PUBLIC_URL',
        'SIGNING_PREVIOUS_KEYS',
      ].map((name) => [name, '']),
    );
    expect(loadConfig(empty)).toEqual(loadConfig({}));
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgres://vault@db.internal:5432/vault',
      TRUST_PROXY: 'loopback',
      VAULT_ADMIN_USERNAME: 'root',
      VAULT_ADMIN_PASSWORD: 'a long admin passphrase',
      SESSION_IDLE_MINUTES: '15',
      SESSION_MAX_HOURS: '8',
      COOKIE_SECURE: 'true',
      COOKIE_DOMAIN: '.Example.com',
      ALLOWED_REDIRECT_HOSTS: 'app.example.com, Files.Example.com:8443',
      PUBLIC_URL: 'https://Vault.Example.com/',
      ACTIVITY_RETENTION_DAYS: '730',
      INGEST_EVENTS_PER_MINUTE: '0',
      GEOIP_CITY_DB: '/srv/GeoIP2-City.mmdb',
      LOG_LEVEL: 'warn',
      REQUEST_TIMEOUT_SECONDS: '60',
      IDLE_TIMEOUT_SECONDS: '300',
      MAX_CONNECTIONS: '20000',
      MAX_CONNECTIONS_PER_IP: '500',
      MAX_STREAMS: '10000',
      METRICS_TOKEN: 'scrape-me-0123456789abcdef',
      SIGNING_KEY_FILE: '/etc/vault/signing-key.pem',
      SIGNING_PREVIOUS_KEYS: ` ${'A'.repeat(43)}=, ${'B'.repeat(43)}=`,
      SECRETS_KEY_FILE: '/etc/vault/secrets.key',
    });
    expect(config).toEqual<Config>({
      port: 8080,
      host: '0.0.0.0',
      database: { engine: 'postgres', url: 'postgres://vault@db.internal:5432/vault' },
      trustProxy: ['loopback'],
      adminUsername: 'root',
      adminPassword: 'a long admin passphrase',
      sessionIdleMs: 15 * 60_000,
      sessionMaxMs: 8 * 3_600_000,
      cookieSecure: true,
      cookieDomain: 'example.com',
      allowedRedirectHosts: ['app.example.com', 'files.example.com:8443'],
      publicUrl: 'https://vault.example.com',
      activityRetentionDays: 730,
      ingestEventsPerMinute: 0,
      geoipCityDb: '/srv/GeoIP2-City.mmdb',
      logLevel: 'warn',
      requestTimeoutMs: 60_000,
      idleTimeoutMs: 300_000,
      maxConnections: 20_000,
      // TRUST_PROXY is set: every socket is the proxy's, so there is no per-address cap.
      maxConnectionsPerIp: 0,
      maxStreams: 10_000,
      metricsToken: 'scrape-me-0123456789abcdef',
      signingKeyFile: '/etc/vault/signing-key.pem',
      signingPreviousKeys: [`${'A'.repeat(43)}=`, `${'B'.repeat(43)}=`],
      secretsKeyFile: '/etc/vault/secrets.key',
    });
  });

  it('is frozen', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('accepts the edges of every range', () => {
    expect(loadConfig({ PORT: '0' }).port).toBe(0);
    expect(loadConfig({ PORT: '65535' }).port).toBe(65535);
    expect(loadConfig({ SESSION_IDLE_MINUTES: '1' }).sessionIdleMs).toBe(60_000);
    expect(loadConfig({ SESSION_IDLE_MINUTES: String(7 * 24 * 60) }).sessionIdleMs).toBe(7 * 24 * 3_600_000);
    expect(loadConfig({ SESSION_MAX_HOURS: '2160' }).sessionMaxMs).toBe(2160 * 3_600_000);
    expect(loadConfig({ ACTIVITY_RETENTION_DAYS: '1' }).activityRetentionDays).toBe(1);
    expect(loadConfig({ ACTIVITY_RETENTION_DAYS: '36500' }).activityRetentionDays).toBe(36_500);
    expect(loadConfig({ REQUEST_TIMEOUT_SECONDS: '1' }).requestTimeoutMs).toBe(1_000);
    expect(loadConfig({ REQUEST_TIMEOUT_SECONDS: '3600' }).requestTimeoutMs).toBe(3_600_000);
    expect(loadConfig({ IDLE_TIMEOUT_SECONDS: '1' }).idleTimeoutMs).toBe(1_000);
    expect(loadConfig({ MAX_CONNECTIONS: '2', MAX_STREAMS: '1' })).toMatchObject({
      maxConnections: 2,
      maxStreams: 1,
    });
    expect(loadConfig({ MAX_CONNECTIONS_PER_IP: '1' }).maxConnectionsPerIp).toBe(1);
  });

  it.each<[string | undefined, number]>([
    [undefined, 100],
    ['0', 100],
    ['1', 0],
    ['loopback', 0],
    ['10.0.0.0/8', 0],
  ])('with TRUST_PROXY=%j caps connections per address at %i (0: off)', (raw, cap) => {
    expect(loadConfig({ TRUST_PROXY: raw }).maxConnectionsPerIp).toBe(cap);
  });

  it('refuses MAX_STREAMS not below MAX_CONNECTIONS, since streams hold their connection', () => {
    const problems = problemsOf({ MAX_CONNECTIONS: '100', MAX_STREAMS: '100' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('MAX_STREAMS');
    expect(problems[0]).toContain('MAX_CONNECTIONS');
  });

  it.each([
    ['auto', 'auto'],
    ['true', true],
    ['false', false],
  ] as const)('reads COOKIE_SECURE=%s', (raw, expected) => {
    expect(loadConfig({ COOKIE_SECURE: raw }).cookieSecure).toBe(expected);
  });
});

describe('loadConfig bad values', () => {
  it.each([
    'vault.example.com',
    'https://vault.example.com/login',
    'ftp://vault.example.com',
    'https://u:p@vault.example.com',
    'https://vault.example.com/?a=1',
  ])('refuses PUBLIC_URL=%s, naming it', (raw) => {
    const problems = problemsOf({ PUBLIC_URL: raw });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('PUBLIC_URL');
  });

  it.each([
    'https://example.com',
    'example.com/path',
    'example.com:443',
    'localhost',
    '*.example.com',
    '10.0.0.1',
  ])('refuses COOKIE_DOMAIN=%s, naming it', (raw) => {
    const problems = problemsOf({ COOKIE_DOMAIN: raw });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('COOKIE_DOMAIN');
  });

  it.each([
    'https://app.example.com',
    '*.example.com',
    'app.example.com/',
    'app.example.com:99999',
    'a:1:2',
    '',
  ])('refuses the ALLOWED_REDIRECT_HOSTS entry %j, naming it', (entry) => {
    const problems = problemsOf({ ALLOWED_REDIRECT_HOSTS: `good.example.com,${entry}` });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`ALLOWED_REDIRECT_HOSTS entry "${entry}"`);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['PORT', '80.5'],
    ['SESSION_IDLE_MINUTES', '0'],
    ['SESSION_IDLE_MINUTES', '10081'],
    ['SESSION_MAX_HOURS', '0'],
    ['SESSION_MAX_HOURS', '2161'],
    ['SESSION_MAX_HOURS', '12h'],
    ['ACTIVITY_RETENTION_DAYS', '0'],
    ['ACTIVITY_RETENTION_DAYS', '1e9'],
    ['COOKIE_SECURE', 'yes'],
    ['COOKIE_SECURE', 'TRUE'],
    ['DATABASE_URL', 'mysql://localhost/vault'],
    ['DATABASE_URL', 'sqlite:'],
    ['DATABASE_URL', 'postgres:/missing-slash'],
    ['TRUST_PROXY', 'true'],
    ['TRUST_PROXY', 'everyone'],
    ['LOG_LEVEL', 'verbose'],
    ['LOG_LEVEL', 'INFO'],
    ['REQUEST_TIMEOUT_SECONDS', '0'],
    ['REQUEST_TIMEOUT_SECONDS', '3601'],
    ['REQUEST_TIMEOUT_SECONDS', '30s'],
    ['IDLE_TIMEOUT_SECONDS', '0'],
    ['IDLE_TIMEOUT_SECONDS', '2.5'],
    ['MAX_CONNECTIONS', '1'],
    ['MAX_CONNECTIONS', 'many'],
    ['MAX_CONNECTIONS_PER_IP', '0'],
    ['MAX_STREAMS', '0'],
    ['MAX_STREAMS', '-5'],
  ])('refuses %s=%j, naming the variable and the value', (name, value) => {
    const problems = problemsOf({ [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(name);
    if (value !== 'sqlite:') expect(problems[0]).toContain(value);
  });

  it.each([
    ['too short', 'short-token'],
    ['with a space', 'a token with spaces in it'],
    ['not ASCII', 'tökentökentökentöken'],
  ])('refuses a METRICS_TOKEN %s, without echoing it', (_why, token) => {
    const problems = problemsOf({ METRICS_TOKEN: token });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('METRICS_TOKEN');
    expect(problems[0]).not.toContain(token);
  });

  it('accepts a METRICS_TOKEN of the minimum length', () => {
    expect(loadConfig({ METRICS_TOKEN: 'x'.repeat(16) }).metricsToken).toBe('x'.repeat(16));
  });

  it('refuses an admin username without a password, and a password without a username', () => {
    expect(problemsOf({ VAULT_ADMIN_USERNAME: 'root' })).toEqual([
      'VAULT_ADMIN_USERNAME and VAULT_ADMIN_PASSWORD must be set together',
    ]);
    expect(problemsOf({ VAULT_ADMIN_PASSWORD: 'a long admin passphrase' })).toHaveLength(1);
  });

  it('reports every bad value together in one ConfigError', () => {
    const env = {
      PORT: 'http',
      DATABASE_URL: 'mongodb://x',
      TRUST_PROXY: 'loopback, 10.0.0.0/40, proxy.internal',
      SESSION_IDLE_MINUTES: '-5',
      SESSION_MAX_HOURS: 'forever',
      COOKIE_SECURE: 'sometimes',
      ACTIVITY_RETENTION_DAYS: '0',
      LOG_LEVEL: 'loud',
      VAULT_ADMIN_USERNAME: 'root',
      REQUEST_TIMEOUT_SECONDS: 'never',
      IDLE_TIMEOUT_SECONDS: '0',
      MAX_CONNECTIONS_PER_IP: 'x',
    };
    let thrown: unknown;
    try {
      loadConfig(env);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const { problems, message } = thrown as ConfigError;
    const expected = [
      'PORT',
      'DATABASE_URL',
      '10.0.0.0/40',
      'proxy.internal',
      'SESSION_IDLE_MINUTES',
      'SESSION_MAX_HOURS',
      'COOKIE_SECURE',
      'ACTIVITY_RETENTION_DAYS',
      'LOG_LEVEL',
      'VAULT_ADMIN_USERNAME and VAULT_ADMIN_PASSWORD',
      'REQUEST_TIMEOUT_SECONDS',
      'IDLE_TIMEOUT_SECONDS',
      'MAX_CONNECTIONS_PER_IP',
    ];
    expect(problems).toHaveLength(expected.length);
    for (const needle of expected) {
      expect(problems.some((p) => p.includes(needle))).toBe(true);
      expect(message).toContain(needle);
    }
    // The good entry of the list is not reported.
    expect(problems.some((p) => p.includes('"loopback"'))).toBe(false);
  });
});

describe('TRUST_PROXY forms', () => {
  const trust = (raw: string | undefined) => loadConfig({ TRUST_PROXY: raw }).trustProxy;

  it.each([undefined, '', '   ', 'false'])('%j trusts no proxy', (raw) => {
    expect(trust(raw)).toBe(false);
  });

  it.each([
    ['1', 1],
    ['2', 2],
    ['0', 0],
  ])('%s is a hop count', (raw, hops) => {
    expect(trust(raw)).toBe(hops);
  });

  it.each<[string, string[]]>([
    ['loopback', ['loopback']],
    ['linklocal', ['linklocal']],
    ['uniquelocal', ['uniquelocal']],
    ['10.0.0.0/8', ['10.0.0.0/8']],
    ['10.0.0.0/8, 172.16.0.0/12 ,192.168.0.0/16', ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16']],
    ['loopback,10.1.2.3', ['loopback', '10.1.2.3']],
    ['203.0.113.7', ['203.0.113.7']],
    ['0.0.0.0/0', ['0.0.0.0/0']],
    ['10.0.0.0/32', ['10.0.0.0/32']],
    ['2001:db8::/32', ['2001:db8::/32']],
    ['::1', ['::1']],
    ['fd00::/8, loopback', ['fd00::/8', 'loopback']],
    ['2001:db8::1/128', ['2001:db8::1/128']],
  ])('%j is a list of addresses, CIDRs and keywords', (raw, list) => {
    expect(trust(raw)).toEqual(list);
  });

  it.each([
    'yes',
    'true',
    '-1',
    '1.5',
    'proxy.internal',
    '10.0.0.0/',
    '10.0.0.0/33',
    '10.0.0.0/99',
    '2001:db8::/129',
    '10.0.0.0/8/8',
    '10.0.0.0/abc',
    '999.0.0.1',
    '10.0.0.0/255.0.0.0',
    'loopback,',
    'Loopback',
  ])('refuses %j', (raw) => {
    const problems = problemsOf({ TRUST_PROXY: raw });
    expect(problems.length).toBeGreaterThanOrEqual(1);
    expect(problems.every((p) => p.startsWith('TRUST_PROXY'))).toBe(true);
  });
});

describe('DATABASE_URL forms', () => {
  it.each([
    [undefined, { engine: 'sqlite', path: './data/vault.db' }],
    ['', { engine: 'sqlite', path: './data/vault.db' }],
    ['sqlite:./data/vault.db', { engine: 'sqlite', path: './data/vault.db' }],
    ['sqlite:/var/lib/vault/vault.db', { engine: 'sqlite', path: '/var/lib/vault/vault.db' }],
    ['sqlite::memory:', { engine: 'sqlite', path: ':memory:' }],
    [
      'postgres://vault:secret@db:5432/vault',
      { engine: 'postgres', url: 'postgres://vault:secret@db:5432/vault' },
    ],
    [
      'postgresql://vault@db/vault?sslmode=require',
      { engine: 'postgres', url: 'postgresql://vault@db/vault?sslmode=require' },
    ],
    [
      'postgres://db/vault?schema=vault_a',
      { engine: 'postgres', url: 'postgres://db/vault', schema: 'vault_a' },
    ],
    [
      'postgres://db/vault?sslmode=require&schema=b&application_name=x',
      { engine: 'postgres', url: 'postgres://db/vault?sslmode=require&application_name=x', schema: 'b' },
    ],
  ])('%j', (raw, expected) => {
    expect(loadConfig({ DATABASE_URL: raw }).database).toEqual(expected);
    const problems: string[] = [];
    expect(parseDatabaseUrl(raw, problems)).toEqual(expected);
    expect(problems).toEqual([]);
  });

  it.each([
    'mysql://localhost/vault',
    'sqlite:',
    'postgres:db',
    'file:./vault.db',
    'http://db',
    'postgres://db/vault?schema=Public',
    'postgres://db/vault?schema=a;drop',
    'postgres://db/vault?schema=',
  ])('refuses %j', (raw) => {
    const problems: string[] = [];
    parseDatabaseUrl(raw, problems);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^DATABASE_URL/);
  });

  it('does not echo a refused URL’s password into the error', () => {
    const problems = problemsOf({ DATABASE_URL: 'mysql://vault:hunter2@db/vault' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).not.toContain('hunter2');
  });
});
