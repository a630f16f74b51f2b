// Build the production tree when it is missing or older than any source file. Used by `npm start` and the e2e setup.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const root = path.resolve(import.meta.dirname, '..');
export const builtServer = path.join(root, 'build', 'server.mjs');

function newest(target) {
  if (!existsSync(target)) return 0;
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = 0;
  for (const entry of readdirSync(target, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    latest = Math.max(latest, newest(path.join(target, entry.name)));
  }
  return latest;
}

export function buildIfStale() {
  const inputs = ['app', 'server', 'public', 'next.config.js', 'package-lock.json', 'scripts/bundle-server.mjs'];
  const sources = Math.max(...inputs.map((p) => newest(path.join(root, p))));
  if (existsSync(builtServer) && sources <= statSync(builtServer).mtimeMs) return;
  const result = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`npm run build failed with code ${result.status}`);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) buildIfStale();
