import { ALLOWED_PROGRAMS } from './programs';
import { createRunner, type ExecRunner } from './runner';

export { ExecError, lastLine, type ExecResult, type ExecErrorKind } from './errors';
export { createRunner, type ExecRunner, type RunOptions, type StreamOptions, type StreamingChild } from './runner';
export { ALLOWED_PROGRAMS, type AllowedProgram } from './programs';

/** The console's runner: the fixed allow-list, the server's PATH, and only the environment a child needs. */
export function createConsoleRunner(env: { path: string; runtimeDir?: string }): ExecRunner {
  const baseEnv: Record<string, string> = {};
  // PipeWire clients find the daemon through XDG_RUNTIME_DIR; nothing else of the server's environment leaks.
  if (env.runtimeDir) baseEnv.XDG_RUNTIME_DIR = env.runtimeDir;
  return createRunner({ allow: ALLOWED_PROGRAMS, path: env.path, baseEnv });
}
