import { z } from 'zod';
import QRCode from 'qrcode';
import { AuthError, type AuthErrorCode } from '../../auth/errors';
import { roleSchema } from '../../auth/roles';
import { mapDomainError } from '../domain-error';
import { adminProcedure, publicProcedure, router, viewerProcedure } from '../init';

const AUTH_CODES: Record<AuthErrorCode, 'BAD_REQUEST' | 'UNAUTHORIZED' | 'TOO_MANY_REQUESTS' | 'NOT_FOUND' | 'CONFLICT'> = {
  'invalid-pairing': 'UNAUTHORIZED',
  'bad-credentials': 'UNAUTHORIZED',
  'rate-limited': 'TOO_MANY_REQUESTS',
  'not-found': 'NOT_FOUND',
  'invalid-input': 'BAD_REQUEST',
  conflict: 'CONFLICT',
};
const fail = (err: unknown): never => mapDomainError(err, AuthError, AUTH_CODES);

/** A device name as a person types it: printable, no control characters, short. */
const deviceName = z
  .string()
  .trim()
  .min(1, 'Give this device a name')
  .max(60, 'Keep the device name under 60 characters')
  .regex(/^[^\p{C}<>]+$/u, 'The device name may not contain control characters or angle brackets');

export const authRouter = router({
  /** What the start screen needs to know, with or without a session. */
  status: publicProcedure.query(({ ctx }) => ({
    claimed: !ctx.services.auth.needsFirstPairing(),
    hasPassword: ctx.services.auth.hasPassword(),
    device: ctx.session ? { id: ctx.session.device.id, name: ctx.session.device.name, role: ctx.session.device.role } : null,
  })),

  pair: publicProcedure
    .input(z.object({ token: z.string().min(10).max(200), deviceName }))
    .mutation(({ ctx, input }) => {
      try {
        const { sessionToken, device } = ctx.services.auth.redeemPairing(input.token, input.deviceName, ctx.ip);
        ctx.setSessionCookie(sessionToken);
        return { id: device.id, name: device.name, role: device.role };
      } catch (err) {
        return fail(err);
      }
    }),

  login: publicProcedure
    .input(z.object({ password: z.string().min(1).max(200), deviceName }))
    .mutation(async ({ ctx, input }) => {
      try {
        const { sessionToken, device } = await ctx.services.auth.login(input.password, input.deviceName, ctx.ip);
        ctx.setSessionCookie(sessionToken);
        return { id: device.id, name: device.name, role: device.role };
      } catch (err) {
        return fail(err);
      }
    }),

  logout: viewerProcedure.mutation(({ ctx }) => {
    if (ctx.sessionToken) ctx.services.auth.logout(ctx.sessionToken);
    ctx.setSessionCookie(null);
    return { ok: true };
  }),

  setPassword: adminProcedure
    .input(z.object({ password: z.string().min(10, 'The password must have at least 10 characters.').max(200) }))
    .mutation(async ({ ctx, input }) => {
      try {
        await ctx.services.auth.setPassword(input.password);
        return { ok: true };
      } catch (err) {
        return fail(err);
      }
    }),

  /** A one-time link (and its QR code) that pairs one more device with the chosen role. */
  createPairing: adminProcedure
    .input(z.object({ role: roleSchema, label: deviceName, baseUrl: z.url().max(200) }))
    .mutation(async ({ ctx, input }) => {
      const base = new URL(input.baseUrl);
      if (!ctx.services.allowedOrigins.includes(base.origin.toLowerCase())) {
        fail(new AuthError('invalid-input', `${base.origin} is not one of this console's origins, so a link to it would not work.`));
      }
      const link = ctx.services.auth.createPairing(input.role, input.label, ctx.session.device.name);
      // The token travels in the fragment: browsers never send it to a server or in a Referer header.
      const url = `${base.origin}/pair#${link.token}`;
      return { url, role: link.role, expiresAt: link.expiresAt, qrSvg: await QRCode.toString(url, { type: 'svg', margin: 1 }) };
    }),

  devices: adminProcedure.query(({ ctx }) => ({
    devices: ctx.services.auth.listDevices().map((d) => ({ ...d, current: d.id === ctx.session.device.id })),
    pendingPairings: ctx.services.auth.pendingPairings(),
  })),

  revokeDevice: adminProcedure.input(z.object({ id: z.uuid() })).mutation(({ ctx, input }) => {
    try {
      const device = ctx.services.auth.revokeDevice(input.id);
      for (const notify of ctx.services.onDeviceRevoked) notify(device.id);
      return { id: device.id };
    } catch (err) {
      return fail(err);
    }
  }),
});
