import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/database';
import { createRunner } from '../exec';
import { HostRoot } from '../host-root';
import { TuningError } from './errors';
import { layMachine, type MachineName } from './fixtures/machines';
import { TuningService } from './service';
import { HostTreeWriter } from './writer';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function setup(machine: MachineName = 'laptop') {
  const root = layMachine(machine);
  const dataDir = layMachine('vm'); // any fresh folder will do for the database
  const db = openDatabase(path.join(dataDir, 'data'));
  const host = new HostRoot(root);
  const exec = createRunner({ allow: ['cyclictest', 'sudo', 'archibald-helper'], path: process.env.PATH ?? '/usr/bin:/bin' });
  const writer = new HostTreeWriter(host);
  const tuning = new TuningService({ host, exec, db, log: pino({ level: 'silent' }), writer, self: { uid: 1000 }, canHold: true });
  cleanups.push(async () => {
    await tuning.close();
    db.close();
    rmSync(root, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });
  const file = (p: string) => readFileSync(path.join(root, p), 'utf8').trim();
  return { root, tuning, writer, db, file };
}

const statusOf = async (t: TuningService, id: string) => (await t.check()).results.find((r) => r.id === id)!.status;

describe('tweaks: dry run, apply, revert', () => {
  it('plans the exact writes without changing anything', async () => {
    const { tuning, file, writer } = setup();
    const plan = await tuning.plan('swappiness', { value: 10 });
    expect(plan.writes).toEqual([{ kind: 'file', path: '/proc/sys/vm/swappiness', old: '60', new: '10' }]);
    expect(file('/proc/sys/vm/swappiness')).toBe('60');
    expect(writer.calls).toEqual([]);
  });

  it('applies the fix a check suggests, the check turns to pass, and revert restores the saved value', async () => {
    const { tuning, file, writer } = setup();
    expect(await statusOf(tuning, 'governor')).toBe('fail');
    const fix = (await tuning.check()).results.find((r) => r.id === 'governor')!.fix!.tweak!;
    const applied = await tuning.apply(fix.id, fix.params, 'test admin');
    expect(applied.writes).toHaveLength(8);
    expect(applied.inForce).toBe(true);
    expect(file('/sys/devices/system/cpu/cpu5/cpufreq/scaling_governor')).toBe('performance');
    expect(writer.calls[0]).toBe('write /sys/devices/system/cpu/cpu0/cpufreq/scaling_governor performance');
    expect(await statusOf(tuning, 'governor')).toBe('pass');
    expect((await tuning.applied()).map((a) => a.tweak)).toEqual(['governor']);

    const reverted = await tuning.revert(applied.id, 'test admin');
    expect(reverted.restored).toHaveLength(8);
    expect(file('/sys/devices/system/cpu/cpu5/cpufreq/scaling_governor')).toBe('powersave');
    expect(await statusOf(tuning, 'governor')).toBe('fail');
    expect(await tuning.applied()).toEqual([]);
  });

  it('round-trips every file tweak on the laptop and reads the state back, not assumed', async () => {
    const { tuning, file } = setup();
    const cases: [string, Record<string, unknown>, string, string, string][] = [
      ['swappiness', { value: 5 }, '/proc/sys/vm/swappiness', '5', '60'],
      ['inotify', {}, '/proc/sys/fs/inotify/max_user_watches', '524288', '65536'],
      ['timer-freq', {}, '/sys/class/rtc/rtc0/max_user_freq', '2048', '64'],
      ['usb-autosuspend', {}, '/sys/bus/usb/devices/1-3/power/control', 'on', 'auto'],
      ['irq-affinity', { cpus: '6,7' }, '/proc/irq/130/smp_affinity_list', '6-7', '0-7'],
    ];
    for (const [id, params, p, after, before] of cases) {
      expect(file(p), id).toBe(before);
      const applied = await tuning.apply(id, params as never, 'admin');
      expect(file(p), id).toBe(after);
      expect(applied.inForce, id).toBe(true);
    }
    // the camera (not an audio interface) was left alone
    expect(file('/sys/bus/usb/devices/1-1/power/control')).toBe('auto');
    // someone changes a value behind our back: the list says so
    writeFileSync(path.join(setupRoot(tuning), '/proc/sys/vm/swappiness'), '30\n');
    const swap = (await tuning.applied()).find((a) => a.tweak === 'swappiness')!;
    expect(swap.inForce).toBe(false);
    expect(swap.writes[0].current).toBe('30');
    const results = await tuning.revertAll('admin');
    expect(results.find((r) => r.skipped.some((s) => s.includes('changed since to 30')))).toBeDefined();
    for (const [id, , p, , before] of cases) if (id !== 'swappiness') expect(file(p), id).toBe(before);
    expect(file('/proc/sys/vm/swappiness')).toBe('30');
  });

  it('sets the PCI latency timer byte and puts it back', async () => {
    const { tuning, root } = setup('rt-box');
    const byte = () => readFileSync(path.join(root, '/sys/bus/pci/devices/0000:00:1f.3/config'))[0x0d];
    const applied = await tuning.apply('pci-latency', { value: 'ff' }, 'admin');
    expect(applied.writes[0]).toMatchObject({ kind: 'pci-latency', slot: '0000:00:1f.3', old: '40', new: 'ff', current: 'ff' });
    expect(byte()).toBe(0xff);
    await tuning.revert(applied.id, 'admin');
    expect(byte()).toBe(0x40);
  });

  it('chrts named processes and IRQ threads, and restores their old policy', async () => {
    const { tuning, writer } = setup('rt-box');
    const applied = await tuning.apply('chrt', { names: ['ardour'], priority: 80 }, 'admin');
    expect(writer.calls).toEqual(['chrt fifo 80 900']);
    expect(applied.writes[0]).toMatchObject({ kind: 'chrt', pid: 900, old: 'other 0', new: 'fifo 80', current: 'fifo 80' });
    await tuning.revert(applied.id, 'admin');
    expect(writer.calls.at(-1)).toBe('chrt other 0 900');
    await expect(tuning.plan('chrt', { names: ['no-such-daw'] })).rejects.toThrow(/No running process/);
    await expect(tuning.plan('chrt', { names: ['x; rm -rf /'] })).rejects.toThrow(/Not a process name/);
  });

  it('holds /dev/cpu_dma_latency at 0 and lets go on revert', async () => {
    const { tuning, root } = setup('rt-box');
    const value = () => readFileSync(path.join(root, '/dev/cpu_dma_latency')).readInt32LE(0);
    expect(value()).toBe(2000000000);
    const applied = await tuning.apply('cpu-dma-latency', {}, 'admin');
    expect(value()).toBe(0);
    expect(applied.inForce).toBe(true);
    expect(tuning.holdingDmaLatency).toBe(true);
    await tuning.revert(applied.id, 'admin');
    expect(tuning.holdingDmaLatency).toBe(false);
    expect(value()).toBe(2000000000);
  });

  it('refuses bad values and CPUs that do not exist, and changes nothing', async () => {
    const { tuning, writer } = setup();
    await expect(tuning.plan('irq-affinity', { cpus: '8' })).rejects.toThrow(/CPU 8 does not exist here \(online: 0-7\)/);
    await expect(tuning.plan('irq-affinity', { cpus: '3-1' })).rejects.toThrow(/backwards/);
    await expect(tuning.plan('irq-affinity', { cpus: '2', irqs: ['131'] })).rejects.toThrow(/not a sound or USB IRQ/);
    await expect(tuning.plan('swappiness', { value: 500 })).rejects.toThrow(/0 to 200/);
    await expect(tuning.plan('governor', { governor: 'turbo' })).rejects.toThrow(/Unknown governor/);
    await expect(tuning.plan('nonsense', {})).rejects.toThrow(TuningError);
    expect(writer.calls).toEqual([]);
  });

  it('refuses to stack two tweaks on one file and says which to revert', async () => {
    const { tuning } = setup();
    const first = await tuning.apply('swappiness', { value: 10 }, 'admin');
    await expect(tuning.apply('swappiness', { value: 10 }, 'admin')).rejects.toThrow(/Nothing to change/);
    await expect(tuning.apply('swappiness', { value: 5 }, 'admin')).rejects.toThrow(new RegExp(`tweak #${first.id}`));
  });

  it('says not applicable tweaks are unavailable on a VM', async () => {
    const { tuning } = setup('vm');
    await expect(tuning.plan('governor', {})).rejects.toThrow(/No cpufreq/);
    await expect(tuning.plan('timer-freq', {})).rejects.toThrow(/No RTC or HPET/);
  });

  it('rolls back the writes already done when one fails', async () => {
    const { tuning, root, file } = setup();
    // cpu3's governor file vanishes between the plan and the write
    const real = tuning.writer.write.bind(tuning.writer);
    tuning.writer.write = async (p: string, v: string) => {
      if (p.includes('cpu3/')) rmSync(path.join(root, p));
      return real(p, v);
    };
    await expect(tuning.apply('governor', {}, 'admin')).rejects.toThrow(/No such file/);
    expect(file('/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor')).toBe('powersave');
    expect(await tuning.applied()).toEqual([]);
  });

  it('writes the NixOS snippet for the applied tweaks', async () => {
    const { tuning } = setup();
    await tuning.apply('governor', {}, 'admin');
    await tuning.apply('swappiness', { value: 10 }, 'admin');
    expect(await tuning.permanent()).toBe('archibald.rtAudio.cpu.governor = "performance";\narchibald.rtAudio.swappiness = 10;');
  });
});

function setupRoot(t: TuningService) {
  return t.host.root;
}

describe('cyclictest', () => {
  it('runs for real, reports progress, per-CPU latencies and a histogram, and keeps the history', async () => {
    const { tuning } = setup();
    const progress: number[] = [];
    const ac = new AbortController();
    const watching = (async () => {
      for await (const e of tuning.watchBenchmark(ac.signal)) {
        if (e.type === 'progress') progress.push(e.progress.threads.length);
        if (e.type === 'finished') break;
      }
    })();
    const { done } = await tuning.startBenchmark({ durationS: 2, priority: 80, cpus: '0', label: 'before' });
    await expect(tuning.startBenchmark({ durationS: 1 })).rejects.toThrow(/already going/);
    const run = await done;
    await watching;
    expect(run.status, run.error ?? '').toBe('done');
    expect(run.result!.perCpu).toHaveLength(1);
    const cpu0 = run.result!.perCpu[0];
    expect(cpu0.cpu).toBe(0);
    expect(cpu0.cycles).toBeGreaterThan(1000);
    expect(cpu0.max).toBeGreaterThanOrEqual(cpu0.avg);
    expect(cpu0.avg).toBeGreaterThanOrEqual(cpu0.min);
    // every cycle is in a bucket or an overflow, exactly
    const counted = run.result!.histogram[0].reduce((a, b) => a + b, 0) + cpu0.overflows;
    expect(counted).toBe(cpu0.cycles);
    expect(progress.length).toBeGreaterThan(0);
    expect(tuning.history().map((h) => [h.id, h.status, h.label])).toEqual([[run.id, 'done', 'before']]);
  });

  it('stops cleanly on cancel and keeps what it measured', async () => {
    const { tuning } = setup();
    const { run } = await tuning.startBenchmark({ durationS: 60, priority: 80 });
    await new Promise((r) => setTimeout(r, 700));
    const ended = await tuning.cancelBenchmark();
    expect(ended.id).toBe(run.id);
    expect(ended.status).toBe('cancelled');
    expect(tuning.benchmarkRunning).toBeNull();
    expect(ended.finishedAt! - ended.startedAt).toBeLessThan(10_000);
  });

  it('ends a running test on close (server shutdown)', async () => {
    const { tuning } = setup();
    const { done } = await tuning.startBenchmark({ durationS: 60, priority: 80 });
    await new Promise((r) => setTimeout(r, 300));
    await tuning.close();
    expect((await done).status).toBe('cancelled');
  });

  it('refuses CPUs this machine does not have', () => {
    const { tuning } = setup();
    expect(() => tuning.benchmarkParams({ cpus: `${os.availableParallelism()}` })).toThrow(/does not exist here/);
    expect(() => tuning.benchmarkParams({ durationS: 0 })).toThrow(/1-3600/);
  });
});
