// `npm test`: every test the project has, in order: types, unit and integration (vitest), the Nix and shell
// checks, then end-to-end in Chromium against the production build. Prints one closing line,
// "tests: N passed, M failed", and exits non-zero when anything failed or a suite could not run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const results = path.join(root, 'test-results');
mkdirSync(results, { recursive: true });

let passed = 0;
let failed = 0;
const problems = [];

function run(label, cmd, args, env = {}) {
  console.log(`\n=== ${label}: ${cmd} ${args.join(' ')}`);
  const started = Date.now();
  const res = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  process.stdout.write(res.stdout ?? '');
  console.log(`=== ${label}: exit ${res.status} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return res;
}

function readJson(file) {
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null;
}

// 1. Types across server, app and tests.
const tsc = run('typecheck', 'npx', ['tsc', '--noEmit', '-p', '.']);
if (tsc.status === 0) passed += 1;
else (failed += 1), problems.push('typecheck');

// 2. Unit and integration tests.
const vitestJson = path.join(results, 'vitest.json');
rmSync(vitestJson, { force: true });
const vitest = run('unit+integration', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`]);
const v = readJson(vitestJson);
if (v) {
  passed += v.numPassedTests;
  failed += v.numFailedTests;
  if (v.numFailedTests > 0 || vitest.status !== 0) problems.push('vitest');
} else {
  failed += 1;
  problems.push('vitest (no report)');
}

// 3. Nix evaluation-free checks and shell scripts.
const nixScript = path.join(root, 'nix', 'tests', 'check-nix.sh');
if (existsSync(nixScript)) {
  const nix = run('nix+shell', 'bash', [nixScript]);
  const m = (nix.stdout ?? '').match(/nix-checks: (\d+) passed, (\d+) failed/);
  if (m) {
    passed += Number(m[1]);
    failed += Number(m[2]);
  }
  if (!m || nix.status !== 0) {
    if (!m) failed += 1;
    problems.push('nix checks');
  }
}

// 4. End to end, against the production build (the Playwright setup builds it when stale).
const e2eJson = path.join(results, 'e2e-report.json');
rmSync(e2eJson, { force: true });
const e2e = run('e2e', 'npx', ['playwright', 'test']);
const p = readJson(e2eJson);
if (p) {
  passed += p.stats.expected + p.stats.flaky;
  failed += p.stats.unexpected;
  if (p.stats.unexpected > 0 || p.stats.flaky > 0 || e2e.status !== 0) problems.push('e2e');
} else {
  failed += 1;
  problems.push('e2e (no report)');
}

if (problems.length) console.log(`\nfailed suites: ${problems.join(', ')}`);
console.log(`\ntests: ${passed} passed, ${failed} failed`);
process.exit(problems.length ? 1 : 0);
