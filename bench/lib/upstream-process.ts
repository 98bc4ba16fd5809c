import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';

/**
 * The protected app of a forward-auth benchmark: a tiny HTTP server in a process of its own (so
 * it does not share the load generator's event loop) answering every request with a small JSON
 * body, keep-alive.
 */
const SERVER = `
import { createServer } from 'node:http';
const body = JSON.stringify({ ok: true, app: 'bench upstream' });
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

export interface UpstreamProcess {
  /** host:port */
  address: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function startUpstreamProcess(): Promise<UpstreamProcess> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', SERVER], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [chunk] = (await once(child.stdout as NodeJS.ReadableStream, 'data')) as [Buffer];
  const port = Number(chunk.toString().trim());
  if (!Number.isInteger(port)) throw new Error(`upstream did not start: ${chunk.toString()}`);
  return {
    address: `127.0.0.1:${port}`,
    child,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}
