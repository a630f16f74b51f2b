// Shared helpers for benchmarks: start the production console, read a process's CPU and memory from /proc.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const root = path.resolve(import.meta.dirname, '..');
const TICKS = 100; // USER_HZ on Linux

/** CPU seconds of a process and its reaped children, and its resident memory in MB, from /proc (measured from outside). */
export function procStats(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime + stime, plus cutime + cstime: the CPU of children it started and reaped, so work pushed into a
  // child process per sample is counted against the console too.
  const cpuSeconds = (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / TICKS;
  const rss = Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)[1]) / 1024;
  return { cpuSeconds, rssMb: rss };
}

/** Sample a process every second for `seconds`: CPU % of one core over the window, and max/last RSS. */
export async function watch(pid, seconds) {
  const start = procStats(pid);
  const t0 = performance.now();
  let maxRss = start.rssMb;
  for (let i = 0; i < seconds; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    maxRss = Math.max(maxRss, procStats(pid).rssMb);
  }
  const end = procStats(pid);
  const wall = (performance.now() - t0) / 1000;
  return { cpuPercent: ((end.cpuSeconds - start.cpuSeconds) / wall) * 100, maxRssMb: maxRss, rssMb: end.rssMb };
}

/** `env` adds variables for the console (e.g. ARCHIBALD_PIPEWIRE_RUNTIME_DIR for a test PipeWire). */
export async function startConsole(port, env = {}) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'archibald-bench-'));
  const child = spawn(process.execPath, [path.join(root, 'build', 'server.mjs')], {
    cwd: root,
    env: { ...process.env, NODE_ENV: 'production', ARCHIBALD_PORT: String(port), ARCHIBALD_BIND: '127.0.0.1', ARCHIBALD_DATA_DIR: dataDir, ARCHIBALD_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    if (await fetch(`${url}/api/trpc/auth.status`).then((r) => r.ok, () => false)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const token = out.match(/\/pair#(\S+)/)?.[1];
  if (!token) throw new Error(`console printed no pairing link:\n${out}`);
  const res = await fetch(`${url}/api/trpc/auth.pair`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: url },
    body: JSON.stringify({ token, deviceName: 'bench' }),
  });
  const cookie = res.headers.get('set-cookie').split(';')[0];
  return { child, url, cookie, pid: child.pid, stop: () => new Promise((r) => (child.once('exit', r), child.kill('SIGTERM'))) };
}

export function ratio(a, b) {
  return b > 0 ? (a / b).toFixed(2) : 'n/a';
}

/**
 * A real headless PipeWire (scripts/pipewire-test-daemon.sh) in a private runtime dir, for the audio benchmarks.
 * `env` is what a CLI client needs to talk to it; stop() ends it by PID and removes the directory.
 */
export function startPipeWire() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'archibald-bench-pw-'));
  const script = path.join(root, 'scripts', 'pipewire-test-daemon.sh');
  const res = spawnSync(script, ['start', dir], { encoding: 'utf8', timeout: 30_000 });
  if (res.status !== 0) throw new Error(`pipewire-test-daemon.sh start failed: ${res.stderr}`);
  const runtimeDir = path.join(dir, 'run');
  return {
    runtimeDir,
    env: { ...process.env, XDG_RUNTIME_DIR: runtimeDir },
    stop() {
      spawnSync(script, ['stop', dir], { stdio: 'inherit', timeout: 30_000 });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Percentile (0-100) of a list of numbers. */
export function pct(values, p) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}
