import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebSocket } from 'ws';
import type { Session } from '../auth/service';
import { clientIp } from '../http/client-ip';
import { clearedSessionCookie, readCookie, SESSION_COOKIE, sessionCookie } from '../http/cookies';
import { isAllowedOrigin } from '../http/origin';
import type { Services } from '../services';

/**
 * One context for HTTP and WebSocket, built from the request: who (session), from where (Origin, address),
 * and the services. Over WebSocket the request is the upgrade request, checked once at the upgrade as well.
 */
export interface Context {
  services: Services;
  session: Session | null;
  sessionToken: string | undefined;
  origin: string | undefined;
  originAllowed: boolean;
  ip: string;
  /** Set only for WebSocket connections: lets a subscription see whether the client is keeping up. */
  ws: WebSocket | null;
  /** Set a cookie on the HTTP response (pairing, login, logout); refused over WebSocket. */
  setSessionCookie(token: string | null): void;
}

export function createContext(services: Services, req: IncomingMessage, res: ServerResponse | WebSocket | undefined): Context {
  const sessionToken = readCookie(req, SESSION_COOKIE);
  const ip = clientIp(req);
  const origin = req.headers.origin;
  const isWs = !!res && !('setHeader' in res);
  const secure = (req.socket as { encrypted?: boolean }).encrypted === true;
  return {
    services,
    session: services.auth.authenticate(sessionToken, ip),
    sessionToken,
    origin,
    originAllowed: isAllowedOrigin(origin, services.allowedOrigins),
    ip,
    ws: isWs ? (res as WebSocket) : null,
    setSessionCookie(token) {
      if (!res || isWs) throw new Error('cookies can only be set on an HTTP response');
      (res as ServerResponse).appendHeader('Set-Cookie', token === null ? clearedSessionCookie() : sessionCookie(token, secure));
    },
  };
}
