#!/usr/bin/env node
// `npm run build`: builds the server (dist/) and the web app (web/dist) under the checkout's
// build lock, so two builds never write the same files at once, and stamps the result.
// `--if-stale` builds only when the stamp does not match the sources (what `npm start` asks).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withLock } from './build-lock.mjs';
import { fingerprintSources, isBuildCurrent, removeStamp, writeStamp } from './build-stamp.mjs';

/** The package.json script that really builds; only ever run while holding the lock. */
const BUILD_SCRIPT = 'build:unlocked';

export class BuildError extends Error {}

/** npm itself: the one running us when there is one (npm_execpath), else the one on PATH. */
function npmCommand() {
  const execPath = process.env.npm_execpath;
  if (execPath && /^npm-cli\.[cm]?js$/.test(basename(execPath))) return [process.execPath, [execPath]];
  return ['npm', []];
}

function run(root, env) {
  const [command, prefix] = npmCommand();
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...prefix, 'run', '--silent', BUILD_SCRIPT], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: 'inherit',
      shell: process.platform === 'win32',
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new BuildError(`the build failed (${signal ?? `exit code ${code}`})`));
    });
  });
}

/**
 * The web app is built beside web/dist and swapped in with two renames, so a server already
 * serving web/dist never sees it half written or emptied.
 */
function swapInWeb(root, next) {
  const live = join(root, 'web', 'dist');
  const old = join(root, 'web', `dist.old-${process.pid}`);
  if (existsSync(live)) renameSync(live, old);
  renameSync(next, live);
  rmSync(old, { recursive: true, force: true });
}

function hasBuildTools(root) {
  const require = createRequire(join(root, 'package.json'));
  try {
    for (const tool of ['typescript', 'vite']) require.resolve(`${tool}/package.json`);
    return true;
  } catch {
    return false;
  }
}

async function buildLocked(root, { ifStale, log }) {
  if (ifStale && isBuildCurrent(root)) return false;
  if (!hasBuildTools(root)) {
    throw new BuildError(
      'dist/ is missing or older than the sources, and building it needs the dev dependencies: run "npm install" (or build elsewhere and ship dist/ and web/dist)',
    );
  }
  if (ifStale) log('dist/ is missing or older than the sources: building it first…');
  // Read before building: a file edited during the build makes the next start build again.
  const fingerprint = fingerprintSources(root);
  // Until the new stamp, a start that looks without the lock must see "stale" and wait for it.
  removeStamp(root);
  const next = join(root, 'web', `dist.next-${process.pid}`);
  rmSync(next, { recursive: true, force: true });
  try {
    await run(root, { VAULT_WEB_OUT_DIR: next });
    swapInWeb(root, next);
  } finally {
    rmSync(next, { recursive: true, force: true });
  }
  writeStamp(root, fingerprint);
  return true;
}

/**
 * Builds the checkout at `root` unless (with `ifStale`) its build is current. Waits while another
 * process builds it, then looks again. Resolves to whether this call built.
 */
export async function build(
  root,
  { ifStale = false, log = (line) => process.stderr.write(`${line}\n`) } = {},
) {
  mkdirSync(join(root, 'dist'), { recursive: true });
  if (ifStale && isBuildCurrent(root)) return false;
  return withLock(join(root, 'dist', '.build.lock'), () => buildLocked(root, { ifStale, log }), {
    onWait: (holder) => log(`waiting for the build that process ${holder?.pid ?? '?'} is running…`),
  });
}

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    await build(ROOT, { ifStale: process.argv.includes('--if-stale') });
  } catch (error) {
    if (!(error instanceof BuildError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
