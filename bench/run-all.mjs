// `npm run bench`: every benchmark in bench/, one after another (they measure CPU, so never in parallel).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

const dir = import.meta.dirname;
for (const file of readdirSync(dir).filter((f) => f.endsWith('.mjs') && !['lib.mjs', 'run-all.mjs'].includes(f)).sort()) {
  console.log(`\n##### ${file}`);
  const res = spawnSync(process.execPath, [path.join(dir, file)], { stdio: 'inherit' });
  if (res.status !== 0) process.exitCode = 1;
}
