import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** The kernel's USER_HZ, which /proc/<pid>/stat counts in (100 on every Linux port). */
const CLOCK_TICKS_PER_SECOND = 100;

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Peak and current resident memory of the server process, in MB (from /proc). */
  memory(): { rssMb: number; peakMb: number };
  /** CPU time the server process has used so far, user and system, in seconds (from /proc). */
  cpuSeconds(): number;
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
    cpuSeconds: () => {
      // Fields 14 and 15 (utime, stime), counted after the parenthesised command name.
      const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}
