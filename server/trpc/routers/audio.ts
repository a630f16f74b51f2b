import { z } from 'zod';
import { AudioError, type AudioErrorCode } from '../../audio/errors';
import { exportSchema, ruleInputSchema, sceneNameSchema } from '../../audio/scenes';
import { mapDomainError } from '../domain-error';
import { adminProcedure, performerProcedure, router, viewerProcedure } from '../init';

type Code = 'BAD_REQUEST' | 'NOT_FOUND' | 'CONFLICT' | 'TIMEOUT' | 'PRECONDITION_FAILED' | 'INTERNAL_SERVER_ERROR';
const AUDIO_CODES: Record<AudioErrorCode, Code> = {
  unavailable: 'PRECONDITION_FAILED',
  'no-such-port': 'NOT_FOUND',
  'no-such-node': 'NOT_FOUND',
  'no-such-link': 'NOT_FOUND',
  'already-linked': 'CONFLICT',
  'wrong-direction': 'BAD_REQUEST',
  'incompatible-media': 'BAD_REQUEST',
  'no-matching-ports': 'BAD_REQUEST',
  timeout: 'TIMEOUT',
  failed: 'INTERNAL_SERVER_ERROR',
  'invalid-value': 'BAD_REQUEST',
  'not-found': 'NOT_FOUND',
  conflict: 'CONFLICT',
};
const fail = (err: unknown): never => mapDomainError(err, AudioError, AUDIO_CODES);
async function guard<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    return fail(err);
  }
}

/** Beyond this many bytes waiting in a client's socket, it is not keeping up: merge its patches until it drains. */
const CONGESTED_BYTES = 256 * 1024;
const objectId = z.number().int().nonnegative().max(2 ** 32);

export const audioRouter = router({
  /** Whether the tools are installed and PipeWire is reachable. */
  status: viewerProcedure.query(async ({ ctx }) => ({
    probe: await ctx.services.audio.probe(),
    status: ctx.services.audio.getStatus(),
  })),

  /** The whole graph now (the live subscription starts with the same snapshot). */
  graph: viewerProcedure.query(({ ctx }) => ({ snapshot: ctx.services.audio.snapshot(), status: ctx.services.audio.getStatus() })),

  /** Snapshot, then patches: every client sees every change, whoever made it (console or a terminal). */
  live: viewerProcedure.subscription(async function* ({ ctx, signal }) {
    const ws = ctx.ws;
    yield* ctx.services.audio.live(signal ?? new AbortController().signal, () => (ws ? ws.bufferedAmount > CONGESTED_BYTES : false));
  }),

  connect: performerProcedure
    .input(z.object({ outputPortId: objectId, inputPortId: objectId }))
    .mutation(({ ctx, input }) => guard(() => ctx.services.audio.connect(input.outputPortId, input.inputPortId))),

  disconnect: performerProcedure
    .input(z.union([z.object({ linkId: objectId }), z.object({ outputPortId: objectId, inputPortId: objectId })]))
    .mutation(({ ctx, input }) =>
      guard(async () => {
        if ('linkId' in input) await ctx.services.audio.disconnect(input.linkId);
        else await ctx.services.audio.disconnectPorts(input.outputPortId, input.inputPortId);
        return { ok: true };
      }),
    ),

  connectNodes: performerProcedure
    .input(z.object({ outputNodeId: objectId, inputNodeId: objectId }))
    .mutation(({ ctx, input }) => guard(() => ctx.services.audio.connectNodes(input.outputNodeId, input.inputNodeId))),

  disconnectNodes: performerProcedure
    .input(z.object({ outputNodeId: objectId, inputNodeId: objectId }))
    .mutation(({ ctx, input }) => guard(() => ctx.services.audio.disconnectNodes(input.outputNodeId, input.inputNodeId))),

  clock: viewerProcedure.query(({ ctx }) => ctx.services.audio.clockState()),

  setClock: performerProcedure
    .input(
      z
        .object({ quantum: z.number().int().min(0).max(8192).optional(), rate: z.number().int().min(0).max(768000).optional() })
        .refine((v) => v.quantum !== undefined || v.rate !== undefined, 'Choose a quantum or a rate'),
    )
    .mutation(({ ctx, input }) => guard(() => ctx.services.audio.setClock(input))),

  /** DSP load and xruns per node, sampled with pw-profiler only while someone listens. */
  dsp: viewerProcedure.subscription(async function* ({ ctx, signal }) {
    yield* ctx.services.audio.dspStream(signal ?? new AbortController().signal);
  }),

  scenes: viewerProcedure.query(({ ctx }) => ctx.services.audio.store.listScenes()),

  saveScene: performerProcedure
    .input(z.object({ name: sceneNameSchema, withClock: z.boolean().default(false), overwrite: z.boolean().default(false) }))
    .mutation(({ ctx, input }) => guard(() => ctx.services.audio.saveScene(input.name, input.withClock, input.overwrite))),

  previewScene: viewerProcedure
    .input(z.object({ name: sceneNameSchema, exclusive: z.boolean().default(false), withClock: z.boolean().default(false) }))
    .query(({ ctx, input }) => guard(() => ctx.services.audio.previewScene(input.name, input.exclusive, input.withClock))),

  recallScene: performerProcedure
    .input(z.object({ name: sceneNameSchema, exclusive: z.boolean().default(false), withClock: z.boolean().default(false) }))
    .mutation(({ ctx, input }) => guard(() => ctx.services.audio.recallScene(input.name, input.exclusive, input.withClock))),

  deleteScene: adminProcedure
    .input(z.object({ name: sceneNameSchema }))
    .mutation(({ ctx, input }) => guard(() => (ctx.services.audio.deleteScene(input.name), { ok: true }))),

  exportPatchbay: viewerProcedure.query(({ ctx }) => ctx.services.audio.exportAll()),

  importPatchbay: adminProcedure
    .input(z.object({ data: exportSchema, overwrite: z.boolean().default(false) }))
    .mutation(({ ctx, input }) => guard(() => ctx.services.audio.importAll(input.data, input.overwrite))),

  rules: viewerProcedure.query(({ ctx }) => ctx.services.audio.store.listRules()),

  createRule: adminProcedure.input(ruleInputSchema).mutation(({ ctx, input }) => guard(() => ctx.services.audio.createRule(input))),

  updateRule: adminProcedure
    .input(z.object({ id: objectId, rule: ruleInputSchema }))
    .mutation(({ ctx, input }) => guard(() => ctx.services.audio.updateRule(input.id, input.rule))),

  deleteRule: adminProcedure
    .input(z.object({ id: objectId }))
    .mutation(({ ctx, input }) => guard(() => (ctx.services.audio.deleteRule(input.id), { ok: true }))),
});
