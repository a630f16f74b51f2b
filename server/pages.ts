import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import next from 'next';
import type { PageHandler } from './http/console-server';

/**
 * Next.js as the page handler. Production runs the build (the standalone tree assembled by
 * scripts/bundle-server.mjs), never the dev server. Next does not trace a custom server, so the standalone
 * config must be handed over the way Next's own standalone server.js does, or Next silently runs on defaults.
 */
export async function createPages(opts: { dev: boolean; dir: string; hostname: string; port: number }): Promise<PageHandler> {
  if (!opts.dev) {
    const required = path.join(opts.dir, '.next', 'required-server-files.json');
    if (!existsSync(required)) throw new Error(`no production build in ${opts.dir}: run "npm run build" first`);
    process.env.__NEXT_PRIVATE_STANDALONE_CONFIG = JSON.stringify(JSON.parse(readFileSync(required, 'utf8')).config);
  }
  const app = next({ dev: opts.dev, dir: opts.dir, hostname: opts.hostname, port: opts.port, customServer: true });
  await app.prepare();
  const handle = app.getRequestHandler();
  return {
    handle: (req, res) => handle(req, res),
    // Only development has upgrades for Next (HMR); in production its handler does nothing and would leave the socket hanging.
    upgrade: opts.dev ? (req, socket, head) => app.getUpgradeHandler()(req, socket, head) : undefined,
  };
}
