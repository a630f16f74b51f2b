import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContextOptions } from '@playwright/test';
import { builtServer } from '../scripts/build-if-stale.mjs';

export interface RunningConsole {
  url: string;
  port: number;
  dataDir: string;
  /** The one-time admin pairing link the console printed at start ('' when it was already claimed). */
  firstPairingUrl: string;
  output: () => string;
  /** SIGTERM, as systemd stops it; resolves with the exit code (0 for a clean shutdown). */
  stop(): Promise<number | null>;
}

/** A port nobody listens on now, so two test runs on one machine never collide. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Start the production console (build/server.mjs) with a fresh data dir, wait until it listens, and capture the
 * pairing link it prints. `env` adds or overrides variables (a fixture host root, a test PipeWire runtime dir...).
 */
export async function startConsole(
  env: Record<string, string> = {},
  reuse: { port?: number; dataDir?: string } = {},
): Promise<RunningConsole> {
  const port = reuse.port ?? (await freePort());
  const dataDir = reuse.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'archibald-e2e-'));
  // The copy made by global-setup (outside the repository) when present, else the build in place.
  const server = process.env.ARCHIBALD_E2E_SERVER ?? builtServer;
  const child: ChildProcess = spawn(process.execPath, [server], {
    cwd: path.dirname(server),
    env: {
      ...process.env,
      NODE_ENV: 'production',
      ARCHIBALD_PORT: String(port),
      ARCHIBALD_BIND: '127.0.0.1',
      ARCHIBALD_DATA_DIR: dataDir,
      ARCHIBALD_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  let exited: number | null = null;
  child.once('exit', (code) => (exited = code ?? -1));
  // Ready when the API answers; an unclaimed console has printed its pairing link by then.
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (exited !== null) throw new Error(`console exited with ${exited}:\n${out}`);
    if (Date.now() > deadline) throw new Error(`console did not start within 20 s:\n${out}`);
    const ok = await fetch(`http://127.0.0.1:${port}/api/trpc/auth.status`).then((r) => r.ok, () => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const link = out.match(/(http:\/\/\S+\/pair#\S+)/);
  const firstPairingUrl = link ? link[1].replace(/^http:\/\/[^/]+/, `http://127.0.0.1:${port}`) : '';
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    dataDir,
    firstPairingUrl,
    output: () => out,
    stop: () =>
      new Promise<number | null>((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill('SIGTERM');
      }),
  };
}

/** Pair a new browser context through the pairing page, as a person would; returns its storage state. */
export async function pairInBrowser(browser: Browser, pairingUrl: string, deviceName: string, options: BrowserContextOptions = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  await page.goto(pairingUrl);
  const name = page.getByLabel('Name of this device');
  await name.fill(deviceName);
  await page.getByRole('button', { name: 'Pair' }).click();
  await page.waitForURL((u) => u.pathname === '/');
  await page.getByTestId('connection-state').waitFor();
  const state = await context.storageState();
  await context.close();
  return state;
}

/** Call a tRPC mutation over HTTP as a browser on `origin` would (cookie + Origin header). */
export async function mutate(server: RunningConsole, pathName: string, input: unknown, cookie: string, origin = server.url) {
  const res = await fetch(`${server.url}/api/trpc/${pathName}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, origin },
    body: JSON.stringify(input),
  });
  return { status: res.status, body: (await res.json()) as { result?: { data: unknown }; error?: { message: string } } };
}
