import type { IncomingMessage } from 'node:http';

/** The peer address of the connection. X-Forwarded-For is ignored: the console is reached directly, never via a proxy. */
export function clientIp(req: IncomingMessage): string {
  const addr = req.socket.remoteAddress ?? 'unknown';
  return addr.startsWith('::ffff:') ? addr.slice(7) : addr;
}
