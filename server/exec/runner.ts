import { spawn, type ChildProcess } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import { ExecError, lastLine, type ExecResult } from './errors';

/**
 * The only place in the console that starts processes.
 *
 * Why a factory and not module functions: the allow-list is fixed per instance. Production builds one
 * instance from the fixed program list; tests build their own with tiny fixture programs, so the
 * allow-list logic itself is exercised for real.
 */

export interface RunOptions {
  /** Kill the child after this long (SIGTERM, then SIGKILL after the grace period). */
  timeoutMs?: number;
  /** Stop reading and kill the child once stdout + stderr exceed this many bytes. */
  maxOutputBytes?: number;
  /** Exit codes that count as success. */
  okCodes?: readonly number[];
  /** Extra environment for this child, merged over the runner's base environment. */
  env?: Record<string, string>;
  input?: string;
  signal?: AbortSignal;
  /** Working directory of the child (the server's own when unset). */
  cwd?: string;
}

export interface StreamOptions {
  env?: Record<string, string>;
  /** Working directory (for tools that write files next to them, like pw-profiler's plot scripts). */
  cwd?: string;
  /** Called with each complete stdout line. */
  onLine?: (line: string) => void;
  /** Called with each raw stdout chunk (for parsers that are not line based). */
  onData?: (chunk: string) => void;
  onStderrLine?: (line: string) => void;
}

export interface StreamingChild {
  readonly pid: number | undefined;
  /** Resolves when the child has exited, whatever the reason. Never rejects. */
  readonly exited: Promise<ExecResult>;
  /** Ask it to stop (SIGTERM, SIGKILL after the grace period); resolves when it has exited. */
  stop(): Promise<ExecResult>;
}

export interface ExecRunner {
  run(program: string, args: readonly string[], opts?: RunOptions): Promise<ExecResult>;
  stream(program: string, args: readonly string[], opts?: StreamOptions): Promise<StreamingChild>;
  /** Absolute path of an allowed program, or null when it is not installed. */
  which(program: string): Promise<string | null>;
  /** The allowed programs that are running right now (for tests and shutdown). */
  readonly running: number;
  /** End every child: used on server shutdown. */
  killAll(): Promise<void>;
}

export interface RunnerConfig {
  /** Program names (looked up in PATH) or absolute paths that may be started. Nothing else can be. */
  allow: readonly string[];
  /** Search path for program names. */
  path: string;
  /** Environment every child gets; the server's own environment is never passed through wholesale. */
  baseEnv?: Record<string, string>;
  defaultTimeoutMs?: number;
  killGraceMs?: number;
}

const DEFAULT_MAX_OUTPUT = 16 * 1024 * 1024;

// Children end with the server, even on an exit we did not plan (uncaught error, process.exit).
const everyChild = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of everyChild) signalGroup(child, 'SIGKILL');
});

/**
 * Children run in their own process group so that a wrapper script's own children (pw-jack, sudo) die with it
 * and cannot hold our pipes open. Returns false when the group is already gone.
 */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): boolean {
  if (child.pid === undefined) return false;
  try {
    process.kill(-child.pid, signal);
    return true;
  } catch {
    return false;
  }
}

export function createRunner(config: RunnerConfig): ExecRunner {
  const allowed = new Set(config.allow);
  const children = new Set<ChildProcess>();
  const resolved = new Map<string, string | null>();
  const grace = config.killGraceMs ?? 2000;
  let shuttingDown = false;
  const baseEnv: Record<string, string> = { PATH: config.path, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', ...config.baseEnv };

  async function which(program: string): Promise<string | null> {
    if (!allowed.has(program)) return null;
    if (resolved.has(program)) return resolved.get(program)!;
    const candidates = path.isAbsolute(program)
      ? [program]
      : config.path.split(':').filter(Boolean).map((dir) => path.join(dir, program));
    let found: string | null = null;
    for (const candidate of candidates) {
      try {
        await access(candidate, constants.X_OK);
        found = candidate;
        break;
      } catch {
        /* try the next directory */
      }
    }
    // Cache hits only: a tool installed while the console runs is found on the next call.
    if (found) resolved.set(program, found);
    return found;
  }

  async function resolveOrThrow(program: string): Promise<string> {
    if (!allowed.has(program)) {
      throw new ExecError('not-allowed', program, `refusing to start "${program}": it is not on the console's allow-list`);
    }
    const bin = await which(program);
    if (!bin) throw new ExecError('not-found', program, `${program} is not installed on this host (not found in PATH)`);
    return bin;
  }

  function terminate(child: ChildProcess): void {
    if (!signalGroup(child, 'SIGTERM')) return;
    const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), grace);
    timer.unref();
  }

  function track(child: ChildProcess): void {
    children.add(child);
    everyChild.add(child);
    child.once('close', () => {
      children.delete(child);
      everyChild.delete(child);
    });
  }

  async function run(program: string, args: readonly string[], opts: RunOptions = {}): Promise<ExecResult> {
    const bin = await resolveOrThrow(program);
    const started = performance.now();
    const timeoutMs = opts.timeoutMs ?? config.defaultTimeoutMs ?? 10_000;
    const maxOutput = opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
    const okCodes = opts.okCodes ?? [0];
    if (opts.signal?.aborted) throw new ExecError('aborted', program, `${program} was cancelled before it started`);

    return new Promise<ExecResult>((resolve, reject) => {
      let child: ChildProcess;
      try {
        child = spawn(bin, [...args], {
          detached: true,
          cwd: opts.cwd,
          env: { ...baseEnv, ...opts.env } as NodeJS.ProcessEnv,
          stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
        });
      } catch (err) {
        reject(new ExecError('spawn', program, `could not start ${program}: ${(err as Error).message}`));
        return;
      }
      track(child);
      const out: Buffer[] = [];
      const errOut: Buffer[] = [];
      let bytes = 0;
      let failure: 'timeout' | 'output-limit' | 'aborted' | null = null;

      const stopFor = (why: 'timeout' | 'output-limit' | 'aborted') => {
        if (failure) return;
        failure = why;
        terminate(child);
      };
      const timer = setTimeout(() => stopFor('timeout'), timeoutMs);
      const onAbort = () => stopFor('aborted');
      opts.signal?.addEventListener('abort', onAbort, { once: true });

      const collect = (into: Buffer[]) => (chunk: Buffer) => {
        if (failure) return;
        bytes += chunk.length;
        if (bytes > maxOutput) {
          stopFor('output-limit');
          return;
        }
        into.push(chunk);
      };
      child.stdout!.on('data', collect(out));
      child.stderr!.on('data', collect(errOut));
      if (opts.input !== undefined) {
        child.stdin!.on('error', () => undefined); // the child may exit before reading its input
        child.stdin!.end(opts.input);
      }

      let spawnError: Error | null = null;
      child.once('error', (err) => {
        spawnError = err;
      });
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        const result: ExecResult = {
          program,
          args,
          code,
          signal,
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(errOut).toString('utf8'),
          durationMs: performance.now() - started,
        };
        if (spawnError) {
          reject(new ExecError('spawn', program, `could not start ${program}: ${spawnError.message}`, result));
        } else if (failure === 'timeout') {
          reject(new ExecError('timeout', program, `${program} did not finish within ${timeoutMs} ms and was killed`, result));
        } else if (failure === 'output-limit') {
          reject(new ExecError('output-limit', program, `${program} printed more than ${maxOutput} bytes and was killed`, result));
        } else if (failure === 'aborted' || shuttingDown) {
          const why = shuttingDown ? 'the console is shutting down' : 'it was cancelled';
          reject(new ExecError('aborted', program, `${program} was stopped because ${why}`, result));
        } else if (code === null || !okCodes.includes(code)) {
          const detail = lastLine(result.stderr) || lastLine(result.stdout);
          const how = code === null ? `was killed by ${signal}` : `exited with code ${code}`;
          reject(new ExecError('exit', program, `${program} ${how}${detail ? `: ${detail}` : ''}`, result));
        } else {
          resolve(result);
        }
      });
    });
  }

  async function stream(program: string, args: readonly string[], opts: StreamOptions = {}): Promise<StreamingChild> {
    const bin = await resolveOrThrow(program);
    const started = performance.now();
    const child = spawn(bin, [...args], {
      detached: true,
      cwd: opts.cwd,
      env: { ...baseEnv, ...opts.env } as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    track(child);
    // Only the tail of stderr is kept: a long-lived child must not grow our memory without bound.
    let stderrTail = '';
    let stdoutPartial = '';
    let stderrPartial = '';
    child.stdout!.setEncoding('utf8');
    child.stderr!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      opts.onData?.(chunk);
      if (!opts.onLine) return;
      const lines = (stdoutPartial + chunk).split('\n');
      stdoutPartial = lines.pop() ?? '';
      for (const line of lines) opts.onLine(line);
    });
    child.stderr!.on('data', (chunk: string) => {
      stderrTail = (stderrTail + chunk).slice(-8192);
      const lines = (stderrPartial + chunk).split('\n');
      stderrPartial = lines.pop() ?? '';
      for (const line of lines) opts.onStderrLine?.(line);
    });
    const exited = new Promise<ExecResult>((resolve) => {
      child.once('error', () => undefined); // reported through 'close' with a null code
      child.once('close', (code, signal) => {
        if (stdoutPartial && opts.onLine) opts.onLine(stdoutPartial);
        resolve({ program, args, code, signal, stdout: '', stderr: stderrTail, durationMs: performance.now() - started });
      });
    });
    return {
      pid: child.pid,
      exited,
      stop() {
        terminate(child);
        return exited;
      },
    };
  }

  async function killAll(): Promise<void> {
    shuttingDown = true;
    const waits = [...children].map(
      (child) => new Promise<void>((resolve) => {
        child.once('close', () => resolve());
        terminate(child);
      }),
    );
    await Promise.all(waits);
  }

  return {
    run,
    stream,
    which,
    killAll,
    get running() {
      return children.size;
    },
  };
}
