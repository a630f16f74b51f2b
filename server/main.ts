import os from 'node:os';
import path from 'node:path';
import { EnvError, loadEnv } from './env';
import { createConsoleServer } from './http/console-server';
import { createLogger } from './log';
import { announceFirstPairing } from './pairing-banner';
import { createPages } from './pages';
import { createServices } from './services';

/**
 * The console's one process: validates its environment, builds the services, serves pages, tRPC over HTTP and
 * tRPC subscriptions over WebSocket on one port, and shuts down cleanly on SIGTERM/SIGINT.
 */
async function main(): Promise<void> {
  let env;
  try {
    env = loadEnv();
  } catch (err) {
    if (err instanceof EnvError) {
      process.stderr.write(`archibald-console: ${err.message}\n`);
      process.exit(78); // EX_CONFIG: systemd shows it as a configuration error
    }
    throw err;
  }
  const log = createLogger(env.ARCHIBALD_LOG_LEVEL);
  const dev = env.NODE_ENV !== 'production';

  // The console must not compete with audio: lowest CPU priority, whatever launched it (systemd also sets this).
  try {
    os.setPriority(0, 19);
  } catch {
    log.warn('could not lower the console priority');
  }

  process.env.NEXT_TELEMETRY_DISABLED ??= '1'; // a box on a stage network does not phone home
  const services = createServices(env, log);
  // In production server.mjs sits at the root of the build tree; in development this file is in server/.
  const dir = dev ? path.resolve(import.meta.dirname, '..') : import.meta.dirname;
  const pages = await createPages({ dev, dir, hostname: env.ARCHIBALD_BIND, port: env.ARCHIBALD_PORT });
  const consoleServer = createConsoleServer(services, pages);

  await new Promise<void>((resolve, reject) => {
    consoleServer.server.once('error', reject);
    consoleServer.server.listen(env.ARCHIBALD_PORT, env.ARCHIBALD_BIND, () => resolve());
  });
  log.info({ port: env.ARCHIBALD_PORT, bind: env.ARCHIBALD_BIND, dev }, 'console listening');
  announceFirstPairing(services.auth, services.allowedOrigins, (text) => process.stdout.write(`${text}\n`));

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 8000);
    force.unref();
    await consoleServer.shutdown();
    await services.close();
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err) => {
  process.stderr.write(`archibald-console failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
