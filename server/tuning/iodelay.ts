import type { ExecRunner } from '../exec';
import { TuningError } from './errors';

/**
 * Round-trip latency with jack_iodelay through PipeWire's JACK layer (pw-jack): its output port is linked to a
 * playback port and a capture port back to its input (a loopback cable, or a sink and its monitor), and it
 * reports the frames a signal takes to come back. stdbuf makes it print each line as it measures (into a pipe
 * it would otherwise buffer 4 KiB and lose the tail when stopped).
 */

export interface RoundTripResult {
  status: 'measured' | 'no-signal' | 'unavailable' | 'needs-loopback';
  message: string;
  frames?: number;
  ms?: number;
  /** The latency the backend adds on top of the graph's (jack_iodelay's "extra loopback latency"). */
  extraFrames?: number;
}

const PORT = /^[\w .:()+@/-]{1,200}$/;
const MEASURED = /([\d.]+) frames\s+([\d.]+) ms total roundtrip latency/;
const EXTRA = /extra loopback latency: (\d+) frames/;

export function parseIodelay(lines: readonly string[]): { frames: number; ms: number; extraFrames: number | null } | null {
  let last: { frames: number; ms: number; extraFrames: number | null } | null = null;
  for (const line of lines) {
    const m = MEASURED.exec(line);
    if (m) last = { frames: Number(m[1]), ms: Number(m[2]), extraFrames: null };
    const e = EXTRA.exec(line);
    if (e && last) last.extraFrames = Number(e[1]);
  }
  return last;
}

export async function measureRoundTrip(exec: ExecRunner, input: { playback?: string; capture?: string; seconds?: number }): Promise<RoundTripResult> {
  const missing = [];
  for (const tool of ['pw-jack', 'jack_iodelay', 'pw-link'] as const) if (!(await exec.which(tool))) missing.push(tool);
  if (missing.length > 0) {
    return { status: 'unavailable', message: `${missing.join(', ')} not installed: it needs PipeWire's JACK layer (pw-jack) and jack_iodelay (jack-example-tools).` };
  }
  const { playback, capture } = input;
  if (!playback || !capture) {
    return {
      status: 'needs-loopback',
      message: 'Needs a loopback path: a cable from an output of the interface to one of its inputs (or a sink and its monitor), then pick that playback port and that capture port.',
    };
  }
  for (const p of [playback, capture]) if (!PORT.test(p)) throw new TuningError('invalid-input', `"${p}" is not a port name (client:port).`);
  const seconds = Math.min(30, Math.max(1, input.seconds ?? 4));
  const lines: string[] = [];
  const child = await exec.stream('pw-jack', ['stdbuf', '-oL', 'jack_iodelay'], { onLine: (l) => lines.push(l) });
  try {
    // its ports appear once it has connected to the graph
    const deadline = Date.now() + 5000;
    for (;;) {
      const out = (await exec.run('pw-link', ['-o'], { timeoutMs: 3000 })).stdout;
      if (out.split('\n').includes('jack_delay:out')) break;
      if (Date.now() > deadline) return { status: 'unavailable', message: 'jack_iodelay did not show up in the PipeWire graph (is PipeWire running?).' };
      await new Promise((r) => setTimeout(r, 100));
    }
    try {
      await exec.run('pw-link', ['jack_delay:out', playback], { timeoutMs: 3000 });
      await exec.run('pw-link', [capture, 'jack_delay:in'], { timeoutMs: 3000 });
    } catch (err) {
      throw new TuningError('invalid-input', `Could not link jack_iodelay to ${playback} and ${capture}: ${(err as Error).message}`);
    }
    await new Promise((r) => setTimeout(r, seconds * 1000));
  } finally {
    await child.stop();
  }
  const result = parseIodelay(lines);
  if (!result) {
    return { status: 'no-signal', message: `No signal came back from ${capture} within ${seconds} s: check the cable (or the monitor), the levels, and that ${playback} really feeds ${capture}.` };
  }
  return {
    status: 'measured',
    message: `${result.frames} frames (${result.ms} ms) round trip from ${playback} to ${capture}.`,
    frames: result.frames,
    ms: result.ms,
    extraFrames: result.extraFrames ?? undefined,
  };
}
