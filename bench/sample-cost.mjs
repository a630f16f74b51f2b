// CPU cost of one system sample (the sampler's work per tick), in microseconds of process CPU time, beside the
// floor of reading /proc/stat alone with readFileSync in the same process. Runs the real sampler through tsx.
import { readFileSync } from 'node:fs';
import { tsImport } from 'tsx/esm/api';

const { SystemSampler } = await tsImport('../server/system/sampler.ts', import.meta.url);
const { HostRoot } = await tsImport('../server/host-root.ts', import.meta.url);
const N = Number(process.env.N ?? 400);

const sampler = new SystemSampler(new HostRoot('/'));
for (let i = 0; i < 20; i++) await sampler.sample(); // warm up (sensor discovery, JIT)

function cpuMicros(fn) {
  const start = process.cpuUsage();
  return fn().then(() => {
    const d = process.cpuUsage(start);
    return d.user + d.system;
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
