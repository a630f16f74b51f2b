import si from 'systeminformation';
import { latestValues } from '../live/latest-values';
import type { HostRoot } from '../host-root';
import {
  busyPercent,
  isRealtimeKernel,
  parseLoadavg,
  parseMeminfo,
  parseNetDev,
  parseProcStat,
  parseUptime,
  preemptModel,
  type CpuTimes,
  type NetCounters,
} from './proc-parsers';
import { discoverTempSensors, toCelsius } from './sensors';

export interface SystemInfo {
  hostname: string;
  kernel: string;
  realtime: boolean;
  preempt: string | null;
  cpuModel: string;
  cores: number;
}

export interface SystemSample {
  /** Milliseconds since the epoch. */
  t: number;
  /** Busy percent overall and per core since the previous sample; each core's clock in MHz. */
  cpu: { total: number; cores: number[]; mhz: number[] };
  load: [number, number, number];
  mem: { total: number; used: number; available: number; swapTotal: number; swapUsed: number };
  temps: { label: string; celsius: number }[];
  net: { rxBps: number; txBps: number };
  uptime: number;
}

type Listener = (sample: SystemSample) => void;
type Read = () => string | null;

/** The files read on every sample, resolved once. */
interface Readers {
  stat: Read;
  loadavg: Read;
  uptime: Read;
  netdev: Read;
  meminfo: Read;
  temps: { label: string; read: Read }[];
}

const HISTORY_SECONDS = 600;

/**
 * One sampler for every client. It runs only while someone listens, at the fastest rate anyone asked for;
 * each listener gets samples at its own rate. Counters are read from /proc and /sys through the host root with
 * readers resolved once, so a sample costs a few synchronous procfs reads and never starts a process.
 * systeminformation supplies each core's clock (cpuCurrentSpeed reads os.cpus() in-process on Linux).
 * Its currentLoad was not used: on Linux it runs `cat /proc/stat | grep cpu` through execSync on every call,
 * a shell and two processes per sample that block the event loop; networkStats and cpuTemperature spawn too.
 * sampler.test.ts checks in a separate process that sampling starts no process at all.
 */
export class SystemSampler {
  private readonly listeners = new Map<Listener, { intervalMs: number; lastSent: number }>();
  private timer: NodeJS.Timeout | null = null;
  private tickMs = 0;
  private readers: Promise<Readers> | null = null;
  private lastNet: { t: number; rx: number; tx: number } | null = null;
  private lastCpu: { all: CpuTimes; cores: CpuTimes[] } | null = null;
  private clocks: { at: number; mhz: number[] } = { at: 0, mhz: [] };
  private latestSample: SystemSample | null = null;
  private readonly history: SystemSample[] = [];
  private sampling: Promise<void> | null = null;
  samplesTaken = 0;

  constructor(private readonly host: HostRoot) {}

  get latest(): SystemSample | null {
    return this.latestSample;
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  get running(): boolean {
    return this.timer !== null;
  }

  /** One sample per second for the last ten minutes of sampling, oldest first (for sparklines). */
  recentHistory(): SystemSample[] {
    return [...this.history];
  }

  async info(): Promise<SystemInfo> {
    const [hostname, kernel, realtime, version, cpuinfo] = await Promise.all([
      this.host.readValue('/proc/sys/kernel/hostname'),
      this.host.readValue('/proc/sys/kernel/osrelease'),
      this.host.readValue('/sys/kernel/realtime'),
      this.host.readValue('/proc/version'),
      this.host.readOptional('/proc/cpuinfo'),
    ]);
    const models = (cpuinfo ?? '').match(/^model name\s*:\s*(.+)$/gm) ?? [];
    return {
      hostname: hostname ?? 'unknown',
      kernel: kernel ?? 'unknown',
      realtime: isRealtimeKernel(realtime, version),
      preempt: preemptModel(version),
      cpuModel: models[0]?.replace(/^model name\s*:\s*/, '') ?? 'unknown',
      cores: models.length || (cpuinfo?.match(/^processor\s*:/gm)?.length ?? 0),
    };
  }

  /** Listen at the given interval. Returns the function that stops listening. */
  subscribe(listener: Listener, intervalMs: number): () => void {
    this.listeners.set(listener, { intervalMs, lastSent: 0 });
    this.reschedule();
    return () => {
      this.listeners.delete(listener);
      this.reschedule();
    };
  }

  /**
   * Samples for one client at `hz`, as an async iterable. A client that cannot keep up (`congested()` true) is
   * skipped for that tick: it gets the newest sample when it drains, never a backlog.
   */
  stream(hz: number, signal: AbortSignal, congested: () => boolean = () => false): AsyncGenerator<SystemSample> {
    return latestValues<SystemSample>((push) => this.subscribe(push, Math.round(1000 / hz)), signal, { initial: this.latestSample, congested });
  }

  private async openReaders(): Promise<Readers> {
    const sensors = await discoverTempSensors(this.host);
    const [stat, loadavg, uptime, netdev, meminfo, temps] = await Promise.all([
      this.host.syncReader('/proc/stat'),
      this.host.syncReader('/proc/loadavg'),
      this.host.syncReader('/proc/uptime'),
      this.host.syncReader('/proc/net/dev'),
      this.host.syncReader('/proc/meminfo'),
      Promise.all(sensors.map(async (s) => ({ label: s.label, read: await this.host.syncReader(s.path) }))),
    ]);
    // A first reading, so the first sample's CPU share covers the time since the readers opened.
    this.lastCpu = parseProcStat(stat() ?? '');
    return { stat, loadavg, uptime, netdev, meminfo, temps };
  }

  /** Take one sample now (also used by the benchmark to measure its cost). */
  async sample(): Promise<SystemSample> {
    this.readers ??= this.openReaders();
    const r = await this.readers;
    // Clocks are read at most once a second: os.cpus() behind cpuCurrentSpeed walks /proc/cpuinfo and sysfs for
    // every core, most of a sample's cost, and a clock shown at 1 Hz says all a performer needs.
    const now = Date.now();
    if (now - this.clocks.at >= 1000) this.clocks = { at: now, mhz: (await si.cpuCurrentSpeed()).cores.map((ghz) => Math.round(ghz * 1000)) };
    const cpu = this.cpuShares(parseProcStat(r.stat() ?? ''));
    const mem = parseMeminfo(r.meminfo() ?? '');
    const t = Date.now();
    const temps: SystemSample['temps'] = [];
    for (const sensor of r.temps) {
      const celsius = toCelsius(sensor.read()?.trim() ?? null);
      if (celsius !== null) temps.push({ label: sensor.label, celsius });
    }
    const sample: SystemSample = {
      t,
      cpu: { ...cpu, mhz: this.clocks.mhz },
      load: parseLoadavg(r.loadavg() ?? ''),
      mem: {
        total: mem.total,
        used: mem.total - mem.available,
        available: mem.available,
        swapTotal: mem.swapTotal,
        swapUsed: mem.swapTotal - mem.swapFree,
      },
      temps,
      net: this.netRates(t, parseNetDev(r.netdev() ?? '')),
      uptime: parseUptime(r.uptime() ?? ''),
    };
    this.samplesTaken++;
    return sample;
  }

  private cpuShares(now: { all: CpuTimes; cores: CpuTimes[] }): { total: number; cores: number[] } {
    const prev = this.lastCpu ?? now;
    this.lastCpu = now;
    return {
      total: busyPercent(prev.all, now.all),
      cores: now.cores.map((core, i) => (prev.cores[i] ? busyPercent(prev.cores[i], core) : 0)),
    };
  }

  private netRates(t: number, counters: NetCounters[]): { rxBps: number; txBps: number } {
    const rx = counters.reduce((sum, c) => sum + c.rxBytes, 0);
    const tx = counters.reduce((sum, c) => sum + c.txBytes, 0);
    const prev = this.lastNet;
    this.lastNet = { t, rx, tx };
    if (!prev || t <= prev.t || rx < prev.rx || tx < prev.tx) return { rxBps: 0, txBps: 0 };
    const seconds = (t - prev.t) / 1000;
    return { rxBps: Math.round((rx - prev.rx) / seconds), txBps: Math.round((tx - prev.tx) / seconds) };
  }

  private reschedule(): void {
    if (this.listeners.size === 0) {
      if (this.timer) clearInterval(this.timer);
      this.timer = null;
      this.tickMs = 0;
      this.lastNet = null; // a rate across a pause would be meaningless
      this.readers = null; // re-open (and re-read the CPU baseline) when someone listens again
      return;
    }
    const fastest = Math.max(100, Math.min(...[...this.listeners.values()].map((l) => l.intervalMs)));
    if (fastest === this.tickMs && this.timer) return;
    if (this.timer) clearInterval(this.timer);
    this.tickMs = fastest;
    this.timer = setInterval(() => void this.tick(), fastest);
    if (!this.latestSample) void this.tick();
  }

  private async tick(): Promise<void> {
    if (this.sampling) return; // never stack samples if one is slow
    this.sampling = (async () => {
      const sample = await this.sample();
      this.latestSample = sample;
      const last = this.history.at(-1);
      if (!last || sample.t - last.t >= 1000) {
        this.history.push(sample);
        if (this.history.length > HISTORY_SECONDS) this.history.shift();
      }
      for (const [listener, state] of this.listeners) {
        // A little slack so a 250 ms listener is not skipped by a tick that lands 1 ms early.
        if (sample.t - state.lastSent >= state.intervalMs - this.tickMs / 2) {
          state.lastSent = sample.t;
          listener(sample);
        }
      }
    })().finally(() => {
      this.sampling = null;
    });
    await this.sampling;
  }
}
