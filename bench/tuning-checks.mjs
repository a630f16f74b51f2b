// A full RT check run (23 checks): wall time and process CPU, and how many child processes it starts (target:
// < 100 ms, <= 3 children), beside reading the same files with one `cat` (and with readFileSync in-process), as
// ratios. Runs the real TuningService through tsx on this machine's root and on two laid-out trees.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tsImport } from 'tsx/esm/api';

const { TuningService } = await tsImport('../server/tuning/service.ts', import.meta.url);
const { HostRoot } = await tsImport('../server/host-root.ts', import.meta.url);
const { openDatabase } = await tsImport('../server/db/database.ts', import.meta.url);
const { createConsoleRunner } = await tsImport('../server/exec/index.ts', import.meta.url);
const { layMachine } = await tsImport('../server/tuning/fixtures/machines.ts', import.meta.url);
const pino = (await import('pino')).default;
const N = Number(process.env.N ?? 30);

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bench-tuning-'));
const db = openDatabase(dataDir);
const real = createConsoleRunner({ path: process.env.PATH ?? '/usr/bin:/bin' });
let children = 0;
// Counts every child the service asks server/exec for (the only place that may start one).
const exec = { ...real, which: real.which, run: (...a) => (children++, real.run(...a)), stream: (...a) => (children++, real.stream(...a)) };

/** Expand what a run read into real files under the root (the /proc/*\/stat scan becomes its files). */
function filesRead(rootDir, paths) {
  const out = [];
  for (const p of paths) {
    if (p === '/proc/*/stat') {
      for (const pid of readdirSync(path.join(rootDir, 'proc')).filter((n) => /^\d+$/.test(n))) out.push(path.join(rootDir, 'proc', pid, 'stat'));
    } else out.push(path.join(rootDir, p));
  }
  return [...new Set(out)].filter((f) => existsSync(f));
}

function cpuMs(start) {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
}

async function measure(label, rootDir) {
  const tuning = new TuningService({ host: new HostRoot(rootDir), exec, db, log: pino({ level: 'silent' }), canHold: false });
  children = 0;
  let t = performance.now();
  let c = process.cpuUsage();
  const first = await tuning.check();
  const cold = { wall: performance.now() - t, cpu: cpuMs(c) };
  t = performance.now();
  c = process.cpuUsage();
  for (let i = 0; i < N; i++) await tuning.check();
  const warm = { wall: (performance.now() - t) / N, cpu: cpuMs(c) / N };
  const files = filesRead(rootDir, first.pathsRead);
  // the floor: the same files read by one `cat` (spawn included, as a shell script would), and in-process
  t = performance.now();
  for (let i = 0; i < N; i++) spawnSync('cat', files, { stdio: ['ignore', 'ignore', 'ignore'] });
  const catMs = (performance.now() - t) / N;
  t = performance.now();
  for (let i = 0; i < N; i++) for (const f of files) try { readFileSync(f); } catch { /* unreadable (write-only sysfs) */ }
  const readMs = (performance.now() - t) / N;
  const s = first.score.counts;
  console.log(`\n${label} (${rootDir})`);
  console.log(`  verdicts: ${s.pass} pass, ${s.warn} warn, ${s.fail} fail, ${s.unknown} unknown, ${s.na} n/a; ${files.length} files read`);
  console.log(`  full check run, first: ${cold.wall.toFixed(1)} ms wall, ${cold.cpu.toFixed(1)} ms CPU`);
  console.log(`  full check run, mean of ${N}: ${warm.wall.toFixed(1)} ms wall, ${warm.cpu.toFixed(1)} ms CPU  (target < 100 ms)`);
  console.log(`  child processes started: ${children}  (target <= 3)`);
  console.log(`  same files with one cat: ${catMs.toFixed(1)} ms wall -> ratio checks/cat ${(warm.wall / catMs).toFixed(2)}`);
  console.log(`  same files with readFileSync in-process: ${readMs.toFixed(2)} ms -> ratio checks/readFileSync ${(warm.wall / readMs).toFixed(1)}`);
  return { warm, children };
}

const results = [];
results.push(await measure('this machine', '/'));
for (const machine of ['rt-box', 'laptop']) {
  const dir = layMachine(machine);
  results.push(await measure(`laid-out ${machine}`, dir));
  rmSync(dir, { recursive: true, force: true });
}

// The CLI end to end, as a script on the box would run it (node start-up included).
const cli = path.join(import.meta.dirname, '..', 'build', 'cli.mjs');
if (existsSync(cli)) {
  const runs = 5;
  const t = performance.now();
  for (let i = 0; i < runs; i++) spawnSync(process.execPath, [cli, 'tune', 'check', '--json'], { env: { ...process.env, ARCHIBALD_DATA_DIR: dataDir }, stdio: 'ignore' });
  console.log(`\nCLI \`archibald tune check --json\` (build/cli.mjs, node start included): ${((performance.now() - t) / runs).toFixed(0)} ms wall, mean of ${runs}`);
}
db.close();
rmSync(dataDir, { recursive: true, force: true });
const worst = Math.max(...results.map((r) => r.warm.wall));
const ok = worst < 100 && results.every((r) => r.children <= 3);
console.log(`\n${ok ? 'within' : 'OUTSIDE'} target: worst mean ${worst.toFixed(1)} ms, most children ${Math.max(...results.map((r) => r.children))}`);
if (!ok) process.exitCode = 1;
