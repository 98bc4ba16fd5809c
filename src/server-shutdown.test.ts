import { describe, expect, it } from 'vitest';
import { type ShutdownDeps, shutDown } from './server-shutdown.js';

function recorder(close: () => Promise<void>) {
  const lines: string[] = [];
  let exitCode: number | undefined;
  let exited: () => void = () => {};
  const exit = new Promise<void>((resolve) => {
    exited = resolve;
  });
  const deps: ShutdownDeps = {
    close,
    log: {
      info: (message) => lines.push(`info ${message}`),
      error: (_detail, message) => lines.push(`error ${message}`),
    },
    exit: (code) => {
      exitCode ??= code;
      exited();
    },
    deadlineMs: 50,
  };
  return { deps, lines, exit, code: () => exitCode };
}

describe('shutDown', () => {
  it('exits 0 once closing finished', async () => {
    const r = recorder(async () => {});
    await shutDown('SIGTERM', r.deps);
    expect(r.code()).toBe(0);
    expect(r.lines).toEqual(['info SIGTERM: shutting down', 'info shut down']);
  });

  it('forces an exit with 1, and says so, when closing hangs past the deadline', async () => {
    const r = recorder(() => new Promise(() => {}));
    void shutDown('SIGTERM', r.deps);
    await r.exit;
    expect(r.code()).toBe(1);
    expect(r.lines).toContain('error shutdown did not finish within 50 ms; forcing exit');
  });

  it('exits 1, logged, when closing fails', async () => {
    const r = recorder(async () => {
      throw new Error('database gone');
    });
    await shutDown('SIGINT', r.deps);
    expect(r.code()).toBe(1);
    expect(r.lines).toContain('error shutdown failed');
  });
});
