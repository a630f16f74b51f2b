import { z } from 'zod';
import { router, viewerProcedure } from '../init';

/** Beyond this many bytes waiting in a client's socket, it is not keeping up: skip ticks until it drains. */
const CONGESTED_BYTES = 64 * 1024;

export const systemRouter = router({
  /** Static facts, the newest sample and the recent history: what a page shows before its first live sample. */
  snapshot: viewerProcedure.query(async ({ ctx }) => ({
    info: await ctx.services.system.info(),
    latest: ctx.services.system.latest,
    history: ctx.services.system.recentHistory(),
  })),

  /** Live samples at the client's chosen rate (1-10 Hz, default 4). */
  live: viewerProcedure
    .input(z.object({ hz: z.number().int().min(1).max(10).default(4) }).default({ hz: 4 }))
    .subscription(async function* ({ ctx, input, signal }) {
      const ws = ctx.ws;
      const congested = () => (ws ? ws.bufferedAmount > CONGESTED_BYTES : false);
      yield* ctx.services.system.stream(input.hz, signal ?? new AbortController().signal, congested);
    }),
});
