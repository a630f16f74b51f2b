// First-load JavaScript of a page, gzip: the script files the built HTML references (Next 16 no longer prints it).
// Baseline in the same run: the smallest page of the app (/_not-found), which carries only the framework.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { root } from './lib.mjs';

const app = path.join(root, 'build', '.next', 'server', 'app');
if (!existsSync(app)) throw new Error('no build: run npm run build first');

function firstLoad(page) {
  const html = readFileSync(path.join(app, `${page}.html`), 'utf8');
  // noModule scripts (legacy polyfills) are never downloaded by a browser that runs modules: not counted.
  const tags = [...html.matchAll(/<script[^>]*>/g)].map((m) => m[0]).filter((tag) => !/nomodule/i.test(tag));
  const scripts = [...new Set(tags.map((tag) => tag.match(/src="([^"]+)"/)?.[1]).filter(Boolean))];
  let total = 0;
  for (const src of scripts) {
    const file = path.join(root, 'build', src.replace(/^\/_next\//, '.next/'));
    total += gzipSync(readFileSync(file), { level: 9 }).length;
  }
  return { scripts: scripts.length, kib: total / 1024 };
}

const target = 180;
const base = firstLoad('_not-found');
for (const page of ['index', 'settings', 'patchbay', 'tuning']) {
  if (!existsSync(path.join(app, `${page}.html`))) continue;
  const r = firstLoad(page);
  console.log(`${page.padEnd(10)} ${r.kib.toFixed(1)} KiB gzip in ${r.scripts} scripts   ratio to framework-only page ${(r.kib / base.kib).toFixed(2)}${page === 'index' ? `   (target <= ${target} kB)` : ''}`);
}
console.log(`_not-found ${base.kib.toFixed(1)} KiB gzip (framework only)`);
