import type { Role } from '../auth/roles';
import type { Services } from '../services';
import type { Context } from './context';
import { createCaller } from './root';

/**
 * For router tests: a caller as a device with `role` (or signed out with role null), from an allowed origin
 * unless told otherwise. `services` needs only what the procedures under test touch (and audit + log, which
 * every mutation uses).
 */
export function testCaller(services: Partial<Services>, role: Role | null, opts: { originAllowed?: boolean; origin?: string } = {}) {
  const ctx: Context = {
    services: services as Services,
    session: role
      ? { device: { id: `dev-${role}`, name: `${role} tablet`, role, createdAt: 0, lastSeenAt: 0, lastIp: null, revokedAt: null } }
      : null,
    sessionToken: role ? 't' : undefined,
    origin: opts.origin ?? 'http://localhost:8420',
    originAllowed: opts.originAllowed ?? true,
    ip: '127.0.0.1',
    ws: null,
    setSessionCookie: () => undefined,
  };
  return createCaller(ctx);
}
