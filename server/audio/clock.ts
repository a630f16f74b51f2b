import type { ClockSettings } from './graph';

/**
 * The graph clock: what may be forced (clock.force-quantum / clock.force-rate in the "settings" metadata, 0 = release),
 * the latency a choice gives, and what the graph actually runs at, measured with pw-profiler.
 *
 * Why pw-profiler: pw-dump does not show the quantum the graph runs at, and pw-top (which does) has no batch mode in
 * 0.3.65 and needs a terminal. pw-profiler exists in 0.3.65 and 1.x, needs no terminal, and its text output
 * (`-o FILE`; we pass /dev/stdout) has the same columns in both: per cycle 4 driver columns (measured period µs,
 * cycle end µs, driver delay, estimated period µs = quantum / rate) then 8 columns per follower node (id, signal,
 * awake, finish, wait, busy, status, 0). Newer versions also have -J (JSON) but 0.3.65 does not, so we parse the
 * text. From it: the quantum in force (estimated period × rate), the graph's DSP load (cycle end / period, pw-top's
 * driver B/Q), each node's load (busy / period, pw-top's B/Q) and its errors: a follower whose status is not
 * FINISHED (3) when the cycle ends missed the cycle — what pw-top 0.3.x counts as ERR. The profiler is started only
 * while some client watches the clock panel, for short windows, because it prints one line per cycle (up to 3000/s
 * at quantum 16).
 */

export const QUANTA = [16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192] as const;
/** Offered when the driver does not list its rates (clock.allowed-rates has one entry or none). */
export const FIXED_RATES = [44100, 48000, 88200, 96000, 176400, 192000] as const;

export function isAllowedQuantum(q: number): boolean {
  return q === 0 || (QUANTA as readonly number[]).includes(q);
}

export function allowedRates(settings: ClockSettings): number[] {
  const listed = settings.allowedRates.filter((r) => r >= 8000 && r <= 768000);
  return listed.length > 1 ? [...new Set(listed)].sort((a, b) => a - b) : [...FIXED_RATES];
}

export function latencyMs(quantum: number | null, rate: number | null): number | null {
  if (!quantum || !rate) return null;
  return Math.round((quantum / rate) * 1000 * 100) / 100;
}

export interface NodeLoad {
  id: number;
  /** mean busy time / period, 0..1+ */
  load: number;
  /** highest busy time / period seen in the window */
  peak: number;
  /** mean wait (signal -> awake) / period */
  wait: number;
  /** cycles in which the node had not finished when the cycle ended */
  errors: number;
  cycles: number;
}

export interface ProfileWindow {
  cycles: number;
  /** estimated period in µs (quantum / rate) of the last cycle */
  periodUs: number | null;
  /** measured time between cycles, mean µs */
  measuredPeriodUs: number | null;
  /** mean driver cycle end / period */
  dspLoad: number | null;
  /** cycles whose processing overran the period */
  overruns: number;
  nodes: NodeLoad[];
}

/** Parse the lines pw-profiler printed during one window. Blank or short lines (headers, partial) are skipped. */
export function parseProfilerLines(lines: readonly string[]): ProfileWindow {
  let cycles = 0;
  let periodUs: number | null = null;
  let measuredSum = 0;
  let loadSum = 0;
  let overruns = 0;
  const nodes = new Map<number, { busy: number; peak: number; wait: number; errors: number; cycles: number }>();
  for (const line of lines) {
    const cols = line.split('\t');
    if (cols.length < 4) continue;
    const [d1, d2, , period] = cols.slice(0, 4).map((c) => Number(c));
    if (![d1, d2, period].every(Number.isFinite) || period <= 0) continue;
    cycles++;
    periodUs = period;
    measuredSum += d1;
    loadSum += d2 / period;
    // the tool clamps both to 1.4 × period when a cycle overran
    if (d2 > period) overruns++;
    for (let i = 4; i + 7 < cols.length + 1; i += 8) {
      const id = Number(cols[i]);
      if (cols[i].trim() === '' || !Number.isInteger(id)) continue;
      const wait = Number(cols[i + 4]);
      const busy = Number(cols[i + 5]);
      const status = Number(cols[i + 6]);
      let n = nodes.get(id);
      if (!n) nodes.set(id, (n = { busy: 0, peak: 0, wait: 0, errors: 0, cycles: 0 }));
      n.cycles++;
      if (Number.isFinite(busy)) {
        n.busy += busy / period;
        n.peak = Math.max(n.peak, busy / period);
      }
      if (Number.isFinite(wait)) n.wait += wait / period;
      if (status !== 3) n.errors++;
    }
  }
  const r3 = (x: number) => Math.round(x * 1000) / 1000;
  return {
    cycles,
    periodUs,
    measuredPeriodUs: cycles ? Math.round(measuredSum / cycles) : null,
    dspLoad: cycles ? r3(loadSum / cycles) : null,
    overruns,
    nodes: [...nodes].map(([id, n]) => ({
      id,
      load: r3(n.busy / n.cycles),
      peak: r3(n.peak),
      wait: r3(n.wait / n.cycles),
      errors: n.errors,
      cycles: n.cycles,
    })),
  };
}

/** The quantum in force from the profiler's estimated period and the rate (snapped to a power of two within 3 %). */
export function quantumFromPeriod(periodUs: number | null, rate: number | null): number | null {
  if (!periodUs || !rate) return null;
  const q = (periodUs * rate) / 1e6;
  const pow = 2 ** Math.round(Math.log2(q));
  return Math.abs(pow - q) / q < 0.03 ? pow : Math.round(q);
}
