/** One result and one error shape for every child process the console starts. */

export interface ExecResult {
  program: string;
  args: readonly string[];
  /** Exit code, or null when the child was ended by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
}

export type ExecErrorKind =
  | 'not-allowed' // the program is not on the allow-list
  | 'not-found' // allowed, but not installed on this host
  | 'spawn' // the OS refused to start it
  | 'timeout' // killed because it ran past its time limit
  | 'output-limit' // killed because it printed more than we accept
  | 'aborted' // the caller cancelled it
  | 'exit'; // it ran and exited with a code we do not accept

export class ExecError extends Error {
  readonly kind: ExecErrorKind;
  readonly program: string;
  readonly result?: ExecResult;

  constructor(kind: ExecErrorKind, program: string, message: string, result?: ExecResult) {
    super(message);
    this.name = 'ExecError';
    this.kind = kind;
    this.program = program;
    this.result = result;
  }
}

/** The last non-empty line of stderr (or stdout): what a person needs to see in an error message. */
export function lastLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.at(-1)?.slice(0, 300) ?? '';
}
