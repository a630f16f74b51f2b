import { createTRPCClient, createWSClient, wsLink } from '@trpc/client';
import { mkdtemp } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { loadEnv } from '../env';
import { createLogger } from '../log';
import { createServices, type Services } from '../services';
import type { AppRouter } from '../trpc/root';
import { createConsoleServer, type ConsoleServer } from './console-server';

/**
 * The real HTTP + WebSocket server (with a stand-in page handler instead of Next, which these tests do not
 * exercise): sessions, roles, Origin checks and rate limits as a client on the network sees them.
 */
let services: Services;
let consoleServer: ConsoleServer;
let base: string;
let origin: string;
let adminCookie: string;

async function call(method: 'GET' | 'POST', proc: string, input: unknown, headers: Record<string, string> = {}) {
  const url = method === 'GET' ? `${base}/api/trpc/${proc}?input=${encodeURIComponent(JSON.stringify(input))}` : `${base}/api/trpc/${proc}`;
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: method === 'POST' ? JSON.stringify(input) : undefined,
  });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

async function pair(role: 'viewer' | 'performer' | 'admin', name: string): Promise<string> {
  const link = services.auth.createPairing(role, name, null);
  const res = await call('POST', 'auth.pair', { token: link.token, deviceName: name }, { origin });
  expect(res.status).toBe(200);
  return res.headers.get('set-cookie')!.split(';')[0];
}

/** Try a WebSocket upgrade; resolves with the HTTP status of a refusal, or 101 when it opened. */
function upgrade(headers: Record<string, string>, pathName = '/api/trpc-ws'): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${base.replace('http', 'ws')}${pathName}`, { headers });
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => resolve(-1));
  });
}

beforeAll(async () => {
  const env = loadEnv({ ARCHIBALD_DATA_DIR: await mkdtemp(path.join(os.tmpdir(), 'server-')), ARCHIBALD_PORT: '1' });
  services = createServices({ ...env, ARCHIBALD_ALLOWED_ORIGINS: [] }, createLogger('silent'));
  consoleServer = createConsoleServer(services, { handle: (_req, res) => void res.end('page') });
  await new Promise<void>((resolve) => consoleServer.server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(consoleServer.server.address() as AddressInfo).port}`;
  origin = base;
  (services.allowedOrigins as string[]).push(origin);
  adminCookie = await pair('admin', 'Admin laptop');
});

afterAll(async () => {
  await consoleServer.shutdown();
  await services.close();
});

describe('console server: sessions and roles', () => {
  it('serves pages to anyone but answers procedures only with a session', async () => {
    expect(await (await fetch(`${base}/`)).text()).toBe('page');
    const res = await call('GET', 'system.snapshot', undefined);
    expect(res.status).toBe(401);
    expect(res.body.error.message).toContain('Not signed in');
    expect((await call('GET', 'auth.status', undefined)).body.result.data).toMatchObject({ claimed: true, device: null });
  });

  it('sets an httpOnly, SameSite=Strict session cookie on pairing', async () => {
    const link = services.auth.createPairing('viewer', 'v', null);
    const res = await call('POST', 'auth.pair', { token: link.token, deviceName: 'Phone' }, { origin });
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^archibald_session=[A-Za-z0-9_-]{40,}; Path=\/; HttpOnly; SameSite=Strict/);
  });

  it('lets a viewer read but not change, naming the role it lacks', async () => {
    const viewer = await pair('viewer', 'FOH phone');
    expect((await call('GET', 'system.snapshot', undefined, { cookie: viewer })).status).toBe(200);
    const res = await call('POST', 'auth.setPassword', { password: 'long enough password' }, { cookie: viewer, origin });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe('This device is paired as viewer; this needs the admin role.');
    expect(services.auth.hasPassword()).toBe(false);
  });

  it('refuses a mutation from a foreign Origin or without one, even with a valid admin session', async () => {
    for (const headers of [{ origin: 'http://evil.example' }, {}] as Record<string, string>[]) {
      const res = await call('POST', 'auth.setPassword', { password: 'long enough password' }, { cookie: adminCookie, ...headers });
      expect(res.status).toBe(403);
    }
    expect(services.auth.hasPassword()).toBe(false);
    const audit = services.audit.list(5);
    expect(audit[0]).toMatchObject({ action: 'auth.setPassword', ok: false, deviceName: 'Admin laptop' });
    expect(audit[0].input).toBe('{"password":"[redacted]"}');
  });

  it('rejects bad input with the field that is wrong, and changes nothing', async () => {
    const before = services.auth.listDevices().length;
    const res = await call('POST', 'auth.pair', { token: 'x'.repeat(20), deviceName: '<script>alert(1)</script>' }, { origin });
    expect(res.status).toBe(400);
    expect(res.body.error.data.fieldErrors[0]).toMatchObject({ path: 'deviceName' });
    expect(services.auth.listDevices().length).toBe(before);
  });

  it('says an expired or reused pairing link is not valid', async () => {
    const link = services.auth.createPairing('viewer', 'x', null);
    expect((await call('POST', 'auth.pair', { token: link.token, deviceName: 'One' }, { origin })).status).toBe(200);
    const again = await call('POST', 'auth.pair', { token: link.token, deviceName: 'Two' }, { origin });
    expect(again.status).toBe(401);
    expect(again.body.error.message).toContain('already been used');
  });

  it('rate-limits login attempts per address with 429 and a retry time', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await call('POST', 'auth.login', { password: `guess ${i}`, deviceName: 'x' }, { origin })).status);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    const limited = await call('POST', 'auth.login', { password: 'guess', deviceName: 'x' }, { origin });
    expect(limited.status).toBe(429);
    expect(limited.body.error.message).toMatch(/Try again in \d+ s/);
  });
});

describe('console server: WebSocket', () => {
  it('refuses an upgrade without a session (401) or from a foreign origin (403)', async () => {
    expect(await upgrade({ origin })).toBe(401);
    expect(await upgrade({ origin: 'http://evil.example', cookie: adminCookie })).toBe(403);
    expect(await upgrade({ cookie: adminCookie })).toBe(403);
    expect(await upgrade({ origin, cookie: adminCookie })).toBe(101);
  });

  it('answers an upgrade on an unknown path with 404 instead of leaving it hanging', async () => {
    expect(await upgrade({ origin, cookie: adminCookie }, '/_next/webpack-hmr')).toBe(404);
  });

  it('streams live samples at the chosen rate, and closes a revoked device', async () => {
    const cookie = await pair('performer', 'Stage tablet');
    const device = services.auth.listDevices().find((d) => d.name === 'Stage tablet')!;
    let closeCode = 0;
    const wsClient = createWSClient({
      url: `${base.replace('http', 'ws')}/api/trpc-ws`,
      WebSocket: class extends WebSocket {
        constructor(url: string) {
          super(url, { headers: { origin, cookie } });
        }
      } as unknown as typeof globalThis.WebSocket,
      onClose: (cause) => (closeCode ||= cause?.code ?? -1),
      retryDelayMs: () => 60_000,
    });
    const client = createTRPCClient<AppRouter>({ links: [wsLink({ client: wsClient })] });
    const times: number[] = [];
    const sub = client.system.live.subscribe({ hz: 5 }, { onData: (s) => times.push(s.t) });
    await new Promise((r) => setTimeout(r, 1300));
    expect(times.length).toBeGreaterThanOrEqual(4);
    expect(times.length).toBeLessThanOrEqual(8);
    expect(services.system.running).toBe(true);
    await call('POST', 'auth.revokeDevice', { id: device.id }, { cookie: adminCookie, origin });
    await new Promise((r) => setTimeout(r, 300));
    expect(closeCode).toBe(4401);
    sub.unsubscribe();
    wsClient.close();
    await new Promise((r) => setTimeout(r, 200));
    expect(services.system.running).toBe(false); // nobody listens: the sampler stopped
  });
});
