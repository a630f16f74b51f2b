import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import type { TRPCError } from '@trpc/server';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Services } from '../services';
import { createContext } from '../trpc/context';
import { appRouter } from '../trpc/root';
import { clientIp } from './client-ip';
import { readCookie, SESSION_COOKIE } from './cookies';
import { isAllowedOrigin } from './origin';

export const TRPC_PATH = '/api/trpc';
export const WS_PATH = '/api/trpc-ws';

export interface PageHandler {
  handle(req: IncomingMessage, res: ServerResponse): void | Promise<void>;
  /** Upgrades on other paths (Next's HMR in development); absent in production. */
  upgrade?(req: IncomingMessage, socket: Duplex, head: Buffer): void | Promise<void>;
}

export interface ConsoleServer {
  server: http.Server;
  wss: WebSocketServer;
  /** Stop taking requests, tell WebSocket clients to reconnect, close their sockets. */
  shutdown(): Promise<void>;
}

function refuseUpgrade(socket: Duplex, status: 401 | 403 | 404, reason: string): void {
  const body = `${reason}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * One process, one port: pages go to the page handler (Next), tRPC queries and mutations are answered over HTTP,
 * and subscriptions run over a WebSocket on WS_PATH. Everything else that asks to upgrade is handed to the page
 * handler (Next's HMR) or refused, never left hanging.
 */
export function createConsoleServer(services: Services, pages: PageHandler): ConsoleServer {
  const { log } = services;
  // One line per failed request, HTTP or WebSocket: a bug at error level with its stack, a refusal at info.
  const logRequestError = ({ error, path, type, req }: { error: TRPCError; path?: string; type: string; req: IncomingMessage }) => {
    const fields = { path, type, code: error.code, ip: clientIp(req) };
    if (error.code === 'INTERNAL_SERVER_ERROR') log.error({ ...fields, err: error.cause ?? error }, 'procedure failed');
    else log.info({ ...fields, reason: error.message }, 'request refused');
  };
  const trpcHandler = createHTTPHandler({
    router: appRouter,
    basePath: `${TRPC_PATH}/`,
    createContext: ({ req, res }) => createContext(services, req, res),
    onError: logRequestError,
  });

  const server = http.createServer((req, res) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (req.url === TRPC_PATH || req.url?.startsWith(`${TRPC_PATH}/`)) {
      res.setHeader('Cache-Control', 'no-store');
      trpcHandler(req, res);
      return;
    }
    Promise.resolve(pages.handle(req, res)).catch((err) => {
      log.error({ err, url: req.url }, 'page handler failed');
      if (!res.headersSent) res.writeHead(500).end('internal error');
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  const wssHandler = applyWSSHandler({
    wss,
    router: appRouter,
    createContext: ({ req, res }) => createContext(services, req, res),
    onError: logRequestError,
    keepAlive: { enabled: true, pingMs: 30_000, pongWaitMs: 5_000 },
  });

  // Open sockets per device, so revoking a device closes its live views at once.
  const socketsByDevice = new Map<string, Set<WebSocket>>();
  const onRevoked = (deviceId: string) => {
    for (const ws of socketsByDevice.get(deviceId) ?? []) ws.close(4401, 'device revoked');
  };
  services.onDeviceRevoked.add(onRevoked);

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const pathname = (req.url ?? '').split('?')[0];
    if (pathname !== WS_PATH) {
      if (pages.upgrade) void pages.upgrade(req, socket, head);
      else refuseUpgrade(socket, 404, 'no WebSocket here');
      return;
    }
    if (!isAllowedOrigin(req.headers.origin, services.allowedOrigins)) {
      log.warn({ origin: req.headers.origin, ip: clientIp(req) }, 'WebSocket refused: foreign origin');
      refuseUpgrade(socket, 403, 'origin not allowed');
      return;
    }
    const session = services.auth.authenticate(readCookie(req, SESSION_COOKIE), clientIp(req));
    if (!session) {
      refuseUpgrade(socket, 401, 'not signed in');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const set = socketsByDevice.get(session.device.id) ?? new Set();
      set.add(ws);
      socketsByDevice.set(session.device.id, set);
      ws.once('close', () => {
        set.delete(ws);
        if (set.size === 0) socketsByDevice.delete(session.device.id);
      });
      wss.emit('connection', ws, req);
    });
  });

  return {
    server,
    wss,
    async shutdown() {
      services.onDeviceRevoked.delete(onRevoked);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      wssHandler.broadcastReconnectNotification();
      // Give clients a moment to receive the notice, then close what is left.
      await new Promise((r) => setTimeout(r, 100));
      for (const ws of wss.clients) ws.close(1012, 'server restarting');
      server.closeIdleConnections();
      const force = setTimeout(() => server.closeAllConnections(), 2000);
      await closed;
      clearTimeout(force);
    },
  };
}
