import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HostRoot } from '../host-root';
import { CHECK_IDS, runChecks, type ClockProvider } from './checks';
import { layMachine, type MachineName } from './fixtures/machines';
import { HostFacts } from './host-facts';
import type { CheckStatus } from './types';

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

async function verdicts(machine: MachineName, opts: Parameters<typeof runChecks>[1] = {}) {
  const root = layMachine(machine);
  roots.push(root);
  const results = await runChecks(new HostFacts(new HostRoot(root), { uid: 1000 }), opts);
  return { root, results, status: Object.fromEntries(results.map((r) => [r.id, r.status])) as Record<string, CheckStatus> };
}

// Every verdict on every machine: a change in any check shows up here.
const EXPECTED: Record<MachineName, Record<string, CheckStatus>> = {
  'rt-box': {
    'preempt-rt': 'pass', threadirqs: 'pass', 'kernel-config': 'pass', 'high-res-timers': 'pass', tickless: 'pass',
    governor: 'pass', smt: 'pass', 'cpu-isolation': 'pass', 'c-states': 'pass', mitigations: 'pass',
    'irq-sharing': 'pass', 'irq-threads': 'pass', 'irq-affinity': 'pass',
    swappiness: 'pass', inotify: 'pass',
    'running-user': 'pass', 'audio-group-limits': 'pass', 'rt-priority': 'pass', 'cpu-dma-latency': 'pass',
    'usb-autosuspend': 'pass', 'timer-freq': 'pass', filesystems: 'pass', 'pipewire-clock': 'unknown',
  },
  laptop: {
    'preempt-rt': 'fail', threadirqs: 'fail', 'kernel-config': 'pass', 'high-res-timers': 'pass', tickless: 'pass',
    governor: 'fail', smt: 'warn', 'cpu-isolation': 'warn', 'c-states': 'warn', mitigations: 'warn',
    'irq-sharing': 'fail', 'irq-threads': 'fail', 'irq-affinity': 'warn',
    swappiness: 'fail', inotify: 'warn',
    'running-user': 'pass', 'audio-group-limits': 'fail', 'rt-priority': 'fail', 'cpu-dma-latency': 'fail',
    'usb-autosuspend': 'warn', 'timer-freq': 'warn', filesystems: 'warn', 'pipewire-clock': 'unknown',
  },
  vm: {
    'preempt-rt': 'fail', threadirqs: 'fail', 'kernel-config': 'unknown', 'high-res-timers': 'unknown', tickless: 'unknown',
    governor: 'na', smt: 'na', 'cpu-isolation': 'warn', 'c-states': 'na', mitigations: 'warn',
    'irq-sharing': 'unknown', 'irq-threads': 'unknown', 'irq-affinity': 'unknown',
    swappiness: 'pass', inotify: 'warn',
    'running-user': 'pass', 'audio-group-limits': 'fail', 'rt-priority': 'pass', 'cpu-dma-latency': 'unknown',
    'usb-autosuspend': 'na', 'timer-freq': 'na', filesystems: 'warn', 'pipewire-clock': 'unknown',
  },
};

describe('checks over machine trees', () => {
  for (const machine of ['rt-box', 'laptop', 'vm'] as const) {
    it(`gives every expected verdict on the ${machine}`, async () => {
      const { status, results } = await verdicts(machine);
      expect(status).toEqual(EXPECTED[machine]);
      for (const r of results) {
        expect(r.summary.length, r.id).toBeGreaterThan(5);
        expect(r.why, r.id).toMatch(/\.$/);
        expect(r.link, r.id).toMatch(/^https:\/\//);
        // every verdict but "unknown from a missing provider" shows what it read
        if (r.id !== 'pipewire-clock') expect(r.evidence.length, r.id).toBeGreaterThan(0);
        if (r.status === 'fail' || r.status === 'warn') expect(r.fix, `${machine} ${r.id} has a fix`).toBeDefined();
      }
    });
  }

  it('covers every check in the table', () => {
    expect(Object.keys(EXPECTED['rt-box']).sort()).toEqual([...CHECK_IDS].sort());
  });

  it('never throws on an empty tree: unknown or not applicable, with a reason', async () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'tuning-empty-'));
    roots.push(empty);
    const results = await runChecks(new HostFacts(new HostRoot(empty), { uid: 1000 }));
    expect(results).toHaveLength(CHECK_IDS.length);
    for (const r of results) expect(r.summary, r.id).not.toMatch(/could not finish/);
  });

  it('shows the evidence it read, file and value', async () => {
    const { results } = await verdicts('laptop');
    const gov = results.find((r) => r.id === 'governor')!;
    expect(gov.evidence[0]).toEqual({ source: '/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor', value: 'powersave' });
    expect(gov.fix?.tweak).toEqual({ id: 'governor', params: { governor: 'performance' }, label: expect.any(String) });
    expect(gov.fix?.nixos).toBe('archibald.rtAudio.cpu.governor = "performance";');
    const shared = results.find((r) => r.id === 'irq-sharing')!;
    expect(shared.summary).toContain('IRQ 16 (i801_smbus, xhci_hcd)');
    const threads = results.find((r) => r.id === 'irq-threads')!;
    expect(threads.summary).toMatch(/threadirqs/);
  });

  it('flags SMT on (rtcqs passes it: it tests the string "1" for emptiness)', async () => {
    const { results } = await verdicts('laptop');
    expect(results.find((r) => r.id === 'smt')!.evidence[0]).toEqual({ source: '/sys/devices/system/cpu/smt/active', value: '1' });
  });

  it('asks the audio domain for the clock in force when it is connected', async () => {
    const clock = (rate: number, quantum: number): ClockProvider => ({ clockInForce: async () => ({ rate, quantum, source: 'pipewire settings metadata' }) });
    expect((await verdicts('rt-box', { clock: clock(48000, 64) })).status['pipewire-clock']).toBe('pass');
    expect((await verdicts('rt-box', { clock: clock(48000, 1024) })).status['pipewire-clock']).toBe('warn');
    const down: ClockProvider = { clockInForce: async () => null };
    const r = (await verdicts('rt-box', { clock: down })).results.find((x) => x.id === 'pipewire-clock')!;
    expect(r.status).toBe('unknown');
    expect(r.summary).toMatch(/not running/);
  });

  it('treats a held /dev/cpu_dma_latency as keeping CPUs out of deep C-states', async () => {
    expect((await verdicts('laptop', { dmaLatencyHeld: true })).status['c-states']).toBe('pass');
  });

  it('warns when the three isolation lists disagree', async () => {
    const { root } = await verdicts('rt-box');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path.join(root, 'proc/cmdline'), 'threadirqs isolcpus=domain,managed_irq,2-3 nohz_full=3 rcu_nocbs=2-3\n');
    const results = await runChecks(new HostFacts(new HostRoot(root), { uid: 1000 }));
    const iso = results.find((r) => r.id === 'cpu-isolation')!;
    expect(iso.status).toBe('warn');
    expect(iso.summary).toMatch(/different cores/);
  });

  it('warns about running as root', async () => {
    const root = layMachine('rt-box');
    roots.push(root);
    const results = await runChecks(new HostFacts(new HostRoot(root), { uid: 0 }));
    expect(results.find((r) => r.id === 'running-user')!.status).toBe('warn');
  });
});
