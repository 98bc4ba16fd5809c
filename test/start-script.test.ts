import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const REPO = join(import.meta.dirname, '..');
/** Long enough that a second start arrives while the first one is still building. */
const FAKE_BUILD_MS = 1_500;
/** Bounds each wait for a process; the fake build is the slowest step. */
const WAIT_MS = 30_000;

/**
 * Stands in for tsc + vite: logs each run, notices two runs at once, and leaves what `npm start`
 * needs — a dist/cli.js that serves /api/health and a web build where the build script asks.
 */
const FAKE_BUILD = `
import { appendFileSync, mkdirSync, openSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
try { openSync('building', 'wx'); } catch { appendFileSync('builds.log', 'overlap\\n'); }
appendFileSync('builds.log', 'build\\n');
await new Promise((resolve) => setTimeout(resolve, ${FAKE_BUILD_MS}));
mkdirSync('dist', { recursive: true });
writeFileSync('dist/cli.js', ${JSON.stringify(`
import { createServer } from 'node:http';
const server = createServer((request, response) => response.end(JSON.stringify({ ok: true, argv: process.argv.slice(2) })));
server.listen(0, '127.0.0.1', () => console.log('listening on ' + server.address().port));
`)});
const web = process.env.VAULT_WEB_OUT_DIR ?? 'web/dist';
mkdirSync(web, { recursive: true });
writeFileSync(join(web, 'index.html'), '<!doctype html>');
unlinkSync('building');
`;

interface Started {
  child: ChildProcess;
  port: Promise<number>;
  exit: Promise<number | null>;
  output: () => string;
}

describe('npm start on one checkout', () => {
  let checkout: string;
  let children: ChildProcess[];

  /** A checkout with the real start and build scripts and a fake build behind them. */
  beforeEach(() => {
    checkout = mkdtempSync(join(tmpdir(), 'vault-start-'));
    children = [];
    cpSync(join(REPO, 'scripts'), join(checkout, 'scripts'), { recursive: true });
    const real = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
    const scripts = {
      start: real.scripts.start,
      build: real.scripts.build,
      'build:unlocked': 'node fake-build.mjs',
    };
    writeFileSync(join(checkout, 'package.json'), JSON.stringify({ name: 'x', type: 'module', scripts }));
    writeFileSync(join(checkout, 'fake-build.mjs'), FAKE_BUILD);
    mkdirSync(join(checkout, 'src'));
    writeFileSync(join(checkout, 'src', 'cli.ts'), 'export {};\n');
    installBuildTools();
  });
  afterEach(() => {
    for (const child of children) {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone (the start that refused to run).
      }
    }
    rmSync(checkout, { recursive: true, force: true });
  });

  /** What the start script looks for before building: the dev dependencies tsc and vite. */
  const installBuildTools = () => {
    for (const tool of ['typescript', 'vite']) {
      mkdirSync(join(checkout, 'node_modules', tool), { recursive: true });
      writeFileSync(join(checkout, 'node_modules', tool, 'package.json'), JSON.stringify({ name: tool }));
    }
  };

  const builds = () => {
    const log = join(checkout, 'builds.log');
    return existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
  };

  const start = (): Started => {
    // A process group of its own: npm, its shell and the server all go in afterEach.
    const child = spawn('npm', ['start', '--silent'], {
      cwd: checkout,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    children.push(child);
    let output = '';
    const port = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no server within ${WAIT_MS} ms:\n${output}`)),
        WAIT_MS,
      );
      const read = (chunk: Buffer) => {
        output += chunk.toString();
        const match = /listening on (\d+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      };
      child.stdout?.on('data', read);
      child.stderr?.on('data', read);
      child.on('exit', () => {
        clearTimeout(timer);
        reject(new Error(`exited before serving:\n${output}`));
      });
    });
    port.catch(() => {});
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return { child, port, exit, output: () => output };
  };

  const health = async (started: Started) => {
    const response = await fetch(`http://127.0.0.1:${await started.port}/api/health`);
    return response.json();
  };

  it('two starts at once on an unbuilt checkout: one build, and both serve', async () => {
    const [first, second] = [start(), start()];

    expect(await health(first)).toEqual({ ok: true, argv: ['serve'] });
    expect(await health(second)).toEqual({ ok: true, argv: ['serve'] });
    expect(builds()).toEqual(['build']);
    expect(first.output() + second.output()).toContain('waiting for the build');
  });

  it('a start on a current build builds nothing and needs no dev dependencies', async () => {
    await start().port;
    expect(builds()).toHaveLength(1);
    rmSync(join(checkout, 'node_modules'), { recursive: true });

    await health(start());
    expect(builds()).toHaveLength(1);
  });

  it('after a source changes, two starts at once build once more, one after the other', async () => {
    await start().port;
    writeFileSync(join(checkout, 'src', 'cli.ts'), 'export const changed = true;\n');

    const [first, second] = [start(), start()];
    await health(first);
    await health(second);
    expect(builds()).toEqual(['build', 'build']);
  });

  it('takes over a lock left by a process that died', async () => {
    const dead = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => dead.on('exit', resolve));
    mkdirSync(join(checkout, 'dist'));
    writeFileSync(join(checkout, 'dist', '.build.lock'), `${dead.pid} ${hostname()}\n`);

    expect(await health(start())).toMatchObject({ ok: true });
    expect(builds()).toEqual(['build']);
    expect(existsSync(join(checkout, 'dist', '.build.lock'))).toBe(false);
  });

  it('refuses to start, saying why, when the build is stale and the dev dependencies are missing', async () => {
    rmSync(join(checkout, 'node_modules'), { recursive: true });
    const started = start();

    expect(await started.exit).toBe(1);
    expect(started.output()).toContain('npm install');
    expect(builds()).toEqual([]);
  });
});
