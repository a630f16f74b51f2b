import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Db } from '../db/database';
import { ExecError, type ExecRunner, type StreamingChild } from '../exec';
import type { Logger } from '../log';
import { probeTools, type ProbeResult } from '../probe';
import { allowedRates, isAllowedQuantum, latencyMs, parseProfilerLines, quantumFromPeriod, QUANTA, type ProfileWindow } from './clock';
import { AudioError } from './errors';
import { CLI_CLIENTS, Graph, mergePatch, type ClockSettings, type GraphLink, type GraphPatch, type GraphPort, type GraphSnapshot } from './graph';
import { JsonArrayStream, parseBatch, type PwObject } from './pw-dump';
import { latestValues } from '../live/latest-values';
import {
  currentLinks,
  diffScene,
  findPort,
  pairChannels,
  PatchbayStore,
  ruleMatches,
  type PatchbayExport,
  type Rule,
  type RuleInput,
  type Scene,
  type SceneDiff,
  type SceneLink,
} from './scenes';

/**
 * The single owner of the PipeWire graph. One long-lived `pw-dump --monitor` feeds the model; every client sees the
 * same state through patches. Mutations run the CLI tools and succeed only when pw-dump reports the result
 * ("confirmed, not assumed"). When PipeWire is away the service says so, retries with backoff, and rebuilds.
 */

export type ConnectionState = 'connecting' | 'live' | 'down';
export interface AudioStatus {
  state: ConnectionState;
  /** why it is down, in words a person can act on */
  reason: string | null;
  since: number;
  /** when down: the next attempt is in about this many ms */
  retryInMs: number | null;
}

export type AudioEvent = { type: 'patch'; patch: GraphPatch } | { type: 'status'; status: AudioStatus };

export type LiveMessage =
  | { type: 'snapshot'; snapshot: GraphSnapshot; status: AudioStatus }
  | { type: 'patch'; patch: GraphPatch; status: AudioStatus }
  | { type: 'status'; status: AudioStatus };

export interface ClockState {
  settings: ClockSettings;
  quanta: number[];
  rates: number[];
  /** forced or default, as the settings say */
  configured: { quantum: number | null; rate: number | null; latencyMs: number | null };
  /** measured by the profiler, null until a window has been sampled */
  inForce: { quantum: number | null; rate: number | null; latencyMs: number | null; at: number } | null;
  /** nodes that are running now: a change reconfigures a live graph */
  runningNodes: number;
}

export interface DspState {
  at: number;
  window: ProfileWindow;
  quantum: number | null;
  rate: number | null;
  /** xruns per node id since the console started sampling (sum over sampled windows) */
  totals: Record<number, number>;
  error: string | null;
}

export interface AudioServiceOptions {
  exec: ExecRunner;
  db: Db;
  log: Logger;
  /** how long a mutation waits for PipeWire's confirmation */
  confirmTimeoutMs?: number;
  /** retry delays after pw-dump ends */
  backoffMs?: readonly number[];
  /** profiler window length and period while someone watches */
  profileWindowMs?: number;
  profileEveryMs?: number;
}

const DEFAULT_BACKOFF = [200, 500, 1000, 2000, 4000, 5000] as const;

/** `pw-metadata -n settings` prints `update: id:0 key:'clock.rate' value:'48000' type:''` per key. */
export function parsePwMetadata(text: string): { subject: number; key: string; value: unknown }[] {
  const out: { subject: number; key: string; value: unknown }[] = [];
  for (const m of text.matchAll(/^update: id:(\d+) key:'([^']*)' value:'([^']*)'/gm)) {
    const n = Number(m[3]);
    out.push({ subject: Number(m[1]), key: m[2], value: m[3] !== '' && Number.isFinite(n) ? n : m[3] });
  }
  return out;
}

export class AudioService {
  readonly graph = new Graph();
  readonly store: PatchbayStore;
  private readonly exec: ExecRunner;
  private readonly log: Logger;
  private readonly confirmTimeoutMs: number;
  private readonly backoff: readonly number[];
  private status: AudioStatus = { state: 'connecting', reason: null, since: Date.now(), retryInMs: null };
  private monitor: StreamingChild | null = null;
  private stopped = true;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private firstBatch = true;
  private readonly listeners = new Set<(e: AudioEvent) => void>();
  private readonly waiters = new Set<() => void>();
  private readonly malformedSeen = new Set<string>();
  private ruleTimer: NodeJS.Timeout | null = null;
  private readonly pendingRuleNodes = new Set<number>();
  // profiler
  private readonly dspListeners = new Set<(d: DspState) => void>();
  private dsp: DspState | null = null;
  private profilerLoop: Promise<void> | null = null;
  private profilerChild: StreamingChild | null = null;
  private readonly profileWindowMs: number;
  private readonly profileEveryMs: number;
  private readonly xrunTotals = new Map<number, number>();
  /** counters for tests and benchmarks */
  readonly stats = { batches: 0, malformed: 0, restarts: 0, parseMs: 0 };

  constructor(opts: AudioServiceOptions) {
    this.exec = opts.exec;
    this.log = opts.log;
    this.store = new PatchbayStore(opts.db);
    this.confirmTimeoutMs = opts.confirmTimeoutMs ?? 3000;
    this.backoff = opts.backoffMs ?? DEFAULT_BACKOFF;
    this.profileWindowMs = opts.profileWindowMs ?? 1000;
    this.profileEveryMs = opts.profileEveryMs ?? 2000;
  }

  probe(): Promise<ProbeResult> {
    return probeTools(this.exec, ['pw-dump', 'pw-link', 'pw-metadata'], 'install PipeWire\'s command-line tools (pipewire-bin on Debian, pipewire on NixOS)');
  }

  getStatus(): AudioStatus {
    return this.status;
  }

  snapshot(): GraphSnapshot {
    return this.graph.snapshot();
  }

  // ---------------------------------------------------------------- lifecycle

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.spawnMonitor();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.ruleTimer) clearTimeout(this.ruleTimer);
    this.retryTimer = null;
    const child = this.monitor;
    this.monitor = null;
    await Promise.all([child?.stop(), this.profilerChild?.stop()]);
    for (const wake of this.waiters) wake();
  }

  private setStatus(state: ConnectionState, reason: string | null, retryInMs: number | null = null) {
    if (this.status.state === state && this.status.reason === reason && this.status.retryInMs === retryInMs) return;
    this.status = { state, reason, since: Date.now(), retryInMs };
    this.emit({ type: 'status', status: this.status });
  }

  private async spawnMonitor(): Promise<void> {
    if (this.stopped) return;
    this.firstBatch = true;
    if (this.status.state !== 'live') this.setStatus('connecting', this.status.reason);
    const splitter = new JsonArrayStream((text) => this.onBatchText(text));
    let lastErr = '';
    let child: StreamingChild;
    try {
      child = await this.exec.stream('pw-dump', ['--monitor', '--no-colors'], {
        onData: (chunk) => splitter.push(chunk),
        onStderrLine: (line) => {
          if (line.trim()) lastErr = line.trim();
        },
      });
    } catch (err) {
      const reason =
        err instanceof ExecError && err.kind === 'not-found'
          ? 'pw-dump is not installed on this host: install PipeWire\'s command-line tools.'
          : `Could not start pw-dump: ${(err as Error).message}`;
      this.scheduleRetry(reason);
      return;
    }
    if (this.stopped) {
      await child.stop();
      return;
    }
    this.monitor = child;
    void child.exited.then((result) => {
      if (this.monitor !== child) return;
      this.monitor = null;
      if (this.stopped) return;
      const why = /connect|No such file|Host is down|refused/i.test(lastErr)
        ? 'PipeWire is not running (or not reachable in this runtime directory).'
        : lastErr
          ? `pw-dump stopped: ${lastErr}`
          : `pw-dump stopped (exit ${result.code ?? result.signal}).`;
      // the graph is unknown while PipeWire is away: clients see it empty, with the reason
      const patch = this.graph.clear();
      if (patch) this.emit({ type: 'patch', patch });
      this.scheduleRetry(why);
    });
  }

  private scheduleRetry(reason: string) {
    if (this.stopped) return;
    const delay = this.backoff[Math.min(this.attempt, this.backoff.length - 1)];
    this.attempt++;
    this.setStatus('down', reason, delay);
    this.log.warn({ reason, retryInMs: delay }, 'pipewire monitor down');
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.stats.restarts++;
      void this.spawnMonitor();
    }, delay);
    this.retryTimer.unref?.();
  }

  private onBatchText(text: string) {
    const t0 = performance.now();
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      this.stats.malformed++;
      this.log.warn({ bytes: text.length }, 'pw-dump printed something that is not JSON: dropped');
      return;
    }
    const { objects, malformed } = parseBatch(raw);
    for (const m of malformed) {
      this.stats.malformed++;
      const key = `${m.objectType}:${m.message}`;
      // one log line per kind of problem, not one per object per update
      if (!this.malformedSeen.has(key)) {
        this.malformedSeen.add(key);
        this.log.warn({ id: m.objectId, type: m.objectType, problem: m.message }, 'pw-dump object dropped: it does not have the expected shape');
      }
    }
    this.applyObjects(objects, this.firstBatch);
    this.stats.parseMs += performance.now() - t0;
    if (this.firstBatch) {
      this.firstBatch = false;
      this.attempt = 0;
      this.setStatus('live', null);
    }
  }

  /** Apply parsed objects (also the entry point for benchmarks and tests). */
  applyObjects(objects: PwObject[], full = false): GraphPatch | null {
    this.stats.batches++;
    // The CLI's own clients (every pw-link and pw-metadata call) come and go: they never reach the model.
    const relevant = objects.filter((o) => !(o.kind === 'client' && o.applicationName && CLI_CLIENTS.has(o.applicationName)));
    const patch = this.graph.apply(relevant, full);
    if (!patch) return null;
    this.emit({ type: 'patch', patch });
    for (const wake of [...this.waiters]) wake();
    if (patch.ports.length > 0 && !full) for (const p of patch.ports) this.pendingRuleNodes.add(p.nodeId);
    if (full && patch.ports.length > 0) for (const p of patch.ports) this.pendingRuleNodes.add(p.nodeId);
    if (this.pendingRuleNodes.size > 0) this.scheduleRules();
    return patch;
  }

  // ---------------------------------------------------------------- push

  subscribe(listener: (e: AudioEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: AudioEvent) {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (err) {
        this.log.error({ err }, 'audio listener failed');
      }
    }
  }

  /**
   * One client's live view: a snapshot, then patches. A client that cannot keep up gets one merged patch (newest
   * value per object) when it drains: the pending state is bounded by the graph's size, never a backlog.
   */
  async *live(signal: AbortSignal, congested: () => boolean = () => false): AsyncGenerator<LiveMessage> {
    let pending: GraphPatch | null = null;
    let statusChanged = false;
    let wake: (() => void) | null = null;
    const unsubscribe = this.subscribe((e) => {
      if (e.type === 'patch') pending = pending ? mergePatch(pending, e.patch) : e.patch;
      else statusChanged = true;
      wake?.();
    });
    const aborted = new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    try {
      yield { type: 'snapshot', snapshot: this.graph.snapshot(), status: this.status };
      while (!signal.aborted) {
        if (!pending && !statusChanged) {
          await Promise.race([new Promise<void>((resolve) => (wake = resolve)), aborted]);
          wake = null;
          continue;
        }
        if (congested()) {
          await Promise.race([new Promise<void>((resolve) => setTimeout(resolve, 50).unref?.()), aborted]);
          continue;
        }
        const patch: GraphPatch | null = pending;
        pending = null;
        statusChanged = false;
        if (patch) yield { type: 'patch', patch, status: this.status };
        else yield { type: 'status', status: this.status };
      }
    } finally {
      unsubscribe();
    }
  }

  // ---------------------------------------------------------------- confirmation

  /** Resolve when `done()` holds after some graph change; reject with a timeout error otherwise. */
  private waitFor(done: () => boolean, timeoutMessage: string): Promise<void> {
    if (done()) return Promise.resolve();
    const waiting = new Promise<void>((resolve, reject) => {
      const check = () => {
        if (done()) {
          cleanup();
          resolve();
        } else if (this.stopped) {
          cleanup();
          reject(new AudioError('unavailable', 'The console is shutting down.'));
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new AudioError('timeout', timeoutMessage));
      }, this.confirmTimeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
    });
    // The caller awaits this only after its pw-link/pw-metadata call returns; if the service stops or the wait times
    // out meanwhile, the rejection must not count as unhandled (the caller still sees it when it awaits).
    waiting.catch(() => undefined);
    return waiting;
  }

  private requireLive() {
    if (this.status.state !== 'live') {
      throw new AudioError('unavailable', this.status.reason ? `PipeWire is not available: ${this.status.reason}` : 'PipeWire is not connected yet: try again in a moment.');
    }
  }

  private port(id: number): GraphPort {
    const port = this.graph.ports.get(id);
    if (!port) throw new AudioError('no-such-port', `There is no port #${id} in the graph (it may have just gone away).`);
    return port;
  }

  private describe(port: GraphPort): string {
    return `${this.graph.nodes.get(port.nodeId)?.name ?? `node ${port.nodeId}`}:${port.name}`;
  }

  /** Check a connection request against the model; throws the error a person can act on. */
  private checkConnect(outPortId: number, inPortId: number): { out: GraphPort; inp: GraphPort } {
    const out = this.port(outPortId);
    const inp = this.port(inPortId);
    if (out.direction !== 'out' || inp.direction !== 'in') {
      const which = out.direction !== 'out' ? `${this.describe(out)} is an input` : `${this.describe(inp)} is an output`;
      throw new AudioError('wrong-direction', `Links go from an output to an input, and ${which}.`);
    }
    if (out.mediaType !== inp.mediaType && out.mediaType !== 'other' && inp.mediaType !== 'other') {
      throw new AudioError('incompatible-media', `${this.describe(out)} carries ${out.mediaType} and ${this.describe(inp)} takes ${inp.mediaType}: they cannot be linked.`);
    }
    if (this.graph.linkBetween(outPortId, inPortId)) {
      throw new AudioError('already-linked', `${this.describe(out)} is already linked to ${this.describe(inp)}.`);
    }
    return { out, inp };
  }

  // ---------------------------------------------------------------- mutations

  /** Link two ports; resolves with the link once PipeWire reports it. The link outlives the console (object.linger). */
  async connect(outPortId: number, inPortId: number): Promise<GraphLink> {
    this.requireLive();
    const { out, inp } = this.checkConnect(outPortId, inPortId);
    const confirmed = this.waitFor(() => !!this.graph.linkBetween(outPortId, inPortId), `PipeWire did not confirm the link ${this.describe(out)} -> ${this.describe(inp)} in time.`);
    try {
      await this.exec.run('pw-link', ['--linger', String(outPortId), String(inPortId)], { timeoutMs: this.confirmTimeoutMs });
    } catch (err) {
      throw this.toolError(err, `link ${this.describe(out)} -> ${this.describe(inp)}`, { out, inp });
    }
    await confirmed;
    return this.graph.linkBetween(outPortId, inPortId)!;
  }

  /** Remove a link by id; resolves once PipeWire reports it gone. */
  async disconnect(linkId: number): Promise<void> {
    this.requireLive();
    const link = this.graph.links.get(linkId);
    if (!link) throw new AudioError('no-such-link', `There is no link #${linkId} (it may have been removed already).`);
    // PipeWire reuses ids at once: "gone" means no link with this id joins the same two ports any more
    const isGone = () => {
      const now = this.graph.links.get(linkId);
      return !now || now.outputPortId !== link.outputPortId || now.inputPortId !== link.inputPortId;
    };
    const gone = this.waitFor(isGone, `PipeWire did not confirm removing link #${linkId} in time.`);
    try {
      await this.exec.run('pw-link', ['--disconnect', String(linkId)], { timeoutMs: this.confirmTimeoutMs });
    } catch (err) {
      if (isGone()) return;
      throw this.toolError(err, `remove link #${linkId}`);
    }
    await gone;
  }

  async disconnectPorts(outPortId: number, inPortId: number): Promise<void> {
    this.requireLive();
    const out = this.port(outPortId);
    const inp = this.port(inPortId);
    const link = this.graph.linkBetween(outPortId, inPortId);
    if (!link) throw new AudioError('no-such-link', `${this.describe(out)} is not linked to ${this.describe(inp)}.`);
    await this.disconnect(link.id);
  }

  /** The port pairs a node-to-node connection makes: FL->FL, FR->FR, else 1->1 in port order, per media type. */
  nodePairs(outNodeId: number, inNodeId: number): [GraphPort, GraphPort][] {
    if (!this.graph.nodes.has(outNodeId)) throw new AudioError('no-such-node', `There is no node #${outNodeId}.`);
    if (!this.graph.nodes.has(inNodeId)) throw new AudioError('no-such-node', `There is no node #${inNodeId}.`);
    const outsAll = this.graph.portsOf(outNodeId).filter((p) => p.direction === 'out');
    // a sink's only outputs are its monitors; elsewhere prefer real outputs over monitors
    const outs = outsAll.some((p) => !p.monitor) ? outsAll.filter((p) => !p.monitor) : outsAll;
    const ins = this.graph.portsOf(inNodeId).filter((p) => p.direction === 'in');
    return pairChannels(outs, ins);
  }

  async connectNodes(outNodeId: number, inNodeId: number): Promise<{ made: GraphLink[]; existing: number }> {
    this.requireLive();
    const pairs = this.nodePairs(outNodeId, inNodeId);
    if (pairs.length === 0) {
      const a = this.graph.nodes.get(outNodeId)!.name;
      const b = this.graph.nodes.get(inNodeId)!.name;
      throw new AudioError('no-matching-ports', `${a} has no outputs that match an input of ${b} (same media type).`);
    }
    const todo = pairs.filter(([o, i]) => !this.graph.linkBetween(o.id, i.id));
    if (todo.length === 0) throw new AudioError('already-linked', 'These nodes are already connected channel by channel.');
    const made = await Promise.all(todo.map(([o, i]) => this.connect(o.id, i.id)));
    return { made, existing: pairs.length - todo.length };
  }

  async disconnectNodes(outNodeId: number, inNodeId: number): Promise<{ removed: number }> {
    this.requireLive();
    if (!this.graph.nodes.has(outNodeId)) throw new AudioError('no-such-node', `There is no node #${outNodeId}.`);
    if (!this.graph.nodes.has(inNodeId)) throw new AudioError('no-such-node', `There is no node #${inNodeId}.`);
    const links = [...this.graph.links.values()].filter((l) => l.outputNodeId === outNodeId && l.inputNodeId === inNodeId);
    if (links.length === 0) throw new AudioError('no-such-link', 'These nodes are not connected.');
    await Promise.all(links.map((l) => this.disconnect(l.id)));
    return { removed: links.length };
  }

  private toolError(err: unknown, what: string, ports?: { out: GraphPort; inp: GraphPort }): AudioError {
    if (err instanceof AudioError) return err;
    if (err instanceof ExecError) {
      const text = `${err.result?.stderr ?? ''} ${err.message}`;
      if (ports && /File exists/i.test(text)) return new AudioError('already-linked', `${this.describe(ports.out)} is already linked to ${this.describe(ports.inp)}.`);
      if (/No such file|not found|Unknown/i.test(text)) return new AudioError('no-such-port', `Could not ${what}: PipeWire no longer has that object.`);
      if (err.kind === 'timeout') return new AudioError('timeout', `PipeWire did not answer in time when asked to ${what}.`);
      if (err.kind === 'not-found') return new AudioError('unavailable', err.message);
      return new AudioError('failed', `PipeWire refused to ${what}: ${err.message}`);
    }
    return new AudioError('failed', `Could not ${what}: ${(err as Error).message}`);
  }

  // ---------------------------------------------------------------- clock

  clockState(): ClockState {
    const s = this.graph.settings;
    const quantum = s.forceQuantum || s.quantum;
    const rate = s.forceRate || s.rate;
    const measured = this.dsp && this.dsp.window.cycles > 0 ? this.dsp : null;
    return {
      settings: s,
      quanta: [...QUANTA].filter((q) => !s.maxQuantum || q <= Math.max(s.maxQuantum, 8192)),
      rates: allowedRates(s),
      configured: { quantum, rate, latencyMs: latencyMs(quantum, rate) },
      inForce: measured ? { quantum: measured.quantum, rate: measured.rate, latencyMs: latencyMs(measured.quantum, measured.rate), at: measured.at } : null,
      runningNodes: [...this.graph.nodes.values()].filter((n) => n.state === 'running').length,
    };
  }

  /** Force (or with 0 release) the quantum and/or rate; resolves once the settings metadata shows the new values. */
  async setClock(input: { quantum?: number; rate?: number }): Promise<ClockState> {
    this.requireLive();
    const { quantum, rate } = input;
    if (quantum === undefined && rate === undefined) throw new AudioError('invalid-value', 'Choose a quantum or a rate to set.');
    if (quantum !== undefined && !isAllowedQuantum(quantum)) {
      throw new AudioError('invalid-value', `${quantum} is not a quantum PipeWire accepts: use a power of two from 16 to 8192, or 0 to release it.`);
    }
    const rates = allowedRates(this.graph.settings);
    if (rate !== undefined && rate !== 0 && !rates.includes(rate)) {
      throw new AudioError('invalid-value', `${rate} Hz is not offered here: choose one of ${rates.join(', ')} Hz, or 0 to release it.`);
    }
    const sets: [string, number][] = [];
    if (quantum !== undefined) sets.push(['clock.force-quantum', quantum]);
    if (rate !== undefined) sets.push(['clock.force-rate', rate]);
    for (const [key, value] of sets) {
      const done = () => (key === 'clock.force-quantum' ? this.graph.settings.forceQuantum : this.graph.settings.forceRate) === value;
      const confirmed = this.waitFor(done, `PipeWire did not confirm ${key} = ${value} in time.`);
      try {
        await this.exec.run('pw-metadata', ['-n', 'settings', '0', key, String(value)], { timeoutMs: this.confirmTimeoutMs });
        // pw-dump 0.3.65 sometimes leaves out a metadata change that follows another one quickly (seen in tests:
        // 64 then 0 within a few ms prints only the CLI client's removal). When the monitor has not shown the new
        // value shortly, read it back from PipeWire itself: still confirmed by PipeWire, not assumed.
        await Promise.race([confirmed, new Promise((r) => setTimeout(r, 150))]);
        if (!done()) await this.refreshSettings();
      } catch (err) {
        throw this.toolError(err, `set ${key}`);
      }
      await confirmed;
    }
    return this.clockState();
  }

  /** Read the settings metadata with pw-metadata and apply it to the model (the monitor's fallback). */
  async refreshSettings(): Promise<void> {
    const { stdout } = await this.exec.run('pw-metadata', ['-n', 'settings'], { timeoutMs: this.confirmTimeoutMs });
    const entries = parsePwMetadata(stdout);
    const id = this.graph.settingsMetadataId;
    if (id === null || entries.length === 0) return;
    this.applyObjects([{ kind: 'metadata', id, name: 'settings', entries }]);
  }

  // ---------------------------------------------------------------- DSP load (pw-profiler, on demand)

  latestDsp(): DspState | null {
    return this.dsp;
  }

  /** Newest DSP figures while the caller listens; the profiler runs only while someone does. */
  dspStream(signal: AbortSignal): AsyncGenerator<DspState> {
    return latestValues<DspState>(
      (push) => {
        this.dspListeners.add(push);
        this.ensureProfiler();
        return () => this.dspListeners.delete(push);
      },
      signal,
      { initial: this.dsp },
    );
  }

  private ensureProfiler() {
    if (this.profilerLoop) return;
    this.profilerLoop = (async () => {
      while (this.dspListeners.size > 0 && !this.stopped) {
        if (this.status.state === 'live') await this.sampleProfiler();
        await new Promise((r) => setTimeout(r, this.profileEveryMs).unref?.());
      }
    })().finally(() => {
      this.profilerLoop = null;
    });
  }

  /**
   * One profiler window: start pw-profiler, let it log for profileWindowMs, stop it, parse what it wrote. It writes to
   * a file in a private temporary directory (it cannot write to our stdout: a socket, which /dev/stdout cannot
   * open) and is run from there, because on exit it writes its gnuplot scripts into its working directory.
   */
  async sampleProfiler(): Promise<DspState> {
    let lines: string[] = [];
    let error: string | null = null;
    let lastErr = '';
    const dir = await mkdtemp(path.join(os.tmpdir(), 'archibald-profiler-'));
    try {
      const child = await this.exec.stream('pw-profiler', ['-o', path.join(dir, 'profiler.log')], {
        cwd: dir,
        onStderrLine: (l) => {
          if (/error|can't|cannot|failed/i.test(l)) lastErr = l.trim();
        },
      });
      this.profilerChild = child;
      await Promise.race([child.exited, new Promise((r) => setTimeout(r, this.profileWindowMs))]);
      await child.stop();
      this.profilerChild = null;
      const text = await readFile(path.join(dir, 'profiler.log'), 'utf8').catch(() => '');
      lines = text.split('\n');
      if (lines.length <= 1 && lastErr) error = `pw-profiler: ${lastErr}`;
    } catch (err) {
      error = (err as Error).message;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const window = parseProfilerLines(lines);
    const s = this.graph.settings;
    const rate = s.forceRate || s.rate;
    for (const n of window.nodes) this.xrunTotals.set(n.id, (this.xrunTotals.get(n.id) ?? 0) + n.errors);
    const state: DspState = {
      at: Date.now(),
      window,
      quantum: quantumFromPeriod(window.periodUs, rate),
      rate,
      totals: Object.fromEntries(this.xrunTotals),
      error: error ?? (window.cycles === 0 ? 'The graph ran no cycles while sampled (nothing is running).' : null),
    };
    this.dsp = state;
    for (const l of this.dspListeners) l(state);
    return state;
  }

  // ---------------------------------------------------------------- scenes

  saveScene(name: string, withClock: boolean, overwrite: boolean): Scene {
    const s = this.graph.settings;
    return this.store.saveScene(
      { name, links: currentLinks(this.graph), clock: withClock ? { quantum: s.forceQuantum, rate: s.forceRate } : null },
      overwrite,
    );
  }

  previewScene(name: string, exclusive: boolean, withClock: boolean): SceneDiff {
    return diffScene(this.graph, this.store.getScene(name), exclusive, withClock);
  }

  /**
   * Apply a scene: add the missing links (and with exclusive remove the others), then the clock if asked. Each
   * change is confirmed; failures are reported per link and do not stop the rest.
   */
  async recallScene(name: string, exclusive: boolean, withClock: boolean) {
    this.requireLive();
    const diff = this.previewScene(name, exclusive, withClock);
    const failures: { link: SceneLink; error: string }[] = [];
    const run = async (link: SceneLink, action: 'add' | 'remove') => {
      try {
        const out = findPort(this.graph, link.output, 'out');
        const inp = findPort(this.graph, link.input, 'in');
        if (!out || !inp) throw new AudioError('no-such-port', 'a port is missing');
        if (action === 'add') await this.connect(out.id, inp.id);
        else await this.disconnectPorts(out.id, inp.id);
      } catch (err) {
        if (err instanceof AudioError && (err.code === 'already-linked' || (action === 'remove' && err.code === 'no-such-link'))) return;
        failures.push({ link, error: (err as Error).message });
      }
    };
    await Promise.all([...diff.remove.map((l) => run(l, 'remove')), ...diff.add.map((l) => run(l, 'add'))]);
    if (diff.clock) await this.setClock({ quantum: diff.clock.quantum, rate: diff.clock.rate || undefined });
    return { diff, failures };
  }

  deleteScene(name: string) {
    this.store.deleteScene(name);
  }

  exportAll(): PatchbayExport {
    return this.store.exportAll();
  }

  importAll(data: PatchbayExport, overwrite: boolean) {
    const r = this.store.importAll(data, overwrite);
    for (const id of this.graph.nodes.keys()) this.pendingRuleNodes.add(id);
    this.scheduleRules();
    return r;
  }

  // ---------------------------------------------------------------- rules

  createRule(input: RuleInput): Rule {
    const rule = this.store.createRule(input);
    for (const id of this.graph.nodes.keys()) this.pendingRuleNodes.add(id);
    this.scheduleRules();
    return rule;
  }

  updateRule(id: number, input: RuleInput): Rule {
    const rule = this.store.updateRule(id, input);
    for (const nodeId of this.graph.nodes.keys()) this.pendingRuleNodes.add(nodeId);
    this.scheduleRules();
    return rule;
  }

  deleteRule(id: number) {
    this.store.deleteRule(id);
  }

  /** Rules run shortly after ports appear (a node adds its ports one by one), once per burst. */
  private scheduleRules() {
    if (this.ruleTimer || this.stopped) return;
    this.ruleTimer = setTimeout(() => {
      this.ruleTimer = null;
      void this.applyRules();
    }, 50);
    this.ruleTimer.unref?.();
  }

  async applyRules(): Promise<number> {
    const nodes = new Set(this.pendingRuleNodes);
    this.pendingRuleNodes.clear();
    if (this.status.state !== 'live' || nodes.size === 0) return 0;
    const rules = this.store.listRules().filter((r) => r.enabled);
    let made = 0;
    for (const rule of rules) {
      for (const [o, i] of ruleMatches(this.graph, rule, nodes)) {
        if (this.graph.linkBetween(o.id, i.id)) continue;
        try {
          await this.connect(o.id, i.id);
          made++;
          this.log.info({ rule: rule.name, out: this.describe(o), in: this.describe(i) }, 'auto-connect rule made a link');
        } catch (err) {
          if (!(err instanceof AudioError && err.code === 'already-linked')) {
            this.log.warn({ rule: rule.name, err: (err as Error).message }, 'auto-connect rule could not link');
          }
        }
      }
    }
    return made;
  }
}
