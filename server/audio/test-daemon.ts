import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRunner, type ExecRunner } from '../exec';
import { ALLOWED_PROGRAMS } from '../exec/programs';

/**
 * Tests and benchmarks: a real headless PipeWire daemon in a private runtime dir, started and stopped by
 * scripts/pipewire-test-daemon.sh (through the exec runner, like everything else that starts a process).
 */
export const DAEMON_SCRIPT = path.resolve(import.meta.dirname, '../../scripts/pipewire-test-daemon.sh');

export interface TestDaemon {
  dir: string;
  runtimeDir: string;
  /** a runner with the console's allow-list whose children talk to this daemon */
  runner: ExecRunner;
  /** pw-link -l style checks and other CLI calls against this daemon */
  cli(program: string, args: string[]): Promise<string>;
  /** stop only the pipewire process (clients see it go away) */
  killDaemon(): Promise<void>;
  /** kill the pipewire process and start a fresh one with fresh nodes (new ids, no links), as after a crash */
  restartDaemon(): Promise<void>;
  stop(): Promise<void>;
}

export function havePipeWire(): boolean {
  const dirs = (process.env.PATH ?? '').split(':');
  return ['pipewire', 'pw-dump', 'pw-link', 'pw-cli', 'pw-metadata'].every((p) =>
    dirs.some((d) => {
      try {
        return statSync(path.join(d, p)).isFile();
      } catch {
        return false;
      }
    }),
  );
}

export async function startTestDaemon(): Promise<TestDaemon> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'archibald-pw-'));
  const runtimeDir = path.join(dir, 'run');
  const pathEnv = process.env.PATH ?? '/usr/bin:/bin';
  const control = createRunner({ allow: [DAEMON_SCRIPT], path: pathEnv, baseEnv: { HOME: dir } });
  await control.run(DAEMON_SCRIPT, ['start', dir], { timeoutMs: 20_000 });
  const runner = createRunner({ allow: ALLOWED_PROGRAMS, path: pathEnv, baseEnv: { XDG_RUNTIME_DIR: runtimeDir } });
  return {
    dir,
    runtimeDir,
    runner,
    async cli(program, args) {
      return (await runner.run(program, args, { timeoutMs: 5000 })).stdout;
    },
    async killDaemon() {
      await control.run(DAEMON_SCRIPT, ['kill-daemon', dir], { timeoutMs: 10_000 });
    },
    async restartDaemon() {
      await control.run(DAEMON_SCRIPT, ['restart-daemon', dir], { timeoutMs: 10_000 });
    },
    async stop() {
      await runner.killAll();
      await control.run(DAEMON_SCRIPT, ['stop', dir], { timeoutMs: 15_000 });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
