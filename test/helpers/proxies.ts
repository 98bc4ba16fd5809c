import { type ChildProcess, spawn } from 'node:child_process';
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { Agent, createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './child-server.js';

/**
 * Real nginx and Caddy in front of a small upstream app, run from the snippet files an operator
 * copies (docs/proxy/), with only their placeholders replaced: the vault's and the app's
 * addresses, and TLS for a plain-HTTP loopback port.
 */

const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const SNIPPETS = {
  nginx: join(REPO, 'docs/proxy/nginx.conf'),
  caddy: join(REPO, 'docs/proxy/Caddyfile'),
  traefik: join(REPO, 'docs/proxy/traefik.yml'),
} as const;

/** The placeholders the snippets are written with. */
export const PLACEHOLDER = {
  vault: '127.0.0.1:3000',
  app: '127.0.0.1:8080',
  vaultHost: 'vault.example.com',
  appHost: 'app.example.com',
} as const;

export type ProxyKind = 'nginx' | 'caddy';
export const PROXY_KINDS: ProxyKind[] = ['nginx', 'caddy'];
const BINARY: Record<ProxyKind, string> = { nginx: 'nginx', caddy: 'caddy' };
const STARTED_WITHIN_MS = 15_000;
const STOPPED_WITHIN_MS = 5_000;

// In CI the proxies are installed (.ci/run) and mandatory: a missing one fails the run, never skips.
const proxiesRequired = process.env.CI === 'true';

/** Where `name` is on PATH (or in /usr/sbin, which a non-root PATH may lack), if anywhere. */
export function findBinary(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export const PROXY_BINARIES: Partial<Record<ProxyKind, string>> = Object.fromEntries(
  PROXY_KINDS.flatMap((kind) => {
    const path = findBinary(BINARY[kind]);
    return path ? [[kind, path]] : [];
  }),
);

/** The proxies this machine has; throws under CI=true when one is missing. */
export function availableProxies(): ProxyKind[] {
  const missing = PROXY_KINDS.filter((kind) => !PROXY_BINARIES[kind]);
  if (missing.length > 0 && proxiesRequired) {
    throw new Error(`${missing.join(' and ')} must be installed here (CI=true): apt-get install nginx caddy`);
  }
  if (missing.length > 0 && !process.env.VITEST_PROXIES_WARNED) {
    process.env.VITEST_PROXIES_WARNED = '1';
    console.warn(`${missing.join(' and ')} not installed: their forward-auth tests are SKIPPED.`);
  }
  return PROXY_KINDS.filter((kind) => PROXY_BINARIES[kind]);
}

// ---------------------------------------------------------------------------------------------
// Processes: each proxy runs in its own process group, so stopping it takes its workers too,
// and every group still running when this process exits is killed (a failed test, a crash).

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) killGroup(child, 'SIGKILL');
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

export interface RunningProxy {
  kind: ProxyKind;
  port: number;
  /** The proxy's process (nginx: its master), which leads a process group of its own. */
  pid: number;
  /** The configuration it runs, as written to disk. */
  config: string;
  /** What it wrote to stdout, stderr and its error log so far. */
  logs(): string;
  stop(): Promise<void>;
}

export interface ProxyTargets {
  /** The vault as the proxy reaches it, `host:port`. */
  vault: string;
  /** The protected app, `host:port`. */
  app: string;
}

async function waitForPort(port: number, child: ChildProcess, logs: () => string): Promise<void> {
  const giveUpAt = Date.now() + STARTED_WITHIN_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`proxy exited (${child.exitCode ?? child.signalCode}):\n${logs()}`);
    }
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > giveUpAt) throw new Error(`proxy did not listen on ${port}:\n${logs()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function launch(
  kind: ProxyKind,
  args: string[],
  options: { dir: string; port: number; config: string; env?: Record<string, string>; errorLog?: string },
): Promise<RunningProxy> {
  const binary = PROXY_BINARIES[kind];
  if (!binary) throw new Error(`${kind} is not installed`);
  const child = spawn(binary, args, {
    cwd: options.dir,
    env: { PATH: process.env.PATH ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  running.add(child);
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const logs = () => {
    const errorLog =
      options.errorLog && existsSync(options.errorLog) ? readFileSync(options.errorLog, 'utf8') : '';
    return `${output}${errorLog}`;
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      killGroup(child, 'SIGTERM');
      const stopped = await Promise.race([
        exited.then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), STOPPED_WITHIN_MS)),
      ]);
      if (!stopped) {
        killGroup(child, 'SIGKILL');
        await exited;
      }
    }
    running.delete(child);
    rmSync(options.dir, { recursive: true, force: true });
  };
  try {
    await waitForPort(options.port, child, logs);
  } catch (error) {
    await stop();
    throw error;
  }
  return { kind, port: options.port, pid: child.pid as number, config: options.config, logs, stop };
}

// ---------------------------------------------------------------------------------------------
// The snippets, with their placeholders replaced.

function replaceAll(text: string, from: string, to: string): string {
  return text.split(from).join(to);
}

function substituteTargets(snippet: string, targets: ProxyTargets): string {
  return replaceAll(replaceAll(snippet, PLACEHOLDER.vault, targets.vault), PLACEHOLDER.app, targets.app);
}

/** docs/proxy/nginx.conf inside a whole nginx.conf whose every path is in `dir`. */
export function nginxConfig(
  snippet: string,
  options: ProxyTargets & NginxOptions & { dir: string; port: number },
): string {
  const servers = replaceAll(
    substituteTargets(snippet, options),
    `https://${PLACEHOLDER.vaultHost}/`,
    options.loginOrigin ? `${options.loginOrigin}/` : `https://${PLACEHOLDER.vaultHost}/`,
  )
    .replace(/^\s*listen 443 ssl;$/gm, `    listen 127.0.0.1:${options.port};`)
    .replace(/^\s*ssl_certificate(_key)? .*$\n/gm, '');
  const dir = options.dir;
  return [
    // As root, nginx's workers would otherwise run as nobody, who may not enter the temp folder.
    process.getuid?.() === 0 ? 'user root;' : '',
    `worker_processes ${options.workers ?? 1};`,
    `pid ${join(dir, 'nginx.pid')};`,
    `error_log ${join(dir, 'error.log')} warn;`,
    'events { worker_connections 4096; }',
    'http {',
    '    access_log off;',
    `    client_body_temp_path ${join(dir, 'client_body')};`,
    `    proxy_temp_path ${join(dir, 'proxy')};`,
    `    fastcgi_temp_path ${join(dir, 'fastcgi')};`,
    `    uwsgi_temp_path ${join(dir, 'uwsgi')};`,
    `    scgi_temp_path ${join(dir, 'scgi')};`,
    servers,
    options.extra ?? '',
    '}',
    '',
  ].join('\n');
}

/** docs/proxy/Caddyfile on plain HTTP at `port`, without the admin API or automatic HTTPS. */
export function caddyConfig(snippet: string, options: ProxyTargets & { port: number }): string {
  const sites = substituteTargets(snippet, options).replace(
    /^([a-z0-9.-]+\.example\.com) \{$/gm,
    (_, host: string) => `http://${host}:${options.port} {`,
  );
  return ['{', '\tadmin off', '\tauto_https off', '\tgrace_period 1s', '}', '', sites].join('\n');
}

export interface NginxOptions {
  /** The port to listen on; a free one unless given. */
  port?: number;
  /** Where the login redirect points instead of https://vault.example.com (a browser test's plain-HTTP port). */
  loginOrigin?: string;
  /** worker_processes; 1 by default. */
  workers?: number;
  /** More configuration inside http { } (the benchmark's unprotected server). */
  extra?: string;
}

export async function startNginx(targets: ProxyTargets, options: NginxOptions = {}): Promise<RunningProxy> {
  const dir = mkdtempSync(join(tmpdir(), 'vault-nginx-'));
  const port = options.port ?? (await freePort());
  for (const sub of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, sub));
  const config = nginxConfig(readFileSync(SNIPPETS.nginx, 'utf8'), { ...targets, ...options, dir, port });
  const file = join(dir, 'nginx.conf');
  writeFileSync(file, config);
  const errorLog = join(dir, 'error.log');
  return launch('nginx', ['-p', dir, '-c', file, '-e', errorLog, '-g', 'daemon off;'], {
    dir,
    port,
    config,
    errorLog,
  });
}

export async function startCaddy(targets: ProxyTargets): Promise<RunningProxy> {
  const dir = mkdtempSync(join(tmpdir(), 'vault-caddy-'));
  const port = await freePort();
  const config = caddyConfig(readFileSync(SNIPPETS.caddy, 'utf8'), { ...targets, port });
  const file = join(dir, 'Caddyfile');
  writeFileSync(file, config);
  return launch('caddy', ['run', '--config', file, '--adapter', 'caddyfile'], {
    dir,
    port,
    config,
    env: { HOME: dir, XDG_DATA_HOME: join(dir, 'data'), XDG_CONFIG_HOME: join(dir, 'config') },
  });
}

export function startProxy(kind: ProxyKind, targets: ProxyTargets): Promise<RunningProxy> {
  return kind === 'nginx' ? startNginx(targets) : startCaddy(targets);
}

// ---------------------------------------------------------------------------------------------
// The protected app: answers every request with what it received.

export interface UpstreamRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Upstream {
  /** `127.0.0.1:port`, as the proxy reaches it. */
  address: string;
  /** Every request that reached it, in order. */
  requests: UpstreamRequest[];
  close(): Promise<void>;
}

export async function startUpstream(): Promise<Upstream> {
  const requests: UpstreamRequest[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      const seen: UpstreamRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body,
      };
      requests.push(seen);
      const payload = JSON.stringify({ upstream: true, ...seen });
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(payload),
      });
      res.end(payload);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    address: `127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ---------------------------------------------------------------------------------------------
// A client that can name the Host (fetch cannot), over pooled keep-alive connections.

export interface ProxyResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** The body parsed as JSON, or undefined. */
  json: unknown;
}

export interface ProxyRequest {
  host: string;
  path: string;
  method?: string;
  /** Header values; an array sends the header once per value. */
  headers?: Record<string, string | string[]>;
  body?: string;
}

const keepAlive = new Agent({ keepAlive: true, maxSockets: 64 });

export function requestThrough(port: number, options: ProxyRequest): Promise<ProxyResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | string[]> = { host: options.host, ...options.headers };
    if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path: options.path,
        method: options.method ?? 'GET',
        headers,
        agent: keepAlive,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => {
          let json: unknown;
          try {
            json = body ? JSON.parse(body) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Logs in through the proxy's vault host; returns the `vault_session=...` cookie and the session. */
export async function loginThrough(
  port: number,
  username: string,
  password: string,
): Promise<{ cookie: string; sessionId: string; userId: string; orgId: string }> {
  const response = await requestThrough(port, {
    host: PLACEHOLDER.vaultHost,
    path: '/api/auth/login',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (response.status !== 200) throw new Error(`login ${username}: ${response.status} ${response.body}`);
  const setCookie = response.headers['set-cookie'] ?? [];
  const cookie = setCookie.map((c) => c.split(';')[0] as string).find((c) => c.startsWith('vault_session='));
  if (!cookie) throw new Error(`no session cookie in ${JSON.stringify(setCookie)}`);
  const json = response.json as { session: { id: string }; user: { id: string; orgId: string } };
  return { cookie, sessionId: json.session.id, userId: json.user.id, orgId: json.user.orgId };
}
