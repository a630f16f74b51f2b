// Shared helpers for benchmarks: start the production console, read a process's CPU and memory from /proc.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const root = path.resolve(import.meta.dirname, '..');
const TICKS = 100; // USER_HZ on Linux

/** utime+stime of a process in seconds, and its resident memory in MB, from /proc (measured from outside). */
export function procStats(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / TICKS;
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

export async function startConsole(port) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'archibald-bench-'));
  const child = spawn(process.execPath, [path.join(root, 'build', 'server.mjs')], {
    cwd: root,
    env: { ...process.env, NODE_ENV: 'production', ARCHIBALD_PORT: String(port), ARCHIBALD_BIND: '127.0.0.1', ARCHIBALD_DATA_DIR: dataDir, ARCHIBALD_LOG_LEVEL: 'warn' },
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
