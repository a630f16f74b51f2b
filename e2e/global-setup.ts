import { cpSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildIfStale, root } from '../scripts/build-if-stale.mjs';

/**
 * e2e runs against the production build: build it when the sources changed, then copy build/ outside the
 * repository and run it from there, so a module the build forgot to ship fails here (the repository's own
 * node_modules would otherwise hide it, as they did once for @swc/helpers) instead of on the box.
 */
export default function globalSetup() {
  buildIfStale();
  const copy = path.join(mkdtempSync(path.join(os.tmpdir(), 'archibald-e2e-build-')), 'build');
  cpSync(path.join(root, 'build'), copy, { recursive: true, verbatimSymlinks: true });
  process.env.ARCHIBALD_E2E_SERVER = path.join(copy, 'server.mjs');
}
