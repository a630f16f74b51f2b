import { TRPCError } from '@trpc/server';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEnv } from '../env';
import { createLogger } from '../log';
import { createServices, type Services } from '../services';
import type { Context } from './context';
import { appRouter, createCaller } from './root';

/** Procedures a browser without a session must be able to call: the start screen, pairing and login. */
const PUBLIC = new Set(['auth.status', 'auth.pair', 'auth.login']);

let services: Services;
beforeAll(async () => {
  const env = loadEnv({ ARCHIBALD_DATA_DIR: await mkdtemp(path.join(os.tmpdir(), 'root-')) });
  services = createServices(env, createLogger('silent'));
});
afterAll(() => services.close());

function context(over: Partial<Context> = {}): Context {
  return {
    services,
    session: null,
    sessionToken: undefined,
    origin: 'http://localhost:8420',
    originAllowed: true,
    ip: '127.0.0.1',
    ws: null,
    setSessionCookie: () => undefined,
    ...over,
  };
}

async function codeOf(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
    return 'OK';
  } catch (err) {
    return err instanceof TRPCError ? err.code : `non-tRPC error: ${(err as Error).message}`;
  }
}

const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>);

describe('the API surface', () => {
  it('builds, and has the foundation procedures', () => {
    const names = procedures.map(([name]) => name);
    expect(names).toEqual(expect.arrayContaining(['auth.status', 'auth.pair', 'system.snapshot', 'system.live', 'audit.list']));
  });

  it('refuses every procedure without a session, except pairing, login and status', async () => {
    const caller = createCaller(context());
    for (const [name, proc] of procedures) {
      if (PUBLIC.has(name) || proc._def.type === 'subscription') continue;
      const fn = name.split('.').reduce<unknown>((obj, key) => (obj as Record<string, unknown>)[key], caller) as (input?: unknown) => Promise<unknown>;
      expect(await codeOf(() => fn({})), name).toBe('UNAUTHORIZED');
    }
  });

  it('refuses every mutation from a foreign origin, even with an admin session', async () => {
    const link = services.auth.createPairing('admin', 'root test', null);
    const { device } = services.auth.redeemPairing(link.token, 'root test admin', '127.0.0.1');
    const caller = createCaller(context({ session: { device }, origin: 'http://evil.example', originAllowed: false }));
    for (const [name, proc] of procedures) {
      if (proc._def.type !== 'mutation') continue;
      const fn = name.split('.').reduce<unknown>((obj, key) => (obj as Record<string, unknown>)[key], caller) as (input?: unknown) => Promise<unknown>;
      expect(await codeOf(() => fn({})), name).toBe('FORBIDDEN');
    }
  });
});
