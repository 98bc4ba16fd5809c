/**
 * However a shutdown goes, the process is gone by then: well inside the grace period process
 * managers give before they kill (systemd and Kubernetes wait longer).
 */
export const SHUTDOWN_DEADLINE_MS = 5_000;

export interface ShutdownLog {
  info(message: string): void;
  error(detail: object, message: string): void;
}

export interface ShutdownDeps {
  /** Stops accepting, ends streams, finishes requests, writes what is pending, closes the database. */
  close(): Promise<void>;
  log: ShutdownLog;
  exit(code: number): void;
  deadlineMs?: number;
}

/**
 * Closes and exits 0; exits 1, logged, when closing fails or outlasts the deadline, so something
 * that hangs (a socket, a query) cannot keep a stopped server alive.
 */
export async function shutDown(signal: string, deps: ShutdownDeps): Promise<void> {
  const deadlineMs = deps.deadlineMs ?? SHUTDOWN_DEADLINE_MS;
  deps.log.info(`${signal}: shutting down`);
  const deadline = setTimeout(() => {
    deps.log.error({ deadlineMs }, `shutdown did not finish within ${deadlineMs} ms; forcing exit`);
    deps.exit(1);
  }, deadlineMs);
  try {
    await deps.close();
  } catch (error) {
    clearTimeout(deadline);
    deps.log.error({ err: error }, 'shutdown failed');
    deps.exit(1);
    return;
  }
  clearTimeout(deadline);
  deps.log.info('shut down');
  deps.exit(0);
}

/** On SIGTERM or SIGINT, shuts down once; a second signal (Ctrl-C again) exits at once. */
export function shutDownOnSignals(deps: ShutdownDeps): void {
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) {
        deps.log.error({ signal }, `${signal} during shutdown: exiting now`);
        deps.exit(1);
        return;
      }
      stopping = true;
      void shutDown(signal, deps);
    });
  }
}
