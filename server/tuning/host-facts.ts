import { gunzipSync } from 'node:zlib';
import { readFile, stat } from 'node:fs/promises';
import type { HostRoot } from '../host-root';
import { tryParseCpuList } from './cpu-list';

/**
 * One check run's view of the host: every read goes through the host root, is done once and shared by all checks
 * (several read /proc/cmdline or the kernel config), and is remembered so the report and the benchmark know
 * exactly which files were read. No child process: everything is a file read.
 */
export class HostFacts {
  private readonly cache = new Map<string, Promise<string | null>>();
  private readonly lists = new Map<string, Promise<string[]>>();
  /** Every host path read in this run, in first-read order. */
  readonly pathsRead: string[] = [];

  constructor(readonly host: HostRoot, readonly self: { uid: number } = { uid: process.getuid?.() ?? -1 }) {}

  /** Trimmed content, or null when missing or unreadable. */
  value(hostPath: string): Promise<string | null> {
    let hit = this.cache.get(hostPath);
    if (!hit) {
      this.pathsRead.push(hostPath);
      hit = this.host.readOptional(hostPath).then((t) => (t === null ? null : t.trim()));
      this.cache.set(hostPath, hit);
    }
    return hit;
  }

  list(hostPath: string): Promise<string[]> {
    let hit = this.lists.get(hostPath);
    if (!hit) {
      hit = this.host.list(hostPath);
      this.lists.set(hostPath, hit);
    }
    return hit;
  }

  /** Mode, owner and group of a host path (for device nodes), or null. */
  async stat(hostPath: string): Promise<{ mode: number; uid: number; gid: number } | null> {
    try {
      this.pathsRead.push(hostPath);
      const s = await stat(await this.host.resolveReal(hostPath));
      return { mode: s.mode & 0o7777, uid: s.uid, gid: s.gid };
    } catch {
      return null;
    }
  }

  // ---- derived facts, each computed once ----

  private memo = new Map<string, Promise<unknown>>();
  private once<T>(key: string, fn: () => Promise<T>): Promise<T> {
    let hit = this.memo.get(key) as Promise<T> | undefined;
    if (!hit) {
      hit = fn();
      this.memo.set(key, hit);
    }
    return hit;
  }

  /** Kernel command line split into words. */
  cmdline(): Promise<{ raw: string | null; words: string[] }> {
    return this.once('cmdline', async () => {
      const raw = await this.value('/proc/cmdline');
      return { raw, words: raw ? raw.split(/\s+/).filter(Boolean) : [] };
    });
  }

  /** The value of `name=` on the command line (the last one wins, as in the kernel), or null. */
  async cmdlineParam(name: string): Promise<string | null> {
    const { words } = await this.cmdline();
    let found: string | null = null;
    for (const w of words) if (w.startsWith(`${name}=`)) found = w.slice(name.length + 1);
    return found;
  }

  async cmdlineFlag(name: string): Promise<boolean> {
    return (await this.cmdline()).words.includes(name);
  }

  /** The kernel build config: /proc/config.gz, else /boot/config-<release>. */
  kernelConfig(): Promise<{ source: string; options: Map<string, string> } | null> {
    return this.once('kconfig', async () => {
      let text: string | null = null;
      let source = '/proc/config.gz';
      this.pathsRead.push(source);
      try {
        text = gunzipSync(await readFile(await this.host.resolveReal(source))).toString('utf8');
      } catch {
        const release = await this.value('/proc/sys/kernel/osrelease');
        if (release && /^[\w.+~-]+$/.test(release)) {
          source = `/boot/config-${release}`;
          text = await this.value(source);
        }
      }
      if (text === null) return null;
      const options = new Map<string, string>();
      for (const line of text.split('\n')) {
        const m = /^(CONFIG_\w+)=(.*)$/.exec(line.trim());
        if (m) options.set(m[1], m[2]);
      }
      return { source, options };
    });
  }

  /** Online CPUs (from /sys/devices/system/cpu/online, else the cpuN folders). */
  onlineCpus(): Promise<number[]> {
    return this.once('online', async () => {
      const parsed = tryParseCpuList(await this.value('/sys/devices/system/cpu/online'));
      if (parsed && parsed.length > 0) return parsed;
      const names = await this.list('/sys/devices/system/cpu');
      return names
        .map((n) => /^cpu(\d+)$/.exec(n))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => Number(m[1]))
        .sort((a, b) => a - b);
    });
  }

  /** IRQ number -> its action names (the drivers on that line), from /sys/kernel/irq, else /proc/interrupts. */
  irqActions(): Promise<{ source: string; irqs: Map<number, string[]> } | null> {
    return this.once('irqs', async () => {
      const irqs = new Map<number, string[]>();
      const numbers = (await this.list('/sys/kernel/irq')).filter((n) => /^\d+$/.test(n));
      if (numbers.length > 0) {
        const actions = await Promise.all(numbers.map((n) => this.value(`/sys/kernel/irq/${n}/actions`)));
        numbers.forEach((n, i) => {
          const a = actions[i];
          if (a) irqs.set(Number(n), a.split(',').map((s) => s.trim()).filter(Boolean));
        });
        return { source: '/sys/kernel/irq/*/actions', irqs };
      }
      const text = await this.value('/proc/interrupts');
      if (!text) return null;
      const lines = text.split('\n');
      const cpuCount = (lines[0] ?? '').trim().split(/\s+/).filter(Boolean).length;
      for (const line of lines.slice(1)) {
        const m = /^\s*(\d+):\s+(.*)$/.exec(line);
        if (!m) continue;
        // after the per-CPU counts come the chip, the hwirq/trigger and the actions
        const rest = m[2].trim().split(/\s+/).slice(cpuCount + 2).join(' ');
        irqs.set(Number(m[1]), rest.split(',').map((s) => s.trim()).filter(Boolean));
      }
      return { source: '/proc/interrupts', irqs };
    });
  }

  /** Processes: pid, name, scheduling policy and RT priority, from /proc/<pid>/stat. */
  processes(): Promise<ProcInfo[]> {
    return this.once('procs', async () => {
      const pids = (await this.list('/proc')).filter((n) => /^\d+$/.test(n));
      const stats = await Promise.all(pids.map((pid) => this.host.readOptional(`/proc/${pid}/stat`)));
      this.pathsRead.push('/proc/*/stat');
      const out: ProcInfo[] = [];
      pids.forEach((pid, i) => {
        const parsed = parseProcStat(stats[i]);
        if (parsed) out.push({ pid: Number(pid), ...parsed });
      });
      return out;
    });
  }

  /** Group name -> gid and members, from /etc/group. */
  groups(): Promise<Map<string, { gid: number; members: string[] }>> {
    return this.once('groups', async () => {
      const map = new Map<string, { gid: number; members: string[] }>();
      for (const line of ((await this.value('/etc/group')) ?? '').split('\n')) {
        const [name, , gid, members] = line.split(':');
        if (name && gid && /^\d+$/.test(gid)) map.set(name, { gid: Number(gid), members: (members ?? '').split(',').filter(Boolean) });
      }
      return map;
    });
  }
}

export interface ProcInfo {
  pid: number;
  name: string;
  /** 0 other, 1 fifo, 2 rr, 3 batch, 5 idle, 6 deadline */
  policy: number;
  rtPriority: number;
}

export const POLICY_NAMES: Record<number, string> = { 0: 'other', 1: 'fifo', 2: 'rr', 3: 'batch', 5: 'idle', 6: 'deadline' };

/** Fields of /proc/<pid>/stat: the name is in parentheses (and may contain spaces or parentheses itself). */
export function parseProcStat(text: string | null): { name: string; policy: number; rtPriority: number } | null {
  if (!text) return null;
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const name = text.slice(open + 1, close);
  // after ") " come field 3 (state) onward; rt_priority is field 40, policy field 41
  const rest = text.slice(close + 2).trim().split(/\s+/);
  const rtPriority = Number(rest[40 - 3]);
  const policy = Number(rest[41 - 3]);
  if (!Number.isFinite(rtPriority) || !Number.isFinite(policy)) return null;
  return { name, policy, rtPriority };
}

/** Rewrite the rt_priority and policy fields of a stat line (the host-tree stand-in for sched_setscheduler). */
export function withSchedFields(text: string, policy: number, rtPriority: number): string {
  const close = text.lastIndexOf(')');
  const head = text.slice(0, close + 2);
  const rest = text.slice(close + 2).trim().split(/\s+/);
  rest[40 - 3] = String(rtPriority);
  rest[41 - 3] = String(policy);
  return `${head}${rest.join(' ')}\n`;
}
