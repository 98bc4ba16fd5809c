import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
// Absolute: `--import tsx` would look for tsx from the child's folder, and some tests run it elsewhere.
const TSX_LOADER = import.meta.resolve('tsx');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `vault-sessions ...args` from the sources as an operator would: its own process, the
 * environment it is given (no DATABASE_URL unless given), in `cwd`.
 */
export function runCli(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; input?: string } = {},
): Promise<CliRun> {
  const { DATABASE_URL: _ignored, ...env } = process.env;
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      ['--import', TSX_LOADER, CLI, ...args],
      { env: { ...env, ...options.env }, cwd: options.cwd, timeout: 90_000 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') return reject(error);
        resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
      },
    );
    child.stdin?.end(options.input ?? '');
  });
}
