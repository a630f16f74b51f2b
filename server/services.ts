import path from 'node:path';
import { AudioService } from './audio/service';
import { AuditLog } from './auth/audit';
import { AuthService } from './auth/service';
import { openDatabase, type Db } from './db/database';
import { defaultOrigins, type Env } from './env';
import { createConsoleRunner, type ExecRunner } from './exec';
import { HostRoot } from './host-root';
import type { Logger } from './log';
import { SystemSampler } from './system/sampler';
import { audioClockProvider } from './tuning/audio-clock';
import { TuningService } from './tuning/service';

/** Everything the procedures need, built once at start and closed once at shutdown. */
export interface Services {
  env: Env;
  log: Logger;
  db: Db;
  host: HostRoot;
  exec: ExecRunner;
  auth: AuthService;
  audit: AuditLog;
  system: SystemSampler;
  /** The PipeWire graph, clock, scenes and rules: one pw-dump --monitor for all clients. */
  audio: AudioService;
  /** RT checks, tweaks with revert, cyclictest runs. */
  tuning: TuningService;
  allowedOrigins: readonly string[];
  /** Called when a device loses access (revoked), so its open WebSockets can be closed. */
  onDeviceRevoked: Set<(deviceId: string) => void>;
  close(): Promise<void>;
}

export function createServices(env: Env, log: Logger): Services {
  const db = openDatabase(env.ARCHIBALD_DATA_DIR);
  const host = new HostRoot(env.ARCHIBALD_HOST_ROOT);
  const exec = createConsoleRunner({ path: env.ARCHIBALD_PATH, runtimeDir: env.ARCHIBALD_PIPEWIRE_RUNTIME_DIR });
  const auth = new AuthService(db, { idleTimeoutMs: env.ARCHIBALD_SESSION_IDLE_HOURS * 3600 * 1000 });
  const allowedOrigins = (env.ARCHIBALD_ALLOWED_ORIGINS.length > 0 ? env.ARCHIBALD_ALLOWED_ORIGINS : defaultOrigins(env.ARCHIBALD_PORT)).map((o) =>
    o.toLowerCase(),
  );
  const audio = new AudioService({ exec, db, log: log.child({ domain: 'audio' }) });
  audio.start();
  const tuning = new TuningService({ host, exec, db, log: log.child({ domain: 'tuning' }), clock: audioClockProvider(audio), canHold: true });
  log.info({ dataDir: path.resolve(env.ARCHIBALD_DATA_DIR), hostRoot: host.root, allowedOrigins }, 'services ready');
  return {
    env,
    log,
    db,
    host,
    exec,
    auth,
    audit: new AuditLog(db),
    system: new SystemSampler(host),
    audio,
    tuning,
    allowedOrigins,
    onDeviceRevoked: new Set(),
    async close() {
      await tuning.close();
      await audio.stop();
      await exec.killAll();
      db.close();
    },
  };
}
