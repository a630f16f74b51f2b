/**
 * cyclictest (rt-tests): the argv we run and the parsers for its output. Live progress comes from the
 * "T: n (...) ... Max:" status lines it rewrites in place; the result comes from its histogram block
 * (`-h`), which it prints when it ends, also after SIGTERM.
 */

export interface BenchmarkParams {
  durationS: number;
  priority: number;
  cpus: number[];
  /** Histogram buckets are 1 us wide, up to this many us (later ones count as overflows). */
  histogramUs: number;
  intervalUs: number;
}

export interface ThreadProgress {
  thread: number;
  cpu: number;
  cycles: number;
  min: number;
  act: number;
  avg: number;
  max: number;
}

export interface BenchmarkProgress {
  runId: number;
  elapsedS: number;
  durationS: number;
  threads: ThreadProgress[];
}

export interface CpuLatency {
  cpu: number;
  min: number;
  avg: number;
  max: number;
  cycles: number;
  overflows: number;
}

export interface BenchmarkResult {
  perCpu: CpuLatency[];
  /** histogram[i] = samples of latency i us, per thread (same order as perCpu), trimmed after the last non-zero bucket. */
  histogram: number[][];
  histogramUs: number;
}

export function cyclictestArgs(p: BenchmarkParams): string[] {
  return [
    '-m', // lock memory
    '-D', `${p.durationS}`,
    '-p', `${p.priority}`,
    '-i', `${p.intervalUs}`,
    '-t', `${p.cpus.length}`,
    '-a', p.cpus.join(','),
    '-h', `${p.histogramUs}`,
  ];
}

const STATUS = /T:\s*(\d+)\s*\(\s*(\d+)\)\s*P:\s*(\d+)\s*I:\s*(\d+)\s*C:\s*(\d+)\s*Min:\s*(\d+)\s*Act:\s*(\d+)\s*Avg:\s*(\d+)\s*Max:\s*(\d+)/;

/** One status line, or null. Threads map to the chosen CPUs in order (-t n -a list). */
export function parseStatusLine(line: string, cpus: readonly number[]): ThreadProgress | null {
  const m = STATUS.exec(line);
  if (!m) return null;
  const thread = Number(m[1]);
  return { thread, cpu: cpus[thread] ?? thread, cycles: Number(m[5]), min: Number(m[6]), act: Number(m[7]), avg: Number(m[8]), max: Number(m[9]) };
}

/** The histogram block at the end of the output; null when there is none (cyclictest failed to start). */
export function parseHistogram(lines: readonly string[], cpus: readonly number[], histogramUs: number): BenchmarkResult | null {
  const buckets: number[][] = cpus.map(() => []);
  const summary = new Map<string, number[]>();
  let sawHistogram = false;
  for (const raw of lines) {
    const line = raw.replace(/\x1b\[\d*[A-Za-z]/g, '').trim();
    const row = /^(\d{6,})\s+(.*)$/.exec(line);
    if (row) {
      sawHistogram = true;
      const us = Number(row[1]);
      row[2].split(/\s+/).forEach((n, t) => {
        if (t < buckets.length) buckets[t][us] = Number(n);
      });
      continue;
    }
    const sum = /^# (Total|Min Latencies|Avg Latencies|Max Latencies|Histogram Overflows):\s*(.*)$/.exec(line);
    if (sum) summary.set(sum[1], sum[2].split(/\s+/).map(Number));
  }
  if (!sawHistogram && !summary.has('Max Latencies')) return null;
  const get = (key: string, t: number) => summary.get(key)?.[t] ?? 0;
  const perCpu = cpus.map((cpu, t) => ({
    cpu,
    min: get('Min Latencies', t),
    avg: get('Avg Latencies', t),
    max: get('Max Latencies', t),
    // cyclictest's "# Total" counts only the samples inside the histogram (checked against rt-tests 2.5 with
    // -h 10: Total 239 = the buckets' sum, Overflows 761); every cycle is both together.
    cycles: get('Total', t) + get('Histogram Overflows', t),
    overflows: get('Histogram Overflows', t),
  }));
  const histogram = buckets.map((b) => {
    const filled = Array.from({ length: b.length }, (_, i) => b[i] ?? 0);
    let end = filled.length;
    while (end > 0 && filled[end - 1] === 0) end--;
    return filled.slice(0, end);
  });
  return { perCpu, histogram, histogramUs };
}
