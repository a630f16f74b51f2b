import { z } from 'zod';
import { TuningError, type TuningErrorCode } from '../../tuning/errors';
import { TWEAK_IDS } from '../../tuning/types';
import { mapDomainError } from '../domain-error';
import { adminProcedure, router, viewerProcedure } from '../init';

const TUNING_CODES: Record<TuningErrorCode, 'BAD_REQUEST' | 'NOT_FOUND' | 'CONFLICT' | 'PRECONDITION_FAILED' | 'INTERNAL_SERVER_ERROR'> = {
  'invalid-input': 'BAD_REQUEST',
  'not-found': 'NOT_FOUND',
  conflict: 'CONFLICT',
  unavailable: 'PRECONDITION_FAILED',
  'write-failed': 'INTERNAL_SERVER_ERROR',
};
async function guard<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    return mapDomainError(err, TuningError, TUNING_CODES);
  }
}

/** Tweak parameters: a small flat object of short strings, numbers or lists of short strings (each tweak validates its own). */
const shortText = z.string().max(200);
const tweakInput = z.object({
  tweak: z.enum(TWEAK_IDS),
  params: z.record(z.string().max(40), z.union([shortText, z.number().finite(), z.array(shortText).max(64)])).default({}),
});

const who = (ctx: { session: { device: { name: string } } }) => ctx.session.device.name;

export const tuningRouter = router({
  /** Whether cyclictest (and on the box the helper) are installed, and how writes are made. */
  status: viewerProcedure.query(async ({ ctx }) => ({
    probe: await ctx.services.tuning.probe(),
    writer: ctx.services.tuning.writer.kind,
    holdingDmaLatency: ctx.services.tuning.holdingDmaLatency,
  })),

  /** Run every check now (no child process: all reads from /proc, /sys, /etc and /dev). */
  check: viewerProcedure.query(async ({ ctx }) => {
    const { pathsRead: _paths, ...report } = await ctx.services.tuning.check();
    return report;
  }),

  tweaks: viewerProcedure.query(({ ctx }) => ctx.services.tuning.tweaks()),

  /** The dry run: the exact writes, with the values now. Admin only: it is the first half of a change. */
  plan: adminProcedure.input(tweakInput).query(({ ctx, input }) => guard(() => ctx.services.tuning.plan(input.tweak, input.params))),

  // Not "apply": tRPC reserves apply, call and then as router keys (they would clash with Function.prototype).
  applyTweak: adminProcedure.input(tweakInput).mutation(({ ctx, input }) => guard(() => ctx.services.tuning.apply(input.tweak, input.params, who(ctx)))),

  applied: viewerProcedure.query(({ ctx }) => guard(() => ctx.services.tuning.applied())),

  revert: adminProcedure.input(z.object({ id: z.number().int().positive() })).mutation(({ ctx, input }) => guard(() => ctx.services.tuning.revert(input.id, who(ctx)))),

  /** "Make permanent": the NixOS snippet for the applied tweaks, or for one tweak's parameters. */
  permanent: viewerProcedure.input(tweakInput.optional()).query(({ ctx, input }) => guard(() => ctx.services.tuning.permanent(input))),

  benchmarkStart: adminProcedure
    .input(
      z.object({
        durationS: z.number().int().min(1).max(3600).default(10),
        priority: z.number().int().min(1).max(99).default(95),
        cpus: z.string().max(100).regex(/^[0-9,\- ]*$/, 'A CPU list like 0-1,3').optional(),
        label: z.string().max(80).regex(/^[^\p{C}<>]*$/u, 'No control characters or angle brackets').optional(),
      }),
    )
    .mutation(({ ctx, input }) => guard(async () => (await ctx.services.tuning.startBenchmark(input)).run)),

  benchmarkCancel: adminProcedure.mutation(({ ctx }) => guard(() => ctx.services.tuning.cancelBenchmark())),

  benchmarkHistory: viewerProcedure.query(({ ctx }) => ({ running: ctx.services.tuning.benchmarkRunning, runs: ctx.services.tuning.history() })),

  /** Round-trip latency with jack_iodelay through a loopback path (playback port -> capture port). */
  roundTrip: adminProcedure
    .input(z.object({ playback: z.string().max(200).optional(), capture: z.string().max(200).optional(), seconds: z.number().int().min(1).max(30).default(4) }))
    .mutation(({ ctx, input }) => guard(() => ctx.services.tuning.roundTrip(input))),

  /** Live progress of the run going now, then its result; the newest value only. */
  benchmarkLive: viewerProcedure.subscription(async function* ({ ctx, signal }) {
    yield* ctx.services.tuning.watchBenchmark(signal ?? new AbortController().signal);
  }),
});
