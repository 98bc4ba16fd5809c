import type { Server } from 'node:http';

export interface ConnectionLimits {
  maxConnections: number;
  /** 0: no per-address cap (behind a proxy, where every socket is the proxy's). */
  maxConnectionsPerIp: number;
}

/**
 * Caps the sockets the server holds, so connections that cost a client nothing (a silent socket,
 * a body sent a byte at a time) cannot use up the file descriptors; beyond a cap a socket is
 * closed before any byte is read. The per-address cap keeps one client from taking the whole
 * instance's allowance.
 */
export function limitConnections(server: Server, limits: ConnectionLimits): void {
  server.maxConnections = limits.maxConnections;
  if (limits.maxConnectionsPerIp <= 0) return;
  const open = new Map<string, number>();
  server.on('connection', (socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    const count = open.get(address) ?? 0;
    if (count >= limits.maxConnectionsPerIp) {
      socket.destroy();
      return;
    }
    open.set(address, count + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    });
  });
}
