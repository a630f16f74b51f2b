import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

/**
 * The console's configuration, read once from the environment and validated.
 * A bad value stops the start with a message that names the variable (see loadEnv).
 */

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const originList = z
  .string()
  .transform((raw) => raw.split(',').map((s) => s.trim()).filter(Boolean))
  .pipe(
    z.array(
      z.string().refine((o) => {
        try {
          const u = new URL(o);
          return (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === o;
        } catch {
          return false;
        }
      }, 'each origin must look like http://host:port, with no path or trailing slash'),
    ),
  );

const absolutePath = z.string().refine((p) => path.isAbsolute(p), 'must be an absolute path');

export const envSchema = z.object({
  ARCHIBALD_PORT: z.coerce.number().int().min(1).max(65535).default(8420),
  ARCHIBALD_BIND: z.union([z.ipv4(), z.ipv6(), z.literal('localhost')]).default('0.0.0.0'),
  ARCHIBALD_DATA_DIR: absolutePath.default(path.resolve('data')),
  ARCHIBALD_HOST_ROOT: absolutePath.default('/'),
  /** Comma-separated. Empty means: this box's own addresses on ARCHIBALD_PORT (computed at start). */
  ARCHIBALD_ALLOWED_ORIGINS: originList.default([]),
  ARCHIBALD_LOG_LEVEL: z.enum(logLevels).default('info'),
  ARCHIBALD_SESSION_IDLE_HOURS: z.coerce.number().min(0.01).max(24 * 365).default(168),
  /** XDG_RUNTIME_DIR of the user whose PipeWire the console controls. */
  ARCHIBALD_PIPEWIRE_RUNTIME_DIR: absolutePath.optional(),
  /** Where programs are looked up (the NixOS module sets exactly the packages it grants). */
  ARCHIBALD_PATH: z.string().min(1).default(process.env.PATH ?? '/run/current-system/sw/bin:/usr/bin:/bin'),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
});

export type Env = z.infer<typeof envSchema>;

export class EnvError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n')}`);
    this.name = 'EnvError';
  }
}

/** Parse the environment; throws EnvError naming every bad variable. Empty strings count as unset. */
export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  const present = Object.fromEntries(
    Object.keys(envSchema.shape)
      .filter((key) => source[key] !== undefined && source[key] !== '')
      .map((key) => [key, source[key]]),
  );
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    throw new EnvError(
      parsed.error.issues.map((issue) => ({
        variable: String(issue.path[0] ?? '?'),
        message: `${issue.message} (got ${JSON.stringify(present[String(issue.path[0])] ?? '')})`,
      })),
    );
  }
  return parsed.data;
}

/**
 * The origins a browser may use to reach this console: every address of this box (and its host name, and
 * localhost) on the console's port. Used when ARCHIBALD_ALLOWED_ORIGINS is empty.
 */
export function defaultOrigins(port: number, interfaces = os.networkInterfaces(), hostname = os.hostname()): string[] {
  const hosts = new Set<string>(['localhost', '127.0.0.1', '[::1]', hostname, `${hostname}.local`]);
  for (const addrs of Object.values(interfaces)) {
    for (const addr of addrs ?? []) {
      if (addr.family === 'IPv4') hosts.add(addr.address);
      else if (!addr.address.startsWith('fe80')) hosts.add(`[${addr.address}]`); // link-local needs a zone id: unusable in a URL
    }
  }
  return [...hosts].map((h) => `http://${h}:${port}`);
}
