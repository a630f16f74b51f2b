/** Typed errors of the audio domain; the router maps each code to a TRPCError carrying this message. */
export type AudioErrorCode =
  | 'unavailable' // PipeWire is not reachable right now (state down/connecting)
  | 'no-such-port'
  | 'no-such-node'
  | 'no-such-link'
  | 'already-linked'
  | 'wrong-direction'
  | 'incompatible-media'
  | 'no-matching-ports'
  | 'timeout' // PipeWire did not confirm in time
  | 'failed' // the tool ran and PipeWire refused
  | 'invalid-value'
  | 'not-found' // scene or rule
  | 'conflict';

export class AudioError extends Error {
  constructor(
    readonly code: AudioErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AudioError';
  }
}
