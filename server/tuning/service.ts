import os from 'node:os';
import { open, type FileHandle } from 'node:fs/promises';
import type { Db } from '../db/database';
import { migrate } from '../db/database';
import type { ExecRunner, StreamingChild } from '../exec';
import type { HostRoot } from '../host-root';
import type { Logger } from '../log';
import { probeTools, type ProbeResult } from '../probe';
import { runChecks, type ClockProvider } from './checks';
import { formatCpuList, parseCpuList, CpuListError } from './cpu-list';
import { cyclictestArgs, parseHistogram, parseStatusLine, type BenchmarkParams, type BenchmarkProgress, type BenchmarkResult, type ThreadProgress } from './cyclictest';
import { TuningError } from './errors';
import { HostFacts } from './host-facts';
import { measureRoundTrip, type RoundTripResult } from './iodelay';
import { describeTarget, isTweakId, nixosSnippet, parseSched, planTweak, readCurrent, sameValue, TWEAKS } from './tweaks';
import type { AppliedTweak, CheckReport, CheckStatus, PlannedWrite, TweakId, TweakInfo, TweakParams, TweakPlan } from './types';
import { createWriter, type PrivilegedWriter } from './writer';

const MIGRATIONS = [
  `CREATE TABLE tuning_applied (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     tweak TEXT NOT NULL,
     title TEXT NOT NULL,
     params TEXT NOT NULL,
     writes TEXT NOT NULL,
     applied_at INTEGER NOT NULL,
     applied_by TEXT NOT NULL,
     reverted_at INTEGER,
     reverted_by TEXT
   );
   CREATE TABLE tuning_benchmarks (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     started_at INTEGER NOT NULL,
     finished_at INTEGER,
     params TEXT NOT NULL,
     status TEXT NOT NULL,
     result TEXT,
     error TEXT,
     label TEXT NOT NULL DEFAULT ''
   );`,
];

export interface TuningServiceOptions {
  host: HostRoot;
  exec: ExecRunner;
  db: Db;
  log: Logger;
  writer?: PrivilegedWriter;
  clock?: ClockProvider;
  audioGroup?: string;
  /** The process identity the per-process checks describe (tests pass a non-root one). */
  self?: { uid: number };
  /** Whether this process lives long enough to hold /dev/cpu_dma_latency (the console: yes; the CLI: no). */
  canHold?: boolean;
}

export interface BenchmarkRun {
  id: number;
  startedAt: number;
  finishedAt: number | null;
  params: BenchmarkParams;
  status: 'running' | 'done' | 'cancelled' | 'failed';
  result: BenchmarkResult | null;
  error: string | null;
  label: string;
}

type BenchRow = { id: number; started_at: number; finished_at: number | null; params: string; status: BenchmarkRun['status']; result: string | null; error: string | null; label: string };
type AppliedRow = { id: number; tweak: string; title: string; params: string; writes: string; applied_at: number; applied_by: string };

/**
 * The tuning domain: checks, tweaks (plan = dry run, apply, revert to the saved values) and cyclictest runs.
 * One instance per process; the console and the CLI share the database, so the CLI's tweaks show in the console.
 */
export class TuningService {
  readonly host: HostRoot;
  readonly writer: PrivilegedWriter;
  private readonly exec: ExecRunner;
  private readonly db: Db;
  private readonly log: Logger;
  private readonly opts: TuningServiceOptions;
  private hold: { handle: FileHandle; appliedId: number; old: string | null } | null = null;
  private bench: { run: BenchmarkRun; child: StreamingChild | null; progress: BenchmarkProgress; cancelled: boolean; done: Promise<BenchmarkRun> } | null = null;
  private readonly progressListeners = new Set<(p: BenchmarkProgress | BenchmarkRun) => void>();

  constructor(opts: TuningServiceOptions) {
    this.opts = opts;
    this.host = opts.host;
    this.exec = opts.exec;
    this.db = opts.db;
    this.log = opts.log;
    this.writer = opts.writer ?? createWriter(opts.host, opts.exec);
    migrate(this.db, 'tuning', MIGRATIONS);
    // A run that was going when the process died cannot be finished: say so instead of "running" forever.
    this.db.prepare(`UPDATE tuning_benchmarks SET status = 'failed', error = 'the console stopped during the run' WHERE status = 'running'`).run();
  }

  private facts(): HostFacts {
    return new HostFacts(this.host, this.opts.self);
  }

  probe(): Promise<ProbeResult> {
    const tools = this.writer.kind === 'helper' ? ['cyclictest', 'sudo', 'archibald-helper'] : ['cyclictest'];
    return probeTools(this.exec, tools, 'install rt-tests (cyclictest); on the box enable services.archibald-console.helper');
  }

  get holdingDmaLatency(): boolean {
    return this.hold !== null;
  }

  // ------------------------------------------------------------------------------------------------ checks

  async check(): Promise<CheckReport & { pathsRead: string[] }> {
    const started = performance.now();
    const facts = this.facts();
    const results = await runChecks(facts, { audioGroup: this.opts.audioGroup, clock: this.opts.clock, dmaLatencyHeld: this.holdingDmaLatency });
    const counts: Record<CheckStatus, number> = { pass: 0, warn: 0, fail: 0, na: 0, unknown: 0 };
    for (const r of results) counts[r.status]++;
    return {
      at: Date.now(),
      results,
      // Not-applicable checks are left out of the score: a VM is not penalised for having no cpufreq.
      score: { pass: counts.pass, total: results.length - counts.na, counts },
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      pathsRead: facts.pathsRead,
    };
  }

  // ------------------------------------------------------------------------------------------------ tweaks

  tweaks(): TweakInfo[] {
    return Object.values(TWEAKS);
  }

  private tweakId(id: string): TweakId {
    if (!isTweakId(id)) throw new TuningError('invalid-input', `No tweak is called "${id}" (there are ${Object.keys(TWEAKS).join(', ')}).`);
    return id;
  }

  /** The dry run: exactly what apply would write. */
  async plan(id: string, params: TweakParams = {}): Promise<TweakPlan> {
    return planTweak(this.facts(), this.tweakId(id), params);
  }

  async apply(id: string, params: TweakParams, by: string): Promise<AppliedTweak> {
    const plan = await this.plan(id, params);
    if (plan.writes.length === 0) throw new TuningError('conflict', `Nothing to change: ${plan.notes.join(' ') || 'already in force.'}`);
    if (plan.tweak === 'cpu-dma-latency' && !this.opts.canHold) {
      throw new TuningError('unavailable', 'Only the running console can hold /dev/cpu_dma_latency (the hold ends when the process exits).');
    }
    if (plan.tweak === 'cpu-dma-latency' && this.hold) throw new TuningError('conflict', 'The console already holds /dev/cpu_dma_latency at 0.');
    // Two applied tweaks on one file would make the older one's revert undo the newer: revert first.
    const busy = this.activeRows().flatMap((row) => (JSON.parse(row.writes) as PlannedWrite[]).map((w) => ({ row, path: w.path })));
    const clash = plan.writes.map((w) => busy.find((b) => b.path === w.path)).find(Boolean);
    if (clash) throw new TuningError('conflict', `${clash.path} is already changed by applied tweak #${clash.row.id} (${clash.row.title}): revert it first.`);

    const done: PlannedWrite[] = [];
    try {
      for (const w of plan.writes) {
        await this.perform(w, w.new);
        done.push(w);
      }
    } catch (err) {
      // Put back what was already written, newest first, then report the failure.
      for (const w of done.reverse()) await this.undo(w).catch((e) => this.log.error({ err: e, path: w.path }, 'rollback failed'));
      throw err instanceof TuningError ? err : new TuningError('write-failed', (err as Error).message);
    }
    const info = this.db
      .prepare('INSERT INTO tuning_applied (tweak, title, params, writes, applied_at, applied_by) VALUES (?, ?, ?, ?, ?, ?)')
      .run(plan.tweak, plan.title, JSON.stringify(plan.params), JSON.stringify(plan.writes), Date.now(), by);
    const appliedId = Number(info.lastInsertRowid);
    if (this.hold && this.hold.appliedId === -1) this.hold.appliedId = appliedId;
    this.log.info({ tweak: plan.tweak, writes: plan.writes.length, by }, 'tweak applied');
    return (await this.applied()).find((a) => a.id === appliedId)!;
  }

  private async perform(w: PlannedWrite, value: string): Promise<void> {
    switch (w.kind) {
      case 'file':
        return this.writer.write(w.path, value);
      case 'pci-latency':
        return this.writer.setPciLatency(w.slot, value);
      case 'chrt': {
        const sched = parseSched(value);
        if (!sched) throw new TuningError('write-failed', `Cannot set ${w.name} to "${value}".`);
        return this.writer.chrt(sched.policy, sched.policy === 'other' ? 0 : sched.priority, w.pid);
      }
      case 'hold':
        return this.startHold(w);
    }
  }

  private async undo(w: PlannedWrite): Promise<void> {
    if (w.kind === 'hold') return this.releaseHold();
    if (w.old === null) return;
    if (w.kind === 'chrt') {
      const sched = parseSched(w.old);
      // a batch/idle/deadline thread cannot be put back by the helper's verbs: other is the closest
      return this.perform(w, sched ? w.old : 'other 0');
    }
    return this.perform(w, w.old);
  }

  private async startHold(w: PlannedWrite): Promise<void> {
    let handle: FileHandle;
    try {
      handle = await open(await this.host.resolveReal('/dev/cpu_dma_latency'), 'r+');
    } catch (err) {
      throw new TuningError('write-failed', `Cannot open /dev/cpu_dma_latency for writing (${(err as NodeJS.ErrnoException).code}): the console's user needs the audio group.`);
    }
    const zero = Buffer.alloc(4);
    zero.writeInt32LE(0, 0);
    await handle.write(zero, 0, 4, 0);
    this.hold = { handle, appliedId: -1, old: w.old };
  }

  private async releaseHold(): Promise<void> {
    const hold = this.hold;
    if (!hold) return;
    this.hold = null;
    await hold.handle.close();
    // The kernel drops the request when the file is closed; a test tree has no kernel, so put the old value back.
    if (this.host.root !== '/' && hold.old !== null) {
      const handle = await open(await this.host.resolveReal('/dev/cpu_dma_latency'), 'r+');
      const buf = Buffer.alloc(4);
      buf.writeInt32LE(Number(hold.old), 0);
      await handle.write(buf, 0, 4, 0);
      await handle.close();
    }
  }

  private activeRows(): AppliedRow[] {
    return this.db.prepare('SELECT * FROM tuning_applied WHERE reverted_at IS NULL ORDER BY id').all() as AppliedRow[];
  }

  /** The applied tweaks, each write re-read now. */
  async applied(): Promise<AppliedTweak[]> {
    const facts = this.facts();
    return Promise.all(
      this.activeRows().map(async (row) => {
        const writes = JSON.parse(row.writes) as PlannedWrite[];
        const states = await Promise.all(
          writes.map(async (w) => {
            let current = await readCurrent(facts, w);
            // a hold from an earlier console process is gone with it, whatever the file says
            if (w.kind === 'hold' && this.hold?.appliedId !== row.id) current = `${current ?? '?'} (not held by this console)`;
            return { ...w, current, inForce: sameValue(w.path, current, w.new) };
          }),
        );
        return {
          id: row.id,
          tweak: row.tweak as TweakId,
          title: row.title,
          params: JSON.parse(row.params) as TweakParams,
          appliedAt: row.applied_at,
          appliedBy: row.applied_by,
          writes: states,
          inForce: states.every((s) => s.inForce),
        };
      }),
    );
  }

  /** Put back the values saved before apply (only where the value is still ours: a value changed since is left alone). */
  async revert(appliedId: number, by: string): Promise<{ id: number; restored: string[]; skipped: string[] }> {
    const row = this.db.prepare('SELECT * FROM tuning_applied WHERE id = ? AND reverted_at IS NULL').get(appliedId) as AppliedRow | undefined;
    if (!row) throw new TuningError('not-found', `No applied tweak #${appliedId} (already reverted?).`);
    const writes = JSON.parse(row.writes) as PlannedWrite[];
    const facts = this.facts();
    const restored: string[] = [];
    const skipped: string[] = [];
    const failures: string[] = [];
    for (const w of [...writes].reverse()) {
      if (w.kind !== 'hold') {
        const current = await readCurrent(facts, w);
        if (current === null) {
          skipped.push(`${describeTarget(w)}: gone`);
          continue;
        }
        if (!sameValue(w.path, current, w.new)) {
          skipped.push(`${describeTarget(w)}: changed since to ${current}`);
          continue;
        }
      } else if (this.hold?.appliedId !== row.id) {
        skipped.push('/dev/cpu_dma_latency: no longer held');
        continue;
      }
      try {
        await this.undo(w);
        restored.push(`${describeTarget(w)} = ${w.old}`);
      } catch (err) {
        failures.push(`${describeTarget(w)}: ${(err as Error).message}`);
      }
    }
    if (failures.length > 0) throw new TuningError('write-failed', `Could not revert everything: ${failures.join('; ')}`);
    this.db.prepare('UPDATE tuning_applied SET reverted_at = ?, reverted_by = ? WHERE id = ?').run(Date.now(), by, appliedId);
    this.log.info({ id: appliedId, tweak: row.tweak, by }, 'tweak reverted');
    return { id: appliedId, restored, skipped };
  }

  /** Revert every applied tweak, newest first. */
  async revertAll(by: string): Promise<{ id: number; restored: string[]; skipped: string[] }[]> {
    const out = [];
    for (const row of this.activeRows().reverse()) out.push(await this.revert(row.id, by));
    return out;
  }

  /** "Make permanent": the NixOS snippet for the applied tweaks (or for one planned tweak). */
  async permanent(only?: { tweak: string; params: TweakParams }): Promise<string> {
    if (only) {
      const plan = await this.plan(only.tweak, only.params);
      return nixosSnippet([{ tweak: plan.tweak, params: plan.params }]);
    }
    return nixosSnippet(this.activeRows().map((r) => ({ tweak: r.tweak as TweakId, params: JSON.parse(r.params) as TweakParams })));
  }

  // ------------------------------------------------------------------------------------------------ cyclictest

  /** Check and complete benchmark parameters: CPUs must exist on this machine (cyclictest runs here, not in a tree). */
  benchmarkParams(input: { durationS?: number; priority?: number; cpus?: string }): BenchmarkParams {
    const durationS = input.durationS ?? 10;
    const priority = input.priority ?? 95;
    if (!Number.isInteger(durationS) || durationS < 1 || durationS > 3600) throw new TuningError('invalid-input', 'The duration must be 1-3600 seconds.');
    if (!Number.isInteger(priority) || priority < 1 || priority > 99) throw new TuningError('invalid-input', 'The priority must be 1-99.');
    const online = Array.from({ length: os.availableParallelism() }, (_, i) => i);
    let cpus = online;
    if (input.cpus && input.cpus.trim()) {
      try {
        cpus = parseCpuList(input.cpus);
      } catch (err) {
        if (err instanceof CpuListError) throw new TuningError('invalid-input', `Bad CPU list: ${err.message}.`);
        throw err;
      }
      const unknown = cpus.filter((c) => !online.includes(c));
      if (unknown.length > 0) throw new TuningError('invalid-input', `CPU ${formatCpuList(unknown)} does not exist here (CPUs: ${formatCpuList(online)}).`);
      if (cpus.length === 0) throw new TuningError('invalid-input', 'Choose at least one CPU.');
    }
    return { durationS, priority, cpus, histogramUs: 400, intervalUs: 1000 };
  }

  get benchmarkRunning(): BenchmarkRun | null {
    return this.bench?.run ?? null;
  }

  get benchmarkProgress(): BenchmarkProgress | null {
    return this.bench?.progress ?? null;
  }

  /** Start a run; refuses a second one. Resolves when it has started; `done` resolves when it ends. */
  async startBenchmark(input: { durationS?: number; priority?: number; cpus?: string; label?: string }): Promise<{ run: BenchmarkRun; done: Promise<BenchmarkRun> }> {
    if (this.bench) throw new TuningError('conflict', `A cyclictest run (#${this.bench.run.id}) is already going: wait for it or cancel it.`);
    const params = this.benchmarkParams(input);
    const label = (input.label ?? '').slice(0, 80);
    const startedAt = Date.now();
    const id = Number(this.db.prepare(`INSERT INTO tuning_benchmarks (started_at, params, status, label) VALUES (?, ?, 'running', ?)`).run(startedAt, JSON.stringify(params), label).lastInsertRowid);
    const run: BenchmarkRun = { id, startedAt, finishedAt: null, params, status: 'running', result: null, error: null, label };
    const lines: string[] = [];
    const threads = new Map<number, ThreadProgress>();
    let resolveDone!: (r: BenchmarkRun) => void;
    const done = new Promise<BenchmarkRun>((r) => (resolveDone = r));
    const state = { run, child: null as StreamingChild | null, progress: { runId: id, elapsedS: 0, durationS: params.durationS, threads: [] } as BenchmarkProgress, cancelled: false, done };
    this.bench = state;
    let lastEmit = 0;
    const onLine = (line: string) => {
      const t = parseStatusLine(line, params.cpus);
      if (!t) {
        if (lines.length < 20_000) lines.push(line);
        return;
      }
      threads.set(t.thread, t);
      const now = Date.now();
      state.progress = { runId: id, elapsedS: Math.min(params.durationS, (now - startedAt) / 1000), durationS: params.durationS, threads: [...threads.values()].sort((a, b) => a.thread - b.thread) };
      if (now - lastEmit >= 200) {
        lastEmit = now;
        for (const l of this.progressListeners) l(state.progress);
      }
    };
    try {
      state.child = await this.exec.stream('cyclictest', cyclictestArgs(params), { onLine });
    } catch (err) {
      this.bench = null;
      this.finishRun(run, 'failed', null, (err as Error).message);
      resolveDone(run);
      throw new TuningError('unavailable', (err as Error).message);
    }
    void state.child.exited.then((exit) => {
      const result = parseHistogram(lines, params.cpus, params.histogramUs);
      const ok = result !== null && (exit.code === 0 || state.cancelled);
      const error = ok ? null : (exit.stderr.trim().split('\n').at(-1) || `cyclictest exited with ${exit.code ?? exit.signal}`);
      this.finishRun(run, state.cancelled ? 'cancelled' : ok ? 'done' : 'failed', result, error);
      this.bench = null;
      for (const l of this.progressListeners) l(run);
      resolveDone(run);
    });
    return { run, done };
  }

  private finishRun(run: BenchmarkRun, status: BenchmarkRun['status'], result: BenchmarkResult | null, error: string | null) {
    run.status = status;
    run.result = result;
    run.error = error;
    run.finishedAt = Date.now();
    this.db.prepare('UPDATE tuning_benchmarks SET status = ?, result = ?, error = ?, finished_at = ? WHERE id = ?').run(status, result ? JSON.stringify(result) : null, error, run.finishedAt, run.id);
  }

  async cancelBenchmark(): Promise<BenchmarkRun> {
    const state = this.bench;
    if (!state) throw new TuningError('not-found', 'No cyclictest run is going.');
    state.cancelled = true;
    await state.child?.stop();
    return state.done;
  }

  history(limit = 20): BenchmarkRun[] {
    const rows = this.db.prepare('SELECT * FROM tuning_benchmarks ORDER BY id DESC LIMIT ?').all(limit) as BenchRow[];
    return rows.map((r) => ({
      id: r.id,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      params: JSON.parse(r.params) as BenchmarkParams,
      status: r.status,
      result: r.result ? (JSON.parse(r.result) as BenchmarkResult) : null,
      error: r.error,
      label: r.label,
    }));
  }

  /** Progress while a run goes, then the finished run; newest value only, no backlog. */
  async *watchBenchmark(signal: AbortSignal): AsyncGenerator<{ type: 'progress'; progress: BenchmarkProgress } | { type: 'finished'; run: BenchmarkRun } | { type: 'idle' }> {
    let pending: BenchmarkProgress | BenchmarkRun | null = this.bench?.progress ?? null;
    let wake: (() => void) | null = null;
    const listener = (p: BenchmarkProgress | BenchmarkRun) => {
      pending = p;
      wake?.();
    };
    this.progressListeners.add(listener);
    const aborted = new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    try {
      if (!pending) yield { type: 'idle' };
      while (!signal.aborted) {
        if (!pending) {
          await Promise.race([new Promise<void>((resolve) => (wake = resolve)), aborted]);
          wake = null;
          continue;
        }
        const item: BenchmarkProgress | BenchmarkRun = pending;
        pending = null;
        yield 'runId' in item ? { type: 'progress', progress: item } : { type: 'finished', run: item };
      }
    } finally {
      this.progressListeners.delete(listener);
    }
  }

  /** Round-trip latency with jack_iodelay over a loopback path (one measurement at a time, not during cyclictest). */
  async roundTrip(input: { playback?: string; capture?: string; seconds?: number }): Promise<RoundTripResult> {
    if (this.bench) throw new TuningError('conflict', 'A cyclictest run is going: measure the round trip after it.');
    if (this.measuringRoundTrip) throw new TuningError('conflict', 'A round-trip measurement is already going.');
    this.measuringRoundTrip = true;
    try {
      return await measureRoundTrip(this.exec, input);
    } finally {
      this.measuringRoundTrip = false;
    }
  }

  private measuringRoundTrip = false;

  /** End a running cyclictest and release a held /dev/cpu_dma_latency (server shutdown). */
  async close(): Promise<void> {
    if (this.bench) await this.cancelBenchmark().catch(() => undefined);
    await this.releaseHold().catch(() => undefined);
  }
}
