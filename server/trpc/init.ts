import { initTRPC, TRPCError } from '@trpc/server';
import { ZodError } from 'zod';
import { summarizeInput } from '../auth/audit';
import { hasRole, type Role } from '../auth/roles';
import { forbiddenOriginMessage } from '../http/origin';
import type { Context } from './context';

/**
 * 1. INITIALIZATION. Errors keep their message for the person; zod errors also carry the field issues, so a form
 * can show which field is wrong. Internal errors never leak a stack to the client.
 */
const t = initTRPC.context<Context>().create({
  errorFormatter({ shape, error }) {
    return {
      ...shape,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        retryAfterSeconds: (error.cause as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds,
        fieldErrors: error.cause instanceof ZodError ? error.cause.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) : undefined,
      },
    };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/**
 * 2. MIDDLEWARE.
 * originGuard: every mutation must come from one of the console's own origins (HTTP and WebSocket alike).
 * audit: every mutation is recorded with who did it and how it ended, whatever the outcome.
 */
const originGuard = t.middleware(({ ctx, type, next }) => {
  if (type === 'mutation' && !ctx.originAllowed) {
    throw new TRPCError({ code: 'FORBIDDEN', message: forbiddenOriginMessage(ctx.origin) });
  }
  return next();
});

const audit = t.middleware(async ({ ctx, type, path, getRawInput, next }) => {
  if (type !== 'mutation') return next();
  const result = await next();
  // Input that failed validation is still summarised: the log shows what was attempted.
  const input = summarizeInput(await getRawInput().catch(() => null));
  ctx.services.audit.record({
    deviceId: ctx.session?.device.id ?? null,
    deviceName: ctx.session?.device.name ?? null,
    role: ctx.session?.device.role ?? null,
    ip: ctx.ip,
    action: path,
    input,
    result: result.ok ? 'ok' : `${result.error.code}: ${result.error.message}`,
    ok: result.ok,
  });
  return result;
});

/**
 * 3. PROCEDURES. Each narrows ctx: publicProcedure (pairing and login only), then viewer, performer and admin,
 * which require a session whose device has at least that role.
 */
export const publicProcedure = t.procedure.use(audit).use(originGuard);

function withRole(required: Role) {
  return publicProcedure.use(({ ctx, next }) => {
    if (!ctx.session) {
      throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Not signed in: pair this device or log in.' });
    }
    if (!hasRole(ctx.session.device.role, required)) {
      throw new TRPCError({
        code: 'FORBIDDEN',
        message: `This device is paired as ${ctx.session.device.role}; this needs the ${required} role.`,
      });
    }
    return next({ ctx: { ...ctx, session: ctx.session } });
  });
}

export const viewerProcedure = withRole('viewer');
export const performerProcedure = withRole('performer');
export const adminProcedure = withRole('admin');
