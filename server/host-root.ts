import { readFileSync } from 'node:fs';
import { readdir, readFile, realpath } from 'node:fs/promises';
import path from 'node:path';

/**
 * Every OS path the console reads or writes goes through one host root: `/` on the box, a temporary tree laid
 * out like a real machine in tests. Paths are written as they are on the box (`/proc/stat`) and resolved here,
 * so no caller can build a path outside the root, and tests run the same code against real files.
 */
export class HostPathError extends Error {
  constructor(readonly hostPath: string, reason: string) {
    super(`refusing host path ${JSON.stringify(hostPath)}: ${reason}`);
    this.name = 'HostPathError';
  }
}

export class HostRoot {
  readonly root: string;

  constructor(root: string) {
    if (!path.isAbsolute(root)) throw new Error(`host root must be absolute, got ${root}`);
    this.root = path.resolve(root);
  }

  /** Map a host path like `/proc/stat` to where it lives under the root. Refuses anything that could escape it. */
  resolve(hostPath: string): string {
    if (!path.isAbsolute(hostPath)) throw new HostPathError(hostPath, 'host paths must be absolute');
    if (hostPath.includes('\0')) throw new HostPathError(hostPath, 'contains a NUL byte');
    // Refused outright rather than normalised away: a path with ".." in it is a mistake or an attack.
    if (hostPath.split('/').includes('..')) throw new HostPathError(hostPath, 'contains ".."');
    return path.join(this.root, path.posix.normalize(hostPath));
  }

  /**
   * Like resolve(), and also follows symlinks to check the target stays under the root
   * (sysfs is full of links; in a test tree a link must not reach the real /sys).
   */
  async resolveReal(hostPath: string): Promise<string> {
    const mapped = this.resolve(hostPath);
    const real = await realpath(mapped);
    if (this.root !== '/' && real !== this.root && !real.startsWith(this.root + path.sep)) {
      throw new HostPathError(hostPath, 'a symlink leads outside the host root');
    }
    return real;
  }

  async read(hostPath: string): Promise<string> {
    return readFile(await this.resolveReal(hostPath), 'utf8');
  }

  /** The file's content, or null when it does not exist or cannot be read (a missing sysfs knob is normal). */
  async readOptional(hostPath: string): Promise<string | null> {
    try {
      return await this.read(hostPath);
    } catch (err) {
      if (err instanceof HostPathError) throw err;
      return null;
    }
  }

  /** Trimmed content or null. */
  async readValue(hostPath: string): Promise<string | null> {
    const text = await this.readOptional(hostPath);
    return text === null ? null : text.trim();
  }

  /**
   * A reader for a file that is read many times (a /proc counter on every sample): the path is resolved and
   * checked once, then each call is one synchronous read. procfs and sysfs reads come from kernel memory and
   * take microseconds, where a promise-based read costs ten times more in thread-pool round trips.
   * Returns null on each call where the file cannot be read (it vanished, or never existed).
   */
  async syncReader(hostPath: string): Promise<() => string | null> {
    let real: string | null;
    try {
      real = await this.resolveReal(hostPath);
    } catch (err) {
      if (err instanceof HostPathError) throw err;
      real = null;
    }
    return () => {
      if (real === null) return null;
      try {
        return readFileSync(real, 'utf8');
      } catch {
        return null;
      }
    };
  }

  /** Entry names of a directory, sorted; empty when it does not exist. */
  async list(hostPath: string): Promise<string[]> {
    try {
      return (await readdir(await this.resolveReal(hostPath))).sort();
    } catch (err) {
      if (err instanceof HostPathError) throw err;
      return [];
    }
  }
}
