// One build at a time per checkout: a lock file created with O_EXCL ('wx'), holding the
// holder's pid and host, touched while the build runs. Plain Node on purpose: `npm start`
// must run without the dev dependencies.
import { closeSync, openSync, readFileSync, statSync, unlinkSync, utimesSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

const POLL_MS = 200;
const TOUCH_EVERY_MS = 2_000;
/**
 * A lock not touched for this long is abandoned, whatever its pid says: the pid may have been
 * reused, or belong to another machine or container sharing the folder.
 */
const UNTOUCHED_STALE_MS = 30_000;
/** The breaker is held for a few synchronous calls; one this old belongs to a dead process. */
const BREAKER_STALE_MS = 5_000;

/** Creates `path` only if it does not exist; false when someone else holds it. */
function tryCreate(path) {
  let fd;
  try {
    fd = openSync(path, 'wx');
  } catch (error) {
    if (error.code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, `${process.pid} ${hostname()}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

function ageMs(path) {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch (error) {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  }
}

function unlinkIfPresent(path) {
  try {
    unlinkSync(path);
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
  }
}

/** Whether a process with this pid runs here (EPERM: it does, under another user). */
function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** Who holds the lock, as written in it: `{ pid, host }`, or undefined while it is being written. */
export function readHolder(path) {
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  }
  const [pid, host] = text.trim().split(' ');
  const parsed = Number(pid);
  return Number.isInteger(parsed) && parsed > 0 ? { pid: parsed, host } : undefined;
}

function isStale(path) {
  const age = ageMs(path);
  if (age === undefined) return false;
  if (age > UNTOUCHED_STALE_MS) return true;
  const holder = readHolder(path);
  // Empty: created a moment ago and not yet written (the age check above covers a holder that died there).
  if (holder === undefined) return false;
  // A pid means nothing on another host; there only the touches tell.
  return holder.host === hostname() && !isAlive(holder.pid);
}

/**
 * Removes the lock if its holder died. Only one process at a time may do so (the breaker), so
 * two waiters that both saw a dead holder cannot remove the lock a third has just taken.
 */
function breakIfStale(path) {
  const breaker = `${path}.break`;
  if (!tryCreate(breaker)) {
    if ((ageMs(breaker) ?? 0) > BREAKER_STALE_MS) unlinkIfPresent(breaker);
    return;
  }
  try {
    if (isStale(path)) unlinkIfPresent(path);
  } finally {
    unlinkIfPresent(breaker);
  }
}

/**
 * Runs `task` holding the lock at `path`, waiting while another process holds it.
 * `onWait` is called once, with the holder, when the lock was taken.
 */
export async function withLock(path, task, { onWait } = {}) {
  let waited = false;
  while (!tryCreate(path)) {
    if (!waited) {
      waited = true;
      onWait?.(readHolder(path));
    }
    breakIfStale(path);
    await sleep(POLL_MS);
  }
  const touch = setInterval(() => {
    const now = new Date();
    try {
      utimesSync(path, now, now);
    } catch {
      // Removed under us (e.g. `rm -rf dist`): the build goes on; the next one takes a fresh lock.
    }
  }, TOUCH_EVERY_MS);
  try {
    return await task();
  } finally {
    clearInterval(touch);
    // Never remove a lock someone else took after ours was judged abandoned.
    const holder = readHolder(path);
    if (holder?.pid === process.pid && holder.host === hostname()) unlinkIfPresent(path);
  }
}
