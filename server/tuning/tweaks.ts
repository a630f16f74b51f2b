import { open } from 'node:fs/promises';
import { CpuListError, formatCpuList, parseCpuList, tryParseCpuList } from './cpu-list';
import { audioIrqs, pciAudioDevices, readPciLatency, usbAudioDevices } from './devices';
import { TuningError } from './errors';
import { parseProcStat, POLICY_NAMES, type HostFacts } from './host-facts';
import type { PlannedWrite, TweakId, TweakInfo, TweakParams, TweakPlan } from './types';
import type { SchedPolicy } from './writer';

/**
 * The tweaks: each turns parameters into an exact list of writes (path, value now, value to write), refusing
 * values this machine cannot take. The service applies a plan, saves the old values and reverts them.
 */

export const TWEAKS: Record<TweakId, TweakInfo> = {
  governor: {
    id: 'governor',
    title: 'CPU governor',
    description: 'Set the cpufreq governor of every online CPU (or the chosen ones).',
    params: [
      { name: 'governor', label: 'Governor', kind: 'choice', default: 'performance', choices: ['performance', 'schedutil', 'powersave', 'ondemand'] },
      { name: 'cpus', label: 'CPUs (empty: all)', kind: 'cpus' },
    ],
    privileged: true,
  },
  swappiness: {
    id: 'swappiness',
    title: 'vm.swappiness',
    description: 'How eagerly the kernel swaps out memory (0-200).',
    params: [{ name: 'value', label: 'Swappiness', kind: 'number', default: 10 }],
    privileged: true,
  },
  inotify: {
    id: 'inotify',
    title: 'inotify watches',
    description: 'fs.inotify.max_user_watches (8192-4194304).',
    params: [{ name: 'value', label: 'Watches per user', kind: 'number', default: 524288 }],
    privileged: true,
  },
  'irq-affinity': {
    id: 'irq-affinity',
    title: 'Sound/USB IRQ affinity',
    description: 'Pin the sound (and, if chosen, USB host) IRQs to the chosen CPUs.',
    params: [
      { name: 'cpus', label: 'CPUs', kind: 'cpus' },
      { name: 'irqs', label: 'IRQs (empty: the sound IRQs)', kind: 'names' },
    ],
    privileged: true,
  },
  'timer-freq': {
    id: 'timer-freq',
    title: 'RTC/HPET max user frequency',
    description: 'Raise /sys/class/rtc/rtc0/max_user_freq and dev.hpet.max-user-freq (64-8192 Hz).',
    params: [{ name: 'value', label: 'Hz', kind: 'number', default: 2048 }],
    privileged: true,
  },
  'pci-latency': {
    id: 'pci-latency',
    title: 'PCI latency timer of the sound card',
    description: 'The PCI latency timer of the PCI audio devices (hex 00-ff; conventional PCI only, PCIe ignores it).',
    params: [
      { name: 'value', label: 'Latency (hex)', kind: 'choice', default: 'ff', choices: ['ff', 'b0', '80', '40'] },
      { name: 'slot', label: 'PCI slot (empty: every audio device)', kind: 'choice' },
    ],
    privileged: true,
  },
  'usb-autosuspend': {
    id: 'usb-autosuspend',
    title: 'USB autosuspend off for audio interfaces',
    description: 'Write "on" to power/control of every USB device with an audio interface.',
    params: [],
    privileged: true,
  },
  'cpu-dma-latency': {
    id: 'cpu-dma-latency',
    title: 'Hold /dev/cpu_dma_latency at 0',
    description: 'Keep the CPUs out of deep idle states for as long as the console runs (released on revert or shutdown).',
    params: [],
    privileged: false,
  },
  chrt: {
    id: 'chrt',
    title: 'Real-time priority of audio processes',
    description: 'chrt the named processes (or IRQ threads like irq/16-snd_hda_) to SCHED_FIFO at the chosen priority.',
    params: [
      { name: 'names', label: 'Process names', kind: 'names', default: 'ardour' },
      { name: 'priority', label: 'Priority (1-99)', kind: 'number', default: 80 },
      { name: 'policy', label: 'Policy', kind: 'choice', default: 'fifo', choices: ['fifo', 'rr'] },
    ],
    privileged: true,
  },
};

export const isTweakId = (id: string): id is TweakId => Object.hasOwn(TWEAKS, id);

// ---- parameter readers: each refuses a value with a message that says what would be accepted ----

function intParam(params: TweakParams, name: string, min: number, max: number, fallback: number): number {
  const raw = params[name] ?? fallback;
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw new TuningError('invalid-input', `${name} must be a whole number from ${min} to ${max}, not ${JSON.stringify(raw)}.`);
  return n;
}

function listParam(params: TweakParams, name: string): string[] {
  const raw = params[name];
  if (raw === undefined || raw === '') return [];
  const list = Array.isArray(raw) ? raw : String(raw).split(/[\s,]+/);
  return list.map((s) => s.trim()).filter(Boolean);
}

async function cpusParam(facts: HostFacts, raw: unknown, required: boolean): Promise<number[] | null> {
  if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) {
    if (required) throw new TuningError('invalid-input', 'Choose at least one CPU.');
    return null;
  }
  let cpus: number[];
  try {
    cpus = parseCpuList(String(raw));
  } catch (err) {
    if (err instanceof CpuListError) throw new TuningError('invalid-input', `Bad CPU list: ${err.message}.`);
    throw err;
  }
  const online = await facts.onlineCpus();
  const unknown = cpus.filter((c) => !online.includes(c));
  if (unknown.length > 0) throw new TuningError('invalid-input', `CPU ${formatCpuList(unknown)} ${unknown.length === 1 ? 'does' : 'do'} not exist here (online: ${formatCpuList(online)}).`);
  if (cpus.length === 0) throw new TuningError('invalid-input', 'Choose at least one CPU.');
  return cpus;
}

const SAFE_NAME = /^[\w.:/+-]{1,15}$/;

// ---- plans ----

type Planner = (facts: HostFacts, params: TweakParams) => Promise<{ writes: PlannedWrite[]; params: TweakParams }>;

const fileWrite = async (facts: HostFacts, path: string, value: string): Promise<PlannedWrite> => ({ kind: 'file', path, old: await facts.value(path), new: value });

const planners: Record<TweakId, Planner> = {
  async governor(facts, params) {
    const governor = String(params.governor ?? 'performance');
    if (!/^(performance|powersave|schedutil|ondemand|conservative|userspace)$/.test(governor)) throw new TuningError('invalid-input', `Unknown governor "${governor}".`);
    const cpus = (await cpusParam(facts, params.cpus, false)) ?? (await facts.onlineCpus());
    const writes: PlannedWrite[] = [];
    for (const cpu of cpus) {
      const dir = `/sys/devices/system/cpu/cpu${cpu}/cpufreq`;
      const current = await facts.value(`${dir}/scaling_governor`);
      if (current === null) continue;
      const available = await facts.value(`${dir}/scaling_available_governors`);
      if (available && !available.split(/\s+/).includes(governor)) throw new TuningError('invalid-input', `CPU ${cpu} offers only ${available}, not ${governor}.`);
      writes.push({ kind: 'file', path: `${dir}/scaling_governor`, old: current, new: governor });
    }
    if (writes.length === 0) throw new TuningError('unavailable', 'No cpufreq on this machine: the firmware or the hypervisor sets the clock.');
    return { writes, params: { governor, cpus: formatCpuList(cpus) } };
  },

  async swappiness(facts, params) {
    const value = intParam(params, 'value', 0, 200, 10);
    return { writes: [await fileWrite(facts, '/proc/sys/vm/swappiness', String(value))], params: { value } };
  },

  async inotify(facts, params) {
    const value = intParam(params, 'value', 8192, 4194304, 524288);
    return { writes: [await fileWrite(facts, '/proc/sys/fs/inotify/max_user_watches', String(value))], params: { value } };
  },

  async 'irq-affinity'(facts, params) {
    const cpus = (await cpusParam(facts, params.cpus, true))!;
    const found = await audioIrqs(facts);
    if (!found || found.irqs.length === 0) throw new TuningError('unavailable', 'No sound card or USB host controller IRQ found on this machine.');
    const wanted = listParam(params, 'irqs');
    const chosen = wanted.length === 0 ? found.irqs.filter((i) => i.kind === 'sound') : found.irqs.filter((i) => wanted.includes(String(i.irq)));
    const foreign = wanted.filter((w) => !found.irqs.some((i) => String(i.irq) === w));
    if (foreign.length > 0) throw new TuningError('invalid-input', `IRQ ${foreign.join(', ')} ${foreign.length === 1 ? 'is' : 'are'} not a sound or USB IRQ (those are ${found.irqs.map((i) => i.irq).join(', ')}).`);
    if (chosen.length === 0) throw new TuningError('invalid-input', 'No sound IRQ to pin: name the USB IRQs explicitly.');
    const list = formatCpuList(cpus);
    const writes = await Promise.all(chosen.map((i) => fileWrite(facts, `/proc/irq/${i.irq}/smp_affinity_list`, list)));
    return { writes, params: { cpus: list, irqs: chosen.map((i) => String(i.irq)) } };
  },

  async 'timer-freq'(facts, params) {
    const value = intParam(params, 'value', 64, 8192, 2048);
    const writes: PlannedWrite[] = [];
    for (const path of ['/sys/class/rtc/rtc0/max_user_freq', '/proc/sys/dev/hpet/max-user-freq']) {
      const w = await fileWrite(facts, path, String(value));
      if (w.old !== null) writes.push(w);
    }
    if (writes.length === 0) throw new TuningError('unavailable', 'No RTC or HPET device on this machine.');
    return { writes, params: { value } };
  },

  async 'pci-latency'(facts, params) {
    const value = String(params.value ?? 'ff').toLowerCase();
    if (!/^[0-9a-f]{1,2}$/.test(value)) throw new TuningError('invalid-input', `The latency must be hex 00-ff, not "${value}".`);
    const hex = value.padStart(2, '0');
    const devices = await pciAudioDevices(facts);
    const slot = params.slot ? String(params.slot) : '';
    const chosen = slot ? devices.filter((d) => d.slot === slot || d.slot === `0000:${slot}`) : devices;
    if (devices.length === 0) throw new TuningError('unavailable', 'No PCI audio device on this machine.');
    if (chosen.length === 0) throw new TuningError('invalid-input', `${slot} is not a PCI audio device (those are ${devices.map((d) => d.slot).join(', ')}).`);
    const writes: PlannedWrite[] = await Promise.all(
      chosen.map(async (d) => ({ kind: 'pci-latency' as const, slot: d.slot, path: d.configPath, old: await readPciLatency(facts, d.configPath), new: hex })),
    );
    return { writes, params: { value: hex, slot } };
  },

  async 'usb-autosuspend'(facts) {
    const devices = await usbAudioDevices(facts);
    if (devices.length === 0) throw new TuningError('unavailable', 'No USB audio interface is plugged in.');
    const writes = (await Promise.all(devices.map((d) => fileWrite(facts, d.controlPath, 'on')))).filter((w) => w.old !== null);
    return { writes, params: {} };
  },

  async 'cpu-dma-latency'(facts) {
    const old = await readDmaLatency(facts);
    if (old === null) throw new TuningError('unavailable', '/dev/cpu_dma_latency does not exist on this machine.');
    return { writes: [{ kind: 'hold', path: '/dev/cpu_dma_latency', old, new: '0' }], params: {} };
  },

  async chrt(facts, params) {
    const names = listParam(params, 'names');
    if (names.length === 0) throw new TuningError('invalid-input', 'Name at least one process.');
    const bad = names.filter((n) => !SAFE_NAME.test(n));
    if (bad.length > 0) throw new TuningError('invalid-input', `Not a process name: ${bad.join(', ')} (up to 15 letters, digits and . _ : / + -).`);
    const priority = intParam(params, 'priority', 1, 99, 80);
    const policy = String(params.policy ?? 'fifo');
    if (policy !== 'fifo' && policy !== 'rr') throw new TuningError('invalid-input', 'The policy must be fifo or rr.');
    const procs = (await facts.processes()).filter((p) => names.includes(p.name) && p.pid > 1);
    const missing = names.filter((n) => !procs.some((p) => p.name === n));
    if (procs.length === 0) throw new TuningError('not-found', `No running process is called ${names.join(' or ')}.`);
    const writes: PlannedWrite[] = procs.map((p) => ({
      kind: 'chrt',
      pid: p.pid,
      name: p.name,
      path: `/proc/${p.pid}/stat`,
      old: `${POLICY_NAMES[p.policy] ?? p.policy} ${p.rtPriority}`,
      new: `${policy} ${priority}`,
    }));
    return { writes, params: { names, priority, policy, ...(missing.length ? { notRunning: missing } : {}) } };
  },
};

/** The dry run: what a tweak would write, with the values read now. Writes already in force are left out. */
export async function planTweak(facts: HostFacts, id: TweakId, params: TweakParams): Promise<TweakPlan> {
  const { writes, params: normalised } = await planners[id](facts, params);
  const notes: string[] = [];
  const needed = writes.filter((w) => {
    const same = sameValue(w.path, w.old, w.new);
    if (same) notes.push(`${describeTarget(w)} is already ${w.new}.`);
    return !same;
  });
  if (Array.isArray(normalised.notRunning)) notes.push(`Not running: ${normalised.notRunning.join(', ')}.`);
  return { tweak: id, params: normalised, title: TWEAKS[id].title, writes: needed, notes };
}

export function describeTarget(w: PlannedWrite): string {
  if (w.kind === 'chrt') return `${w.name} (pid ${w.pid})`;
  if (w.kind === 'pci-latency') return `PCI ${w.slot} latency timer`;
  return w.path;
}

/** Values compare as the kernel prints them: CPU lists by their CPUs. */
export function sameValue(path: string, a: string | null, b: string | null): boolean {
  if (a === null || b === null) return a === b;
  if (path.endsWith('smp_affinity_list')) {
    const x = tryParseCpuList(a);
    const y = tryParseCpuList(b);
    return x !== null && y !== null && formatCpuList(x) === formatCpuList(y);
  }
  return a.trim() === b.trim();
}

/** /dev/cpu_dma_latency reads back as a 32-bit integer: the latency target in force, in microseconds. */
export async function readDmaLatency(facts: HostFacts): Promise<string | null> {
  try {
    const handle = await open(await facts.host.resolveReal('/dev/cpu_dma_latency'), 'r');
    try {
      const buf = Buffer.alloc(4);
      const { bytesRead } = await handle.read(buf, 0, 4, 0);
      return bytesRead === 4 ? String(buf.readInt32LE(0)) : null;
    } finally {
      await handle.close();
    }
  } catch {
    return null;
  }
}

/** Re-read what a write's target holds now (a fresh HostFacts: nothing cached from before the write). */
export async function readCurrent(facts: HostFacts, w: PlannedWrite): Promise<string | null> {
  switch (w.kind) {
    case 'file':
      return facts.value(w.path);
    case 'pci-latency':
      return readPciLatency(facts, w.path);
    case 'hold':
      return readDmaLatency(facts);
    case 'chrt': {
      const parsed = parseProcStat(await facts.host.readOptional(w.path));
      return parsed && parsed.name === w.name ? `${POLICY_NAMES[parsed.policy] ?? parsed.policy} ${parsed.rtPriority}` : null;
    }
  }
}

export function parseSched(value: string): { policy: SchedPolicy; priority: number } | null {
  const m = /^(fifo|rr|other) (\d+)$/.exec(value);
  return m ? { policy: m[1] as SchedPolicy, priority: Number(m[2]) } : null;
}

/** "Make permanent": the NixOS settings (our rt-audio module's options first) that keep these tweaks across reboots. */
export function nixosSnippet(tweaks: { tweak: TweakId; params: TweakParams }[]): string {
  const lines = new Set<string>();
  const extra: string[] = [];
  for (const { tweak, params } of tweaks) {
    switch (tweak) {
      case 'governor':
        lines.add(`archibald.rtAudio.cpu.governor = "${params.governor ?? 'performance'}";`);
        break;
      case 'swappiness':
        lines.add(`archibald.rtAudio.swappiness = ${params.value ?? 10};`);
        break;
      case 'inotify':
        lines.add(`archibald.rtAudio.inotifyMaxUserWatches = ${params.value ?? 524288};`);
        break;
      case 'timer-freq':
        lines.add(`archibald.rtAudio.timerMaxUserFreq = ${params.value ?? 2048};`);
        break;
      case 'pci-latency':
        lines.add(`archibald.rtAudio.soundcardPciId = "${String(params.slot || 'BUS:DEV.FN').replace(/^0000:/, '')}"; # musnix sets its latency timer to ff at boot`);
        break;
      case 'usb-autosuspend':
        lines.add('boot.kernelParams = [ "usbcore.autosuspend=-1" ];');
        break;
      case 'cpu-dma-latency':
        lines.add('archibald.rtAudio.cpu.maxCState = 1; # a permanent limit instead of holding /dev/cpu_dma_latency');
        break;
      case 'irq-affinity': {
        const irqs = Array.isArray(params.irqs) ? params.irqs : [];
        extra.push(
          `# the rt-audio module has no per-IRQ pinning; a oneshot at boot (IRQ numbers can change with the hardware):\nsystemd.services.archibald-irq-affinity = {\n  wantedBy = [ "multi-user.target" ];\n  serviceConfig.Type = "oneshot";\n  script = ''\n${irqs.map((i) => `    echo ${params.cpus} > /proc/irq/${i}/smp_affinity_list`).join('\n')}\n  '';\n};`,
        );
        break;
      }
      case 'chrt': {
        const names = Array.isArray(params.names) ? params.names : [];
        if (names.some((n) => n.startsWith('irq/'))) lines.add('archibald.rtAudio.rtirq.enable = true; # rtirq raises sound and USB IRQ threads at boot');
        const apps = names.filter((n) => !n.startsWith('irq/'));
        if (apps.length) extra.push(`# ${apps.join(', ')}: run them from a JACK/PipeWire client that asks for RT itself (rtkit is on); chrt does not survive a restart of the program.`);
        break;
      }
    }
  }
  return [...lines, ...extra].join('\n');
}
