/** Pure parsers for the /proc files the sampler reads: no I/O here, so each is tested on real captured text. */

export interface NetCounters {
  iface: string;
  rxBytes: number;
  txBytes: number;
}

/** /proc/net/dev: bytes received and sent per interface (loopback left out: it is not the network). */
export function parseNetDev(text: string): NetCounters[] {
  const out: NetCounters[] = [];
  for (const line of text.split('\n').slice(2)) {
    const m = line.match(/^\s*([^:\s]+):\s*(.*)$/);
    if (!m || m[1] === 'lo') continue;
    const f = m[2].trim().split(/\s+/).map(Number);
    if (f.length < 9) continue;
    out.push({ iface: m[1], rxBytes: f[0], txBytes: f[8] });
  }
  return out;
}

/** /proc/loadavg: the 1, 5 and 15 minute load averages. */
export function parseLoadavg(text: string): [number, number, number] {
  const [a, b, c] = text.trim().split(/\s+/).map(Number);
  return [a || 0, b || 0, c || 0];
}

/** /proc/uptime: seconds since boot. */
export function parseUptime(text: string): number {
  return Math.floor(Number(text.trim().split(/\s+/)[0]) || 0);
}

/**
 * Whether the running kernel is PREEMPT_RT: /sys/kernel/realtime is 1 on RT kernels; otherwise the version
 * string names the preemption model (`#1 SMP PREEMPT_RT ...`).
 */
export function isRealtimeKernel(sysKernelRealtime: string | null, procVersion: string | null): boolean {
  if (sysKernelRealtime?.trim() === '1') return true;
  return /\bPREEMPT_RT\b/.test(procVersion ?? '');
}

/** The preemption model named in the kernel version string, for the badge ("PREEMPT_RT", "PREEMPT_DYNAMIC", ...). */
export function preemptModel(procVersion: string | null): string | null {
  const m = (procVersion ?? '').match(/\b(PREEMPT_RT|PREEMPT_DYNAMIC|PREEMPT)\b/);
  return m ? m[1] : null;
}

export interface MemInfo {
  total: number;
  available: number;
  swapTotal: number;
  swapFree: number;
}

/** /proc/meminfo in bytes. MemAvailable is the kernel's own estimate of what can be used without swapping. */
export function parseMeminfo(text: string): MemInfo {
  const kb = (key: string) => Number(text.match(new RegExp(`^${key}:\\s+(\\d+)`, 'm'))?.[1] ?? 0) * 1024;
  return { total: kb('MemTotal'), available: kb('MemAvailable'), swapTotal: kb('SwapTotal'), swapFree: kb('SwapFree') };
}

export interface CpuTimes {
  /** All jiffies spent, and those spent idle (idle + iowait). */
  total: number;
  idle: number;
}

/** /proc/stat: the aggregate line and each core's line, as cumulative jiffies. */
export function parseProcStat(text: string): { all: CpuTimes; cores: CpuTimes[] } {
  let all: CpuTimes = { total: 0, idle: 0 };
  const cores: CpuTimes[] = [];
  for (const line of text.split('\n')) {
    const m = line.match(/^cpu(\d*)\s+(.*)$/);
    if (!m) continue;
    // user nice system idle iowait irq softirq steal (guest and guest_nice are already inside user and nice)
    const f = m[2].trim().split(/\s+/).slice(0, 8).map(Number);
    const times = { total: f.reduce((a, b) => a + (b || 0), 0), idle: (f[3] || 0) + (f[4] || 0) };
    if (m[1] === '') all = times;
    else cores[Number(m[1])] = times;
  }
  return { all, cores: cores.filter(Boolean) };
}

/** Busy share between two readings, in percent with one decimal; 0 when no time passed. */
export function busyPercent(prev: CpuTimes, now: CpuTimes): number {
  const total = now.total - prev.total;
  if (total <= 0) return 0;
  return Math.round(((total - (now.idle - prev.idle)) / total) * 1000) / 10;
}
