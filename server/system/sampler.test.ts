import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { createRunner } from '../exec';
import { HostRoot } from '../host-root';
import { SystemSampler } from './sampler';

let root: string;

async function put(file: string, content: string) {
  await mkdir(path.dirname(path.join(root, file)), { recursive: true });
  await writeFile(path.join(root, file), content);
}

const netDev = (rx: number, tx: number) =>
  `Inter-|   Receive |  Transmit\n face |bytes packets errs drop fifo frame compressed multicast|bytes packets\n  eth0: ${rx} 1 0 0 0 0 0 0 ${tx} 1 0 0 0 0 0 0\n`;

// A tree laid out like an RT box: PREEMPT_RT kernel, coretemp hwmon, one NIC.
beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'sampler-'));
  await put('/proc/sys/kernel/hostname', 'archibald\n');
  await put('/proc/sys/kernel/osrelease', '6.6.30-rt30\n');
  await put('/proc/version', 'Linux version 6.6.30-rt30 (nixbld@localhost) #1-NixOS SMP PREEMPT_RT Tue Jan  1 00:00:00 UTC 1980\n');
  await put('/sys/kernel/realtime', '1\n');
  await put('/proc/cpuinfo', 'processor\t: 0\nmodel name\t: AMD Ryzen 7 5800X\n\nprocessor\t: 1\nmodel name\t: AMD Ryzen 7 5800X\n');
  await put('/proc/loadavg', '0.50 0.40 0.30 1/200 999\n');
  await put('/proc/uptime', '3600.12 7000.00\n');
  await put('/proc/net/dev', netDev(1000, 500));
  await put('/proc/stat', 'cpu  100 0 100 800 0 0 0 0 0 0\ncpu0 50 0 50 400 0 0 0 0 0 0\ncpu1 50 0 50 400 0 0 0 0 0 0\n');
  await put('/proc/meminfo', 'MemTotal:       16000000 kB\nMemFree:         2000000 kB\nMemAvailable:   12000000 kB\nSwapTotal:       1000000 kB\nSwapFree:         750000 kB\n');
  await put('/sys/class/hwmon/hwmon0/name', 'coretemp\n');
  await put('/sys/class/hwmon/hwmon0/temp1_input', '45500\n');
  await put('/sys/class/hwmon/hwmon0/temp1_label', 'Package id 0\n');
  await put('/sys/class/hwmon/hwmon0/temp2_input', '-273000\n'); // a broken sensor is left out
});

describe('system sampler', () => {
  it('starts no process while sampling (checked in a fresh Node process that counts child_process calls)', async () => {
    // Patch child_process before systeminformation loads, so any spawn it (or we) make is counted.
    const script = `
      import cp from 'node:child_process';
      let calls = 0;
      for (const k of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork']) {
        const orig = cp[k];
        cp[k] = (...args) => { calls++; return orig(...args); };
      }
      const { SystemSampler } = await import('./server/system/sampler.ts');
      const { HostRoot } = await import('./server/host-root.ts');
      const sampler = new SystemSampler(new HostRoot('/'));
      for (let i = 0; i < 20; i++) await sampler.sample();
      console.log(JSON.stringify({ calls }));`;
    // The fresh process is started through the console's own runner: the one place allowed to start processes.
    const node = createRunner({ allow: [process.execPath], path: '/usr/bin:/bin' });
    const { stdout: out } = await node.run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      timeoutMs: 30_000,
      cwd: path.resolve(__dirname, '../..'),
    });
    expect(JSON.parse(out.trim().split('\n').at(-1)!)).toEqual({ calls: 0 });
  });

  it('reports static facts, including the PREEMPT_RT kernel', async () => {
    const info = await new SystemSampler(new HostRoot(root)).info();
    expect(info).toEqual({ hostname: 'archibald', kernel: '6.6.30-rt30', realtime: true, preempt: 'PREEMPT_RT', cpuModel: 'AMD Ryzen 7 5800X', cores: 2 });
  });

  it('says unknown, not crash, on a tree with nothing in it', async () => {
    const empty = await mkdtemp(path.join(os.tmpdir(), 'sampler-empty-'));
    const sampler = new SystemSampler(new HostRoot(empty));
    expect((await sampler.info()).kernel).toBe('unknown');
    const sample = await sampler.sample();
    expect(sample.temps).toEqual([]);
    expect(sample.load).toEqual([0, 0, 0]);
  });

  it('samples per-core CPU, memory, load, temperatures and network rates', async () => {
    const sampler = new SystemSampler(new HostRoot(root));
    const first = await sampler.sample();
    expect(first.cpu.cores).toEqual([0, 0]); // no time passed on the fixture's counters yet
    expect(first.cpu.mhz).toHaveLength(os.cpus().length); // clocks come from the real machine (os.cpus())
    expect(first.mem).toEqual({ total: 16000000 * 1024, used: 4000000 * 1024, available: 12000000 * 1024, swapTotal: 1000000 * 1024, swapUsed: 250000 * 1024 });
    expect(first.load).toEqual([0.5, 0.4, 0.3]);
    expect(first.uptime).toBe(3600);
    expect(first.temps).toEqual([{ label: 'coretemp Package id 0', celsius: 45.5 }]);
    expect(first.net).toEqual({ rxBps: 0, txBps: 0 });
    await new Promise((r) => setTimeout(r, 200));
    await put('/proc/net/dev', netDev(1000 + 200_000, 500 + 20_000));
    await put('/proc/stat', 'cpu  250 0 150 900 100 0 0 0 0 0\ncpu0 150 0 100 450 0 0 0 0 0 0\ncpu1 100 0 50 450 100 0 0 0 0 0\n');
    const second = await sampler.sample();
    expect(second.cpu).toMatchObject({ total: 50, cores: [75, 25] });
    const seconds = (second.t - first.t) / 1000;
    expect(second.net.rxBps).toBeCloseTo(200_000 / seconds, -2);
    expect(second.net.txBps).toBeCloseTo(20_000 / seconds, -2);
  });

  it('runs only while someone listens, at each listener rate', async () => {
    const sampler = new SystemSampler(new HostRoot(root));
    expect(sampler.running).toBe(false);
    const fast: number[] = [];
    const slow: number[] = [];
    const stopFast = sampler.subscribe((s) => fast.push(s.t), 100);
    const stopSlow = sampler.subscribe((s) => slow.push(s.t), 500);
    expect(sampler.running).toBe(true);
    await new Promise((r) => setTimeout(r, 1050));
    stopFast();
    stopSlow();
    expect(sampler.running).toBe(false);
    expect(fast.length).toBeGreaterThanOrEqual(8);
    expect(fast.length).toBeLessThanOrEqual(12);
    expect(slow.length).toBeGreaterThanOrEqual(2);
    expect(slow.length).toBeLessThanOrEqual(3);
    const taken = sampler.samplesTaken;
    await new Promise((r) => setTimeout(r, 300));
    expect(sampler.samplesTaken).toBe(taken); // stopped: no sampling without listeners
  });

  it('streams the newest sample to a congested client instead of queueing', async () => {
    const sampler = new SystemSampler(new HostRoot(root));
    const controller = new AbortController();
    let congested = false;
    const got: number[] = [];
    const consumer = (async () => {
      for await (const s of sampler.stream(10, controller.signal, () => congested)) got.push(s.t);
    })();
    await new Promise((r) => setTimeout(r, 450));
    const beforeStall = got.length;
    congested = true;
    await new Promise((r) => setTimeout(r, 500));
    expect(got.length).toBe(beforeStall); // nothing sent, nothing queued
    congested = false;
    await new Promise((r) => setTimeout(r, 250));
    controller.abort();
    await consumer;
    expect(beforeStall).toBeGreaterThanOrEqual(3);
    expect(got.length - beforeStall).toBeLessThanOrEqual(3); // after the stall: fresh samples, not a backlog of 5
    expect(got.at(-1)! - got[beforeStall]).toBeLessThan(400);
    expect(sampler.running).toBe(false);
  });

  it('keeps a one-per-second history while sampling', async () => {
    const sampler = new SystemSampler(new HostRoot(root));
    const stop = sampler.subscribe(() => undefined, 100);
    await new Promise((r) => setTimeout(r, 2200));
    stop();
    const history = sampler.recentHistory();
    expect(history.length).toBeGreaterThanOrEqual(2);
    expect(history.length).toBeLessThanOrEqual(3);
    expect(history[1].t - history[0].t).toBeGreaterThanOrEqual(1000);
  });
});
