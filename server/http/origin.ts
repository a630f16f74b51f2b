/**
 * Origin checks: a browser sends Origin on every WebSocket upgrade and on every POST. A page served by any other
 * site (or a DNS-rebound name) carries its own origin, so comparing against the console's own origins stops
 * cross-site requests before they reach a procedure.
 */
export function isAllowedOrigin(origin: string | undefined, allowed: readonly string[]): boolean {
  if (!origin) return false;
  return allowed.includes(origin.toLowerCase());
}

export function forbiddenOriginMessage(origin: string | undefined): string {
  return origin
    ? `This request came from ${origin}, which is not one of this console's origins. Open the console at the box's own address, or add the origin to ARCHIBALD_ALLOWED_ORIGINS.`
    : 'This request has no Origin header, so it cannot be checked; changes are only accepted from the console in a browser.';
}
