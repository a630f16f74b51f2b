export type TuningErrorCode =
  | 'invalid-input' // a value or CPU list that cannot be used on this machine
  | 'not-found' // no such applied tweak, no process of that name
  | 'conflict' // already in force, already applied, a benchmark already running
  | 'unavailable' // the machine lacks the thing (no cpufreq, no cyclictest)
  | 'write-failed'; // the helper (or the file system) refused a write

/** The tuning domain's typed error; its message is written for the person who pressed the button. */
export class TuningError extends Error {
  constructor(readonly code: TuningErrorCode, message: string) {
    super(message);
    this.name = 'TuningError';
  }
}
