import { open, readFile, realpath, writeFile } from 'node:fs/promises';
import { ExecError, type ExecRunner } from '../exec';
import type { HostRoot } from '../host-root';
import { TuningError } from './errors';
import { parseProcStat, withSchedFields } from './host-facts';

export type SchedPolicy = 'fifo' | 'rr' | 'other';
export const POLICY_NUMBERS: Record<SchedPolicy, number> = { other: 0, fifo: 1, rr: 2 };

/**
 * Every privileged change the tuning domain makes goes through one of these three verbs, the same three the
 * helper grants (nix/pkgs/archibald-helper). Two implementations:
 * - HelperWriter: `sudo -n archibald-helper VERB ...` on the box (the sudo rule names the helper's store path);
 * - HostTreeWriter: writes into a host-root tree (tests, the e2e console), so tests read the effect back.
 */
export interface PrivilegedWriter {
  readonly kind: 'helper' | 'host-tree';
  write(hostPath: string, value: string): Promise<void>;
  /** The PCI latency timer (config byte 0x0d), as two hex digits. */
  setPciLatency(slot: string, hex: string): Promise<void>;
  chrt(policy: SchedPolicy, priority: number, pid: number): Promise<void>;
}

export class HelperWriter implements PrivilegedWriter {
  readonly kind = 'helper';
  private helperPath: Promise<string> | null = null;

  constructor(private readonly exec: ExecRunner) {}

  /** The helper's real path: sudo matches the rule's store path, not the profile symlink in PATH. */
  private async helper(): Promise<string> {
    this.helperPath ??= (async () => {
      const found = await this.exec.which('archibald-helper');
      if (!found) {
        this.helperPath = null;
        throw new TuningError('write-failed', 'archibald-helper is not installed: enable services.archibald-console.helper on the box.');
      }
      return realpath(found).catch(() => found);
    })();
    return this.helperPath;
  }

  private async call(args: string[]): Promise<void> {
    const helper = await this.helper();
    try {
      await this.exec.run('sudo', ['-n', helper, ...args], { timeoutMs: 10_000 });
    } catch (err) {
      if (err instanceof ExecError) {
        const detail = err.result ? (err.result.stderr.trim().split('\n').at(-1) ?? '') : '';
        throw new TuningError('write-failed', `The helper refused "${args.join(' ')}": ${detail || err.message}`);
      }
      throw err;
    }
  }

  write(hostPath: string, value: string) {
    return this.call(['write', hostPath, value]);
  }

  setPciLatency(slot: string, hex: string) {
    return this.call(['setpci-latency', slot, hex]);
  }

  chrt(policy: SchedPolicy, priority: number, pid: number) {
    return this.call(['chrt', policy, String(priority), String(pid)]);
  }
}

/** Writes land in the host-root tree, the way the kernel would show them afterwards. */
export class HostTreeWriter implements PrivilegedWriter {
  readonly kind = 'host-tree';
  /** Every call, in order (tests assert on it as they would on the helper's audit log). */
  readonly calls: string[] = [];

  constructor(private readonly host: HostRoot) {}

  private async existing(hostPath: string): Promise<string> {
    try {
      return await this.host.resolveReal(hostPath);
    } catch {
      throw new TuningError('write-failed', `No such file: ${hostPath}`);
    }
  }

  async write(hostPath: string, value: string) {
    this.calls.push(`write ${hostPath} ${value}`);
    await writeFile(await this.existing(hostPath), `${value}\n`);
  }

  async setPciLatency(slot: string, hex: string) {
    this.calls.push(`setpci-latency ${slot} ${hex}`);
    const file = await this.existing(`/sys/bus/pci/devices/${slot}/config`);
    const handle = await open(file, 'r+');
    try {
      await handle.write(Buffer.from([parseInt(hex, 16)]), 0, 1, 0x0d);
    } finally {
      await handle.close();
    }
  }

  async chrt(policy: SchedPolicy, priority: number, pid: number) {
    this.calls.push(`chrt ${policy} ${priority} ${pid}`);
    const file = await this.existing(`/proc/${pid}/stat`);
    const text = await readFile(file, 'utf8');
    if (!parseProcStat(text)) throw new TuningError('write-failed', `No such process: ${pid}`);
    await writeFile(file, withSchedFields(text, POLICY_NUMBERS[policy], priority));
  }
}

/** The helper on the real root, the tree writer on a test tree. */
export function createWriter(host: HostRoot, exec: ExecRunner): PrivilegedWriter {
  return host.root === '/' ? new HelperWriter(exec) : new HostTreeWriter(host);
}
