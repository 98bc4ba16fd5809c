import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Peak and current resident memory of the server process, in MB (from /proc). */
  memory(): { rssMb: number; peakMb: number };
  stop(): Promise<void>;
}

/**
 * Starts `vault-sessions serve` in its own process, so the load generator does not share its event
 * loop. `cli` may name another build's dist/cli.js (a before-and-after comparison).
 */
export async function startServerProcess(
  env: Record<string, string>,
  port: number,
  cli = 'dist/cli.js',
): Promise<ServerProcess> {
  // BENCH_CPU_PROF=<dir> writes a V8 CPU profile of the server there when it stops.
  const profile = process.env.BENCH_CPU_PROF
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
    : [];
  const child = spawn(process.execPath, [...profile, cli, 'serve'], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    const ok = await fetch(`${url}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await sleep(100);
  }
  const status = (field: string) => {
    const line = readFileSync(`/proc/${child.pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith(field));
    return Number(line?.replace(/\D+/g, '') ?? 0) / 1024;
  };
  return {
    url,
    child,
    memory: () => ({ rssMb: status('VmRSS:'), peakMb: status('VmHWM:') }),
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}
