// `npm start`: run the production console, building it first when there is no build yet or the sources are newer.
import { spawnSync } from 'node:child_process';
import { buildIfStale, builtServer, root } from './build-if-stale.mjs';

buildIfStale();
const child = spawnSync(process.execPath, [builtServer], { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
process.exit(child.status ?? 1);
