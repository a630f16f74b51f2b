// Assemble the production tree in build/ after `next build`:
//   build/server.mjs      the custom server, bundled (Next does not trace a custom server)
//   build/.next/          Next's standalone output plus its static files
//   build/node_modules/   what standalone traced (next, react) plus the server's native module
//   build/public/         icons and manifest
// `node build/server.mjs` then runs with no dev toolchain, and the Nix package installs this folder as it is.
import { build } from 'esbuild';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const out = path.join(root, 'build');
const standalone = path.join(root, '.next', 'standalone');
if (!existsSync(standalone)) throw new Error('no .next/standalone: run `next build` first (next.config.js sets output: standalone)');

rmSync(out, { recursive: true, force: true });
cpSync(standalone, out, { recursive: true, verbatimSymlinks: true });
rmSync(path.join(out, 'server.js'), { force: true }); // Next's own standalone server; ours replaces it
cpSync(path.join(root, '.next', 'static'), path.join(out, '.next', 'static'), { recursive: true });
cpSync(path.join(root, 'public'), path.join(out, 'public'), { recursive: true });

// Native and runtime-resolved modules stay outside the bundle and are copied with their dependencies.
const external = ['next', 'better-sqlite3'];
const nativeModules = ['better-sqlite3', 'bindings', 'file-uri-to-path'];
for (const name of nativeModules) {
  const from = path.join(root, 'node_modules', name);
  const to = path.join(out, 'node_modules', name);
  mkdirSync(path.dirname(to), { recursive: true });
  cpSync(from, to, { recursive: true, filter: (src) => !/[\\/](deps|src|test)[\\/]|\.(c|cc|h)$/.test(path.relative(from, src)) || src === from });
}

await build({
  entryPoints: [path.join(root, 'server', 'main.ts')],
  outfile: path.join(out, 'server.mjs'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  external,
  sourcemap: 'linked',
  // Bundled CommonJS dependencies (ws, pino) call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __archibaldCreateRequire } from 'node:module'; const require = __archibaldCreateRequire(import.meta.url);" },
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'warning',
});
// The `archibald` command line (tune check/apply/revert), same engine as the console; the Nix package exposes it as bin/archibald.
await build({
  entryPoints: [path.join(root, 'server', 'cli', 'main.ts')],
  outfile: path.join(out, 'cli.mjs'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  external,
  banner: { js: "import { createRequire as __archibaldCreateRequire } from 'node:module'; const require = __archibaldCreateRequire(import.meta.url);" },
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'warning',
});
console.log(`build/ assembled: node build/server.mjs, node build/cli.mjs`);
