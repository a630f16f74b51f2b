// CPU cost of one system sample (the sampler's work per tick), in microseconds of process CPU time, beside the
// floor of reading /proc/stat alone with readFileSync in the same process. Runs the real sampler through tsx.
import { readFileSync } from 'node:fs';
import { tsImport } from 'tsx/esm/api';

const { SystemSampler } = await tsImport('../server/system/sampler.ts', import.meta.url);
const { HostRoot } = await tsImport('../server/host-root.ts', import.meta.url);
const N = Number(process.env.N ?? 400);

const sampler = new SystemSampler(new HostRoot('/'));
for (let i = 0; i < 20; i++) await sampler.sample(); // warm up (sensor discovery, JIT)

// Children's CPU (cutime + cstime of /proc/self/stat, in 10 ms ticks) is counted too, so a library that
// spawns a process per sample cannot hide its cost outside this process.
function childrenMicros() {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[13]) + Number(f[14])) * 10_000;
}

function cpuMicros(fn) {
  const start = process.cpuUsage();
  const children = childrenMicros();
  return fn().then(() => {
    const d = process.cpuUsage(start);
    return d.user + d.system + (childrenMicros() - children);
  });
}

const sampleUs = (await cpuMicros(async () => {
  for (let i = 0; i < N; i++) await sampler.sample();
})) / N;
const floorUs = (await cpuMicros(async () => {
  for (let i = 0; i < N; i++) readFileSync('/proc/stat', 'utf8');
})) / N;
console.log(`one sample: ${sampleUs.toFixed(0)} us CPU (mean of ${N})`);
console.log(`floor, readFileSync(/proc/stat): ${floorUs.toFixed(0)} us`);
console.log(`ratio sample / floor: ${(sampleUs / floorUs).toFixed(1)}`);
console.log(`at 10 Hz that is ${((sampleUs * 10) / 1e4).toFixed(3)} % of one core`);
