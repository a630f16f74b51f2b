import { formatCpuList, sameCpus, tryParseCpuList } from './cpu-list';
import { audioIrqs, usbAudioDevices } from './devices';
import { POLICY_NAMES, type HostFacts } from './host-facts';
import type { CheckArea, CheckFix, CheckResult, CheckStatus, Evidence } from './types';

/**
 * The real-time readiness checks. Each reads the host through HostFacts (never starts a process), says what it
 * found with the evidence it read, why it matters, and how to fix it now (a tweak) and for good (a NixOS snippet
 * of our rt-audio module). A missing file gives "unknown" or "not applicable" with a reason, never an exception.
 */

/** What the audio domain knows about the graph clock in force. */
export interface ClockInForce {
  rate: number;
  quantum: number;
  /** Where the numbers came from, for the evidence line (e.g. "pipewire settings metadata"). */
  source: string;
}
export interface ClockProvider {
  clockInForce(): Promise<ClockInForce | null>;
}

export interface CheckOptions {
  /** The group that holds the RT limits and the device rights (musnix: audio). */
  audioGroup?: string;
  clock?: ClockProvider;
  /** Whether this console is holding /dev/cpu_dma_latency at 0 right now. */
  dmaLatencyHeld?: boolean;
}

interface CheckDef {
  id: string;
  title: string;
  area: CheckArea;
  why: string;
  link: string;
  run(facts: HostFacts, opts: CheckOptions): Promise<Verdict>;
}

interface Verdict {
  status: CheckStatus;
  summary: string;
  evidence: Evidence[];
  fix?: CheckFix;
}

const WIKI = 'https://wiki.linuxaudio.org/wiki/system_configuration';
const KPARAMS = 'https://docs.kernel.org/admin-guide/kernel-parameters.html';
const MODULE_ON = 'archibald.rtAudio.enable = true;';

const ev = (source: string, value: string | null): Evidence => ({ source, value });
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

// ---------------------------------------------------------------------------------------------------------------
// limits

const runningUser: CheckDef = {
  id: 'running-user',
  title: 'Checked as',
  area: 'limits',
  why: 'Checks of what a process may do (RT priority, /dev/cpu_dma_latency) answer for the user who runs them, so root hides what the audio user lacks.',
  link: WIKI,
  async run(facts) {
    const uid = facts.self.uid;
    if (uid === 0) {
      return {
        status: 'warn',
        summary: 'Running as root: the per-process checks show root\'s rights; the group checks still show the audio user\'s.',
        evidence: [ev('uid', '0')],
        fix: { runtime: 'Run `archibald tune check` as the audio user (or look at the console, which runs as its own user).' },
      };
    }
    return { status: 'pass', summary: `Running as uid ${uid}, not root.`, evidence: [ev('uid', String(uid))] };
  },
};

interface LimitLine {
  file: string;
  domain: string;
  type: string;
  item: string;
  value: string;
}

async function limitLines(facts: HostFacts): Promise<{ lines: LimitLine[]; files: string[] }> {
  const files = ['/etc/security/limits.conf', ...(await facts.list('/etc/security/limits.d')).filter((f) => f.endsWith('.conf')).map((f) => `/etc/security/limits.d/${f}`)];
  const lines: LimitLine[] = [];
  const present: string[] = [];
  for (const file of files) {
    const text = await facts.value(file);
    if (text === null) continue;
    present.push(file);
    for (const raw of text.split('\n')) {
      const line = raw.replace(/#.*/, '').trim();
      const [domain, type, item, value] = line.split(/\s+/);
      if (domain && type && item && value) lines.push({ file, domain, type, item, value });
    }
  }
  return { lines, files: present };
}

/** The hard limit a group gets for an item (later files override earlier ones, as pam_limits reads them). */
function groupLimit(lines: LimitLine[], group: string, item: string): LimitLine | null {
  let found: LimitLine | null = null;
  for (const l of lines) if (l.domain === `@${group}` && l.item === item && (l.type === 'hard' || l.type === '-')) found = l;
  return found;
}

const audioGroupLimits: CheckDef = {
  id: 'audio-group-limits',
  title: 'RT limits of the audio group',
  area: 'limits',
  why: 'Without a high rtprio and unlimited memlock, JACK and PipeWire cannot run their threads at real-time priority or lock their memory.',
  link: `${WIKI}#audio_group`,
  async run(facts, opts) {
    const group = opts.audioGroup ?? 'audio';
    const groups = await facts.groups();
    const { lines, files } = await limitLines(facts);
    const rtprio = groupLimit(lines, group, 'rtprio');
    const memlock = groupLimit(lines, group, 'memlock');
    const evidence = [
      ev('/etc/group', groups.has(group) ? `${group}: ${groups.get(group)!.members.join(',') || '(no members)'}` : null),
      ev(rtprio?.file ?? '/etc/security/limits.conf', rtprio ? `@${group} ${rtprio.type} rtprio ${rtprio.value}` : null),
      ev(memlock?.file ?? '/etc/security/limits.conf', memlock ? `@${group} ${memlock.type} memlock ${memlock.value}` : null),
    ];
    const fix: CheckFix = {
      runtime: `Add the audio user to the ${group} group (usermod -aG ${group} USER) and log in again.`,
      nixos: `${MODULE_ON} # musnix: @audio rtprio 99, memlock unlimited\nusers.users.USER.extraGroups = [ "${group}" ];`,
    };
    if (!groups.has(group)) return { status: 'fail', summary: `There is no ${group} group.`, evidence, fix };
    if (files.length === 0) return { status: 'fail', summary: 'No limits.conf: no group has RT limits.', evidence, fix };
    const rtOk = rtprio !== null && (rtprio.value === 'unlimited' || Number(rtprio.value) >= 75);
    const memOk = memlock !== null && (memlock.value === 'unlimited' || memlock.value === '-1');
    if (rtOk && memOk) return { status: 'pass', summary: `@${group} may use rtprio ${rtprio!.value} and memlock ${memlock!.value}.`, evidence };
    const missing = [!rtOk && 'rtprio >= 75', !memOk && 'memlock unlimited'].filter(Boolean).join(' and ');
    const members = groups.get(group)!.members;
    return { status: 'fail', summary: `@${group} lacks ${missing}${members.length === 0 ? ` (and has no members)` : ''}.`, evidence, fix };
  },
};

function parseLimits(text: string | null): Map<string, { soft: string; hard: string }> {
  const map = new Map<string, { soft: string; hard: string }>();
  for (const line of (text ?? '').split('\n').slice(1)) {
    const m = /^(.+?)\s{2,}(\S+)\s+(\S+)/.exec(line);
    if (m) map.set(m[1].trim(), { soft: m[2], hard: m[3] });
  }
  return map;
}

const CAP_SYS_NICE = 23n;

const rtPriority: CheckDef = {
  id: 'rt-priority',
  title: 'Real-time priority for this user',
  area: 'limits',
  why: 'An audio thread that cannot get SCHED_FIFO competes with every other process and misses its deadline under load.',
  link: `${WIKI}#limitsconfaudioconf`,
  async run(facts) {
    const limits = parseLimits(await facts.value('/proc/self/limits'));
    const status = await facts.value('/proc/self/status');
    const rt = limits.get('Max realtime priority');
    const capHex = /^CapEff:\s*([0-9a-f]+)/m.exec(status ?? '')?.[1];
    const hasCap = capHex !== undefined && ((BigInt(`0x${capHex}`) >> CAP_SYS_NICE) & 1n) === 1n;
    const evidence = [ev('/proc/self/limits', rt ? `Max realtime priority ${rt.soft} ${rt.hard}` : null), ev('/proc/self/status', capHex ? `CapEff ${capHex}` : null)];
    if (!rt && capHex === undefined) return { status: 'unknown', summary: 'The process limits could not be read.', evidence };
    const soft = rt?.soft === 'unlimited' ? 99 : Number(rt?.soft ?? 0);
    if (soft >= 80) return { status: 'pass', summary: `SCHED_FIFO up to priority ${Math.min(soft, 99)} is allowed.`, evidence };
    if (hasCap) return { status: 'pass', summary: 'SCHED_FIFO 80 is allowed through CAP_SYS_NICE (root or a granted capability).', evidence };
    return {
      status: 'fail',
      summary: `SCHED_FIFO 80 would be refused: the RT priority limit is ${soft}.`,
      evidence,
      fix: { runtime: 'Log in again after joining the audio group, so the new limits apply.', nixos: `${MODULE_ON}\nusers.users.USER.extraGroups = [ "audio" ];` },
    };
  },
};

const cpuDmaLatency: CheckDef = {
  id: 'cpu-dma-latency',
  title: '/dev/cpu_dma_latency',
  area: 'limits',
  why: 'Audio programs hold /dev/cpu_dma_latency at 0 to keep CPUs out of deep idle states, which cost hundreds of microseconds to leave.',
  link: `${WIKI}#quality_of_service_interface`,
  async run(facts, opts) {
    const group = opts.audioGroup ?? 'audio';
    const st = await facts.stat('/dev/cpu_dma_latency');
    const gid = (await facts.groups()).get(group)?.gid;
    const held = opts.dmaLatencyHeld ? 'held at 0 by the console' : 'not held by the console';
    if (!st) return { status: 'unknown', summary: '/dev/cpu_dma_latency does not exist (no PM QoS in this kernel?).', evidence: [ev('/dev/cpu_dma_latency', null)] };
    const modeText = `mode ${st.mode.toString(8).padStart(4, '0')} uid ${st.uid} gid ${st.gid}${gid === undefined ? '' : ` (${group} is ${gid})`}; ${held}`;
    const evidence = [ev('/dev/cpu_dma_latency', modeText)];
    const groupWritable = gid !== undefined && st.gid === gid && (st.mode & 0o020) !== 0;
    const worldWritable = (st.mode & 0o002) !== 0;
    const fix: CheckFix = {
      tweak: { id: 'cpu-dma-latency', params: {}, label: 'Hold it at 0 while the console runs' },
      nixos: `${MODULE_ON} # musnix gives @${group} write access to /dev/cpu_dma_latency`,
    };
    if (groupWritable || worldWritable) {
      return { status: 'pass', summary: `Writable by ${worldWritable ? 'everyone' : `the ${group} group`}; ${held}.`, evidence, fix: opts.dmaLatencyHeld ? undefined : fix };
    }
    return { status: opts.dmaLatencyHeld ? 'warn' : 'fail', summary: `Only its owner may write it, so audio programs cannot hold it; ${held}.`, evidence, fix };
  },
};

// ---------------------------------------------------------------------------------------------------------------
// cpu

const governor: CheckDef = {
  id: 'governor',
  title: 'CPU frequency governor',
  area: 'cpu',
  why: 'A governor that lowers the clock when idle makes the first buffers after a quiet moment take longer, which shows up as xruns.',
  link: `${WIKI}#cpu_frequency_scaling`,
  async run(facts) {
    const cpus = await facts.onlineCpus();
    const values = await Promise.all(cpus.map((c) => facts.value(`/sys/devices/system/cpu/cpu${c}/cpufreq/scaling_governor`)));
    const evidence = cpus.map((c, i) => ev(`/sys/devices/system/cpu/cpu${c}/cpufreq/scaling_governor`, values[i]));
    const fix: CheckFix = {
      tweak: { id: 'governor', params: { governor: 'performance' }, label: 'Set every CPU to performance' },
      nixos: `archibald.rtAudio.cpu.governor = "performance";`,
    };
    if (cpus.length === 0) return { status: 'unknown', summary: 'No CPUs found under /sys/devices/system/cpu.', evidence };
    if (values.every((v) => v === null)) {
      return { status: 'na', summary: 'No cpufreq: the firmware or the hypervisor sets the clock, there is no governor to choose.', evidence };
    }
    const slow = cpus.filter((_, i) => values[i] !== null && values[i] !== 'performance');
    if (slow.length === 0) return { status: 'pass', summary: 'Every CPU uses the performance governor.', evidence };
    return { status: 'fail', summary: `CPU ${formatCpuList(slow)} ${slow.length === 1 ? 'uses' : 'use'} ${[...new Set(slow.map((c) => values[cpus.indexOf(c)]))].join(', ')}.`, evidence, fix };
  },
};

const smt: CheckDef = {
  id: 'smt',
  title: 'Simultaneous multithreading',
  area: 'cpu',
  why: 'Two hardware threads share one core, so an audio thread slows down whenever its sibling gets busy (DSP spikes at high load).',
  link: `${WIKI}#simultaneous_multithreading`,
  async run(facts) {
    const active = await facts.value('/sys/devices/system/cpu/smt/active');
    const control = await facts.value('/sys/devices/system/cpu/smt/control');
    const evidence = [ev('/sys/devices/system/cpu/smt/active', active), ev('/sys/devices/system/cpu/smt/control', control)];
    const fix: CheckFix = { runtime: 'echo off > /sys/devices/system/cpu/smt/control (until reboot)', nixos: 'boot.kernelParams = [ "nosmt" ];' };
    if (control === 'notsupported' || control === 'notimplemented') return { status: 'na', summary: 'This CPU has no SMT.', evidence };
    // rtcqs tests this value for emptiness, so "0" and "1" both pass there; the kernel writes 1 when SMT is on.
    if (active === '1') return { status: 'warn', summary: 'SMT is on: a trade-off of throughput against worst-case latency.', evidence, fix };
    if (active === '0') return { status: 'pass', summary: `SMT is off${control ? ` (control: ${control})` : ''}.`, evidence };
    return { status: 'unknown', summary: 'The kernel does not report SMT state.', evidence };
  },
};

function isolcpusList(value: string | null): number[] | null {
  if (value === null) return null;
  // isolcpus=[flag,...,]cpu-list: the flags are words, the list is what follows them
  const parts = value.split(',');
  const cpus = parts.filter((p) => !/^[a-z_]+$/.test(p)).join(',');
  return tryParseCpuList(cpus);
}

const cpuIsolation: CheckDef = {
  id: 'cpu-isolation',
  title: 'Isolated audio cores',
  area: 'cpu',
  why: 'Cores kept free of the scheduler (isolcpus), the tick (nohz_full) and RCU callbacks (rcu_nocbs) run audio threads without interruption; all three must name the same cores.',
  link: KPARAMS,
  async run(facts) {
    const cpus = await facts.onlineCpus();
    const [iso, nohz, rcu] = await Promise.all(['isolcpus', 'nohz_full', 'rcu_nocbs'].map((p) => facts.cmdlineParam(p)));
    const sysIsolated = await facts.value('/sys/devices/system/cpu/isolated');
    const evidence = [ev('/proc/cmdline', [iso && `isolcpus=${iso}`, nohz && `nohz_full=${nohz}`, rcu && `rcu_nocbs=${rcu}`].filter(Boolean).join(' ') || '(none of them)'), ev('/sys/devices/system/cpu/isolated', sysIsolated)];
    const suggestion = cpus.length > 1 ? cpus.filter((c) => c >= Math.ceil(cpus.length / 2) && c !== 0) : [];
    const fix: CheckFix = {
      runtime: 'These are boot parameters: they take effect after a reboot.',
      nixos: `archibald.rtAudio.cpu.count = ${cpus.length || 'N'};\narchibald.rtAudio.cpu.audioCores = [ ${suggestion.join(' ')} ];`,
    };
    if (cpus.length === 1) return { status: 'na', summary: 'One CPU: nothing to isolate.', evidence };
    const lists = { isolcpus: isolcpusList(iso), nohz_full: tryParseCpuList(nohz), rcu_nocbs: tryParseCpuList(rcu) };
    const set = Object.entries(lists).filter(([, v]) => v !== null && v.length > 0);
    if (set.length === 0) return { status: 'warn', summary: 'No cores are isolated for audio.', evidence, fix };
    const missing = Object.entries(lists).filter(([, v]) => v === null || v.length === 0).map(([k]) => k);
    if (missing.length > 0) return { status: 'warn', summary: `${set.map(([k, v]) => `${k}=${formatCpuList(v!)}`).join(', ')} but no ${missing.join(' or ')}.`, evidence, fix };
    const [first, ...rest] = set.map(([, v]) => v!);
    if (!rest.every((v) => sameCpus(v, first))) return { status: 'warn', summary: `They name different cores: ${set.map(([k, v]) => `${k}=${formatCpuList(v!)}`).join(', ')}.`, evidence, fix };
    if (first.includes(0) || first.length >= cpus.length) return { status: 'warn', summary: `CPU ${formatCpuList(first)} isolated: keep CPU 0 (and at least one core) for housekeeping.`, evidence, fix };
    return { status: 'pass', summary: `CPU ${formatCpuList(first)} isolated (isolcpus, nohz_full and rcu_nocbs agree).`, evidence };
  },
};

const DEEP_CSTATE_US = 10;

const cStates: CheckDef = {
  id: 'c-states',
  title: 'C-state limits',
  area: 'cpu',
  why: 'Leaving a deep idle state takes tens to hundreds of microseconds, added to the wake-up of the audio thread.',
  link: 'https://docs.kernel.org/admin-guide/pm/cpuidle.html',
  async run(facts, opts) {
    const [intel, acpi] = await Promise.all([facts.cmdlineParam('intel_idle.max_cstate'), facts.cmdlineParam('processor.max_cstate')]);
    const idle = await facts.cmdlineParam('idle');
    const cpus = await facts.onlineCpus();
    const evidence: Evidence[] = [ev('/proc/cmdline', [intel && `intel_idle.max_cstate=${intel}`, acpi && `processor.max_cstate=${acpi}`, idle && `idle=${idle}`].filter(Boolean).join(' ') || '(no C-state limit)')];
    const fix: CheckFix = {
      tweak: { id: 'cpu-dma-latency', params: {}, label: 'Hold /dev/cpu_dma_latency at 0 while the console runs' },
      nixos: 'archibald.rtAudio.cpu.maxCState = 1;',
    };
    const limit = [intel, acpi].filter((v): v is string => v !== null && /^\d+$/.test(v)).map(Number);
    if (idle === 'poll' || (limit.length > 0 && Math.max(...limit) <= 1)) return { status: 'pass', summary: idle === 'poll' ? 'idle=poll: the CPUs never enter a C-state.' : `Limited to C${Math.max(...limit)}.`, evidence };
    const deep: string[] = [];
    let sawStates = false;
    for (const cpu of cpus) {
      const states = (await facts.list(`/sys/devices/system/cpu/cpu${cpu}/cpuidle`)).filter((s) => /^state\d+$/.test(s));
      for (const s of states) {
        sawStates = true;
        const dir = `/sys/devices/system/cpu/cpu${cpu}/cpuidle/${s}`;
        const [name, latency, disable] = await Promise.all([facts.value(`${dir}/name`), facts.value(`${dir}/latency`), facts.value(`${dir}/disable`)]);
        if (cpu === cpus[0]) evidence.push(ev(dir, `${name} latency ${latency} us${disable === '1' ? ' disabled' : ''}`));
        if (Number(latency) > DEEP_CSTATE_US && disable !== '1') deep.push(`cpu${cpu} ${name} (${latency} us)`);
      }
    }
    if (!sawStates) {
      const driver = await facts.value('/sys/devices/system/cpu/cpuidle/current_driver');
      evidence.push(ev('/sys/devices/system/cpu/cpuidle/current_driver', driver));
      return { status: 'na', summary: `No idle states are exposed (driver: ${driver ?? 'none'}); typical of a VM.`, evidence };
    }
    if (deep.length === 0) return { status: 'pass', summary: `Every idle state deeper than ${DEEP_CSTATE_US} us is disabled.`, evidence };
    if (opts.dmaLatencyHeld) return { status: 'pass', summary: `Deep states exist (${deep.length}) but the console holds /dev/cpu_dma_latency at 0, which keeps CPUs out of them.`, evidence };
    return { status: 'warn', summary: `Deep idle states are allowed: ${deep.slice(0, 4).join(', ')}${deep.length > 4 ? ` and ${deep.length - 4} more` : ''}.`, evidence, fix };
  },
};

const mitigations: CheckDef = {
  id: 'mitigations',
  title: 'Spectre/Meltdown mitigations',
  area: 'cpu',
  why: 'Mitigations add cost to every system call and context switch; turning them off buys latency at the price of security, so it is a choice, not a fault.',
  link: `${WIKI}#disabling_spectre_and_meltdown_mitigations`,
  async run(facts) {
    const value = await facts.cmdlineParam('mitigations');
    const vulnFiles = await facts.list('/sys/devices/system/cpu/vulnerabilities');
    const vulns = await Promise.all(vulnFiles.map((f) => facts.value(`/sys/devices/system/cpu/vulnerabilities/${f}`)));
    const mitigated = vulns.filter((v) => v?.startsWith('Mitigation')).length;
    const evidence = [ev('/proc/cmdline', value === null ? '(no mitigations= parameter)' : `mitigations=${value}`), ev('/sys/devices/system/cpu/vulnerabilities', vulnFiles.length ? `${mitigated} of ${vulnFiles.length} mitigated` : null)];
    if (value === 'off') return { status: 'pass', summary: 'mitigations=off: lower latency, and this box must not run untrusted code.', evidence };
    if (vulnFiles.length > 0 && mitigated === 0) return { status: 'pass', summary: 'No mitigation is active on this CPU.', evidence };
    return {
      status: 'warn',
      summary: `Mitigations are on${vulnFiles.length ? ` (${mitigated} active)` : ''}: safer, slower. Turn them off only on an isolated box.`,
      evidence,
      fix: { runtime: 'A boot parameter: takes effect after a reboot.', nixos: 'boot.kernelParams = [ "mitigations=off" ];' },
    };
  },
};

// ---------------------------------------------------------------------------------------------------------------
// kernel

const kernelConfig: CheckDef = {
  id: 'kernel-config',
  title: 'Kernel configuration',
  area: 'kernel',
  why: 'The timer, tickless and preemption checks read the kernel build configuration.',
  link: `${WIKI}#installing_a_real-time_kernel`,
  async run(facts) {
    const config = await facts.kernelConfig();
    if (!config) return { status: 'unknown', summary: 'Neither /proc/config.gz nor /boot/config-<release> exists; the kernel checks fall back to /sys and the command line.', evidence: [ev('/proc/config.gz', null)] };
    return { status: 'pass', summary: `Read from ${config.source} (${config.options.size} options).`, evidence: [ev(config.source, `${config.options.size} options`)] };
  },
};

const kernelOpt = async (facts: HostFacts, name: string): Promise<{ value: string | null; evidence: Evidence } | null> => {
  const config = await facts.kernelConfig();
  if (!config) return null;
  const value = config.options.get(name) ?? null;
  return { value, evidence: ev(config.source, `${name}=${value ?? '(not set)'}`) };
};

const highResTimers: CheckDef = {
  id: 'high-res-timers',
  title: 'High-resolution timers',
  area: 'kernel',
  why: 'Without them timers fire only on the periodic tick (1-10 ms), far coarser than an audio period.',
  link: `${WIKI}#installing_a_real-time_kernel`,
  async run(facts) {
    const opt = await kernelOpt(facts, 'CONFIG_HIGH_RES_TIMERS');
    if (!opt) return { status: 'unknown', summary: 'No kernel configuration to read.', evidence: [ev('/proc/config.gz', null)] };
    if (opt.value === 'y') return { status: 'pass', summary: 'High-resolution timers are built in.', evidence: [opt.evidence] };
    return { status: 'fail', summary: 'This kernel is built without high-resolution timers.', evidence: [opt.evidence], fix: { nixos: 'archibald.rtAudio.kernel.realtime = true; # the RT kernel has them' } };
  },
};

const tickless: CheckDef = {
  id: 'tickless',
  title: 'Tickless kernel',
  area: 'kernel',
  why: 'A tickless kernel stops the periodic timer interrupt on idle (and, with nohz_full, on busy isolated) cores.',
  link: `${WIKI}#installing_a_real-time_kernel`,
  async run(facts) {
    const config = await facts.kernelConfig();
    const nohzFull = await facts.value('/sys/devices/system/cpu/nohz_full');
    const on = ['CONFIG_NO_HZ', 'CONFIG_NO_HZ_IDLE', 'CONFIG_NO_HZ_COMMON', 'CONFIG_NO_HZ_FULL'].filter((o) => config?.options.get(o) === 'y');
    const evidence = [ev(config?.source ?? '/proc/config.gz', config ? (on.length ? on.map((o) => `${o}=y`).join(' ') : 'no CONFIG_NO_HZ* option') : null), ev('/sys/devices/system/cpu/nohz_full', nohzFull)];
    if (on.length > 0 || nohzFull !== null) return { status: 'pass', summary: on.includes('CONFIG_NO_HZ_FULL') || nohzFull ? 'Tickless, with full dynticks available.' : 'Tickless when idle.', evidence };
    if (!config) return { status: 'unknown', summary: 'No kernel configuration to read, and no /sys/devices/system/cpu/nohz_full.', evidence };
    return { status: 'fail', summary: 'The kernel ticks periodically on every core.', evidence, fix: { nixos: 'archibald.rtAudio.kernel.realtime = true;' } };
  },
};

async function rtKernel(facts: HostFacts): Promise<{ rt: boolean; fullPreempt: boolean; evidence: Evidence[] }> {
  const config = await facts.kernelConfig();
  const realtime = await facts.value('/sys/kernel/realtime');
  const version = await facts.value('/proc/version');
  const preemptParam = await facts.cmdlineParam('preempt');
  const rtOpt = config?.options.get('CONFIG_PREEMPT_RT') ?? config?.options.get('CONFIG_PREEMPT_RT_FULL') ?? null;
  const rt = rtOpt === 'y' || realtime === '1' || /\bPREEMPT_RT\b/.test(version ?? '');
  const fullPreempt = config?.options.get('CONFIG_PREEMPT') === 'y' || preemptParam === 'full';
  return {
    rt,
    fullPreempt,
    evidence: [
      ev(config?.source ?? '/proc/config.gz', config ? `CONFIG_PREEMPT_RT=${rtOpt ?? '(not set)'} CONFIG_PREEMPT=${config.options.get('CONFIG_PREEMPT') ?? '(not set)'}` : null),
      ev('/sys/kernel/realtime', realtime),
      ev('/proc/version', version),
      ev('/proc/cmdline', preemptParam === null ? '(no preempt= parameter)' : `preempt=${preemptParam}`),
    ],
  };
}

const preemptRt: CheckDef = {
  id: 'preempt-rt',
  title: 'PREEMPT_RT kernel',
  area: 'kernel',
  why: 'On a PREEMPT_RT kernel almost everything can be preempted by an audio thread, which bounds its worst-case wake-up latency.',
  link: `${WIKI}#do_i_really_need_a_real-time_kernel`,
  async run(facts) {
    const k = await rtKernel(facts);
    const fix: CheckFix = { runtime: 'Boot the RT kernel (a reboot).', nixos: 'archibald.rtAudio.kernel.realtime = true;' };
    if (k.rt) return { status: 'pass', summary: 'A PREEMPT_RT kernel is running.', evidence: k.evidence };
    if (k.fullPreempt) return { status: 'warn', summary: 'Full preemption but not PREEMPT_RT: good for small buffers, without hard bounds.', evidence: k.evidence, fix };
    return { status: 'fail', summary: 'Neither PREEMPT_RT nor full preemption: kernel code can delay audio threads for milliseconds.', evidence: k.evidence, fix };
  },
};

const threadIrqs: CheckDef = {
  id: 'threadirqs',
  title: 'Threaded IRQs',
  area: 'kernel',
  why: 'Only threaded interrupt handlers can be given priorities, so the sound card\'s IRQ runs before the network\'s.',
  link: `${WIKI}#do_i_really_need_a_real-time_kernel`,
  async run(facts) {
    const flag = await facts.cmdlineFlag('threadirqs');
    const k = await rtKernel(facts);
    const evidence = [ev('/proc/cmdline', flag ? 'threadirqs' : '(no threadirqs)'), ...k.evidence.slice(0, 2)];
    if (k.rt) return { status: 'pass', summary: 'PREEMPT_RT threads every interrupt handler.', evidence };
    if (flag) return { status: 'pass', summary: 'threadirqs is on the command line.', evidence };
    return { status: 'fail', summary: 'Interrupt handlers run in hard IRQ context, with no priority order.', evidence, fix: { runtime: 'A boot parameter: takes effect after a reboot.', nixos: `${MODULE_ON} # musnix adds threadirqs` } };
  },
};

// ---------------------------------------------------------------------------------------------------------------
// irq

const irqSharing: CheckDef = {
  id: 'irq-sharing',
  title: 'Sound and USB IRQs not shared',
  area: 'irq',
  why: 'A sound card or USB host controller that shares its IRQ line has to wait for the other device\'s handler.',
  link: WIKI,
  async run(facts) {
    const found = await audioIrqs(facts);
    if (!found) return { status: 'unknown', summary: 'No IRQ information (/sys/kernel/irq and /proc/interrupts are missing).', evidence: [ev('/sys/kernel/irq', null)] };
    const evidence = found.irqs.map((i) => ev(`/sys/kernel/irq/${i.irq}/actions`, i.actions.join(', ')));
    if (found.irqs.length === 0) return { status: 'na', summary: 'No sound card or USB host controller IRQ found.', evidence: [ev(found.source, 'no snd_*, audiodsp or [eoux]hci_hcd action')] };
    const shared = found.irqs.filter((i) => i.actions.length > 1);
    if (shared.length === 0) return { status: 'pass', summary: `${plural(found.irqs.length, 'sound/USB IRQ')}, none shared.`, evidence };
    return {
      status: 'fail',
      summary: `Shared: ${shared.map((i) => `IRQ ${i.irq} (${i.actions.join(', ')})`).join('; ')}.`,
      evidence,
      fix: { runtime: 'Move the card to another slot or port, or disable the device that shares the line in the firmware setup.' },
    };
  },
};

const irqThreads: CheckDef = {
  id: 'irq-threads',
  title: 'Priority of sound and USB IRQ threads (rtirq)',
  area: 'irq',
  why: 'rtirq raises the sound and USB IRQ threads above the default 50 so audio interrupts are served before disk and network ones.',
  link: 'https://github.com/rncbc/rtirq',
  async run(facts) {
    const found = await audioIrqs(facts);
    if (!found) return { status: 'unknown', summary: 'No IRQ information.', evidence: [ev('/sys/kernel/irq', null)] };
    if (found.irqs.length === 0) return { status: 'na', summary: 'No sound card or USB host controller IRQ found.', evidence: [ev(found.source, 'none')] };
    const byIrq = new Map(found.irqs.map((i) => [i.irq, i]));
    const threads = (await facts.processes())
      .map((p) => ({ p, m: /^irq\/(\d+)-/.exec(p.name) }))
      .filter((x) => x.m && byIrq.has(Number(x.m[1])))
      .map((x) => x.p);
    const evidence = threads.map((t) => ev(`/proc/${t.pid}/stat`, `${t.name} ${POLICY_NAMES[t.policy] ?? t.policy} ${t.rtPriority}`));
    if (threads.length === 0) {
      return { status: 'fail', summary: 'The sound/USB IRQs have no threads: boot with threadirqs (or an RT kernel).', evidence: [ev('/proc/*/stat', 'no irq/N- thread for the sound/USB IRQs')], fix: { nixos: MODULE_ON } };
    }
    const low = threads.filter((t) => t.policy !== 1 || t.rtPriority < 60);
    const fix: CheckFix = {
      tweak: { id: 'chrt', params: { names: low.map((t) => t.name), priority: 90, policy: 'fifo' }, label: `Raise ${plural(low.length, 'thread')} to FIFO 90` },
      nixos: 'archibald.rtAudio.rtirq.enable = true;',
    };
    if (low.length === 0) return { status: 'pass', summary: `${plural(threads.length, 'IRQ thread')} at FIFO ${Math.min(...threads.map((t) => t.rtPriority))}-${Math.max(...threads.map((t) => t.rtPriority))}.`, evidence };
    return { status: 'warn', summary: `${low.map((t) => `${t.name} at ${POLICY_NAMES[t.policy] ?? t.policy} ${t.rtPriority}`).join(', ')}: rtirq has not raised ${low.length === 1 ? 'it' : 'them'}.`, evidence, fix };
  },
};

const irqAffinity: CheckDef = {
  id: 'irq-affinity',
  title: 'Sound and USB IRQ affinity',
  area: 'irq',
  why: 'An audio IRQ pinned to chosen cores stays off the busy ones and keeps its cache warm; spread over all cores it lands wherever the kernel likes.',
  link: 'https://docs.kernel.org/core-api/irq/irq-affinity.html',
  async run(facts) {
    const found = await audioIrqs(facts);
    const cpus = await facts.onlineCpus();
    if (!found) return { status: 'unknown', summary: 'No IRQ information.', evidence: [ev('/proc/irq', null)] };
    if (found.irqs.length === 0) return { status: 'na', summary: 'No sound card or USB host controller IRQ found.', evidence: [ev(found.source, 'none')] };
    if (cpus.length <= 1) return { status: 'na', summary: 'One CPU: nothing to choose.', evidence: [] };
    const lists = await Promise.all(found.irqs.map((i) => facts.value(`/proc/irq/${i.irq}/smp_affinity_list`)));
    const evidence = found.irqs.map((i, n) => ev(`/proc/irq/${i.irq}/smp_affinity_list`, lists[n]));
    const isolated = isolcpusList(await facts.cmdlineParam('isolcpus'));
    const target = isolated && isolated.length > 0 ? isolated : [cpus[cpus.length - 1]];
    const fix: CheckFix = {
      tweak: { id: 'irq-affinity', params: { cpus: formatCpuList(target), irqs: found.irqs.filter((i) => i.kind === 'sound').map((i) => String(i.irq)) }, label: `Pin the sound IRQs to CPU ${formatCpuList(target)}` },
      nixos: `# the rt-audio module moves other IRQs with irqaffinity=; pin the sound IRQ at boot:\nsystemd.services.archibald-irq-affinity = {\n  wantedBy = [ "multi-user.target" ];\n  serviceConfig.Type = "oneshot";\n  script = "echo ${formatCpuList(target)} > /proc/irq/${found.irqs[0].irq}/smp_affinity_list";\n};`,
    };
    if (lists.every((l) => l === null)) return { status: 'unknown', summary: 'The IRQ affinity files cannot be read.', evidence };
    const spread = found.irqs.filter((i, n) => i.kind === 'sound' && sameCpus(tryParseCpuList(lists[n]) ?? cpus, cpus));
    const sound = found.irqs.filter((i) => i.kind === 'sound');
    if (sound.length === 0) return { status: 'pass', summary: 'Only USB host IRQs (no PCI sound card); their affinity is listed as evidence.', evidence };
    if (spread.length === 0) return { status: 'pass', summary: `Sound IRQs pinned: ${sound.map((i) => `IRQ ${i.irq} on CPU ${lists[found.irqs.indexOf(i)]}`).join(', ')}.`, evidence };
    return { status: 'warn', summary: `IRQ ${spread.map((i) => i.irq).join(', ')} may run on any CPU (${formatCpuList(cpus)}).`, evidence, fix };
  },
};

// ---------------------------------------------------------------------------------------------------------------
// memory

const swappiness: CheckDef = {
  id: 'swappiness',
  title: 'Swap and swappiness',
  area: 'memory',
  why: 'A swapped-out page of an audio program costs a disk read when it is next touched, far longer than a period.',
  link: `${WIKI}#sysctlconf`,
  async run(facts) {
    const swaps = await facts.value('/proc/swaps');
    const value = await facts.value('/proc/sys/vm/swappiness');
    const active = (swaps ?? '').split('\n').slice(1).filter((l) => l.trim());
    const evidence = [ev('/proc/swaps', swaps === null ? null : active.length ? active.map((l) => l.split(/\s+/)[0]).join(', ') : 'no swap'), ev('/proc/sys/vm/swappiness', value)];
    const fix: CheckFix = { tweak: { id: 'swappiness', params: { value: 10 }, label: 'Set vm.swappiness to 10' }, nixos: 'archibald.rtAudio.swappiness = 10;' };
    if (swaps === null) return { status: 'unknown', summary: '/proc/swaps is missing.', evidence };
    if (active.length === 0) return { status: 'pass', summary: 'No swap: nothing can be swapped out.', evidence };
    if (value === null || !/^\d+$/.test(value)) return { status: 'unknown', summary: 'Swap is on and vm.swappiness cannot be read.', evidence };
    if (Number(value) <= 10) return { status: 'pass', summary: `Swap is on, vm.swappiness is ${value}.`, evidence };
    return { status: 'fail', summary: `Swap is on and vm.swappiness is ${value} (want 10 or less).`, evidence, fix };
  },
};

const INOTIFY_WANT = 524288;

const inotify: CheckDef = {
  id: 'inotify',
  title: 'inotify limits',
  area: 'memory',
  why: 'DAWs and sample libraries watch many files; when the watches run out, they silently stop noticing changes.',
  link: 'https://man7.org/linux/man-pages/man7/inotify.7.html',
  async run(facts) {
    const watches = await facts.value('/proc/sys/fs/inotify/max_user_watches');
    const instances = await facts.value('/proc/sys/fs/inotify/max_user_instances');
    const evidence = [ev('/proc/sys/fs/inotify/max_user_watches', watches), ev('/proc/sys/fs/inotify/max_user_instances', instances)];
    if (watches === null) return { status: 'unknown', summary: 'No inotify limits in /proc.', evidence };
    if (Number(watches) >= INOTIFY_WANT) return { status: 'pass', summary: `${watches} watches per user.`, evidence };
    return {
      status: 'warn',
      summary: `${watches} watches per user (want ${INOTIFY_WANT}).`,
      evidence,
      fix: { tweak: { id: 'inotify', params: { value: INOTIFY_WANT }, label: `Raise to ${INOTIFY_WANT}` }, nixos: `archibald.rtAudio.inotifyMaxUserWatches = ${INOTIFY_WANT};` },
    };
  },
};

// ---------------------------------------------------------------------------------------------------------------
// devices

const filesystems: CheckDef = {
  id: 'filesystems',
  title: 'Filesystems',
  area: 'devices',
  why: 'Network and FUSE filesystems (and reiserfs) can stall a disk-streaming thread for a long time.',
  link: `${WIKI}#filesystems`,
  async run(facts) {
    const mounts = await facts.value('/proc/mounts');
    if (mounts === null) return { status: 'unknown', summary: '/proc/mounts is missing.', evidence: [ev('/proc/mounts', null)] };
    const good = ['ext4', 'xfs', 'zfs', 'btrfs', 'f2fs'];
    const bad = ['fuse', 'reiserfs', 'nfs', 'nfs4', 'cifs', 'smb3'];
    const ok: string[] = [];
    const avoid: string[] = [];
    for (const line of mounts.split('\n')) {
      const [, point, type] = line.split(/\s+/);
      if (!point || !type) continue;
      const base = type.split('.')[0];
      if (point.startsWith('/run') || point.startsWith('/proc') || point.startsWith('/sys')) continue;
      if (bad.includes(base)) avoid.push(`${point} (${type})`);
      else if (good.includes(base) && point !== '/boot') ok.push(`${point} (${type})`);
    }
    const evidence = [ev('/proc/mounts', [...ok, ...avoid].join(', ') || 'no disk filesystems')];
    const fix: CheckFix = {
      runtime: 'Keep sessions and samples on a local ext4, xfs, btrfs or zfs disk; copy from network shares before a show.',
      nixos: 'fileSystems."/srv/samples" = { device = "/dev/disk/by-label/samples"; fsType = "ext4"; };',
    };
    if (avoid.length > 0) return { status: 'warn', summary: `Avoid for audio: ${avoid.join(', ')}.`, evidence, fix };
    if (ok.length === 0) return { status: 'warn', summary: 'No ext4, xfs, btrfs or zfs mount found for audio files.', evidence, fix };
    return { status: 'pass', summary: `Good for audio: ${ok.slice(0, 4).join(', ')}${ok.length > 4 ? '…' : ''}.`, evidence };
  },
};

const usbAutosuspend: CheckDef = {
  id: 'usb-autosuspend',
  title: 'USB autosuspend of audio interfaces',
  area: 'devices',
  why: 'A suspended USB audio interface drops out or clicks when it wakes up.',
  link: 'https://docs.kernel.org/driver-api/usb/power-management.html',
  async run(facts) {
    const devices = await usbAudioDevices(facts);
    if (devices.length === 0) return { status: 'na', summary: 'No USB audio interface found.', evidence: [ev('/sys/bus/usb/devices', 'no interface of class 01')] };
    const controls = await Promise.all(devices.map((d) => facts.value(d.controlPath)));
    const evidence = devices.map((d, i) => ev(d.controlPath, `${controls[i]} (${d.product})`));
    const suspending = devices.filter((_, i) => controls[i] !== 'on');
    if (suspending.length === 0) return { status: 'pass', summary: `${plural(devices.length, 'USB audio interface')}, autosuspend off.`, evidence };
    return {
      status: 'warn',
      summary: `Autosuspend is on for ${suspending.map((d) => d.product).join(', ')}.`,
      evidence,
      fix: { tweak: { id: 'usb-autosuspend', params: {}, label: 'Keep USB audio interfaces awake' }, nixos: 'boot.kernelParams = [ "usbcore.autosuspend=-1" ];' },
    };
  },
};

const TIMER_FREQ = 2048;

const timerFreq: CheckDef = {
  id: 'timer-freq',
  title: 'RTC and HPET max user frequency',
  area: 'devices',
  why: 'MIDI sequencers and some JACK setups use the RTC or HPET as a timer; the default limit of 64 Hz is far too coarse.',
  link: 'https://docs.kernel.org/admin-guide/rtc.html',
  async run(facts) {
    const rtc = await facts.value('/sys/class/rtc/rtc0/max_user_freq');
    const hpet = await facts.value('/proc/sys/dev/hpet/max-user-freq');
    const evidence = [ev('/sys/class/rtc/rtc0/max_user_freq', rtc), ev('/proc/sys/dev/hpet/max-user-freq', hpet)];
    if (rtc === null && hpet === null) return { status: 'na', summary: 'No RTC or HPET device.', evidence };
    const low = [rtc !== null && Number(rtc) < TIMER_FREQ && `RTC ${rtc} Hz`, hpet !== null && Number(hpet) < TIMER_FREQ && `HPET ${hpet} Hz`].filter(Boolean);
    if (low.length === 0) return { status: 'pass', summary: `At least ${TIMER_FREQ} Hz${rtc === null || hpet === null ? ` (${rtc === null ? 'no RTC' : 'no HPET'})` : ''}.`, evidence };
    return {
      status: 'warn',
      summary: `${low.join(' and ')} (want ${TIMER_FREQ}).`,
      evidence,
      fix: { tweak: { id: 'timer-freq', params: { value: TIMER_FREQ }, label: `Raise to ${TIMER_FREQ} Hz` }, nixos: `archibald.rtAudio.timerMaxUserFreq = ${TIMER_FREQ};` },
    };
  },
};

// ---------------------------------------------------------------------------------------------------------------
// audio

const pipewireClock: CheckDef = {
  id: 'pipewire-clock',
  title: 'PipeWire quantum and rate in force',
  area: 'audio',
  why: 'The quantum at the rate is the graph\'s period: every other setting only helps it be met.',
  link: 'https://docs.pipewire.org/page_man_pipewire_conf_5.html',
  async run(_facts, opts) {
    const nixos = 'archibald.rtAudio.pipewire = { rate = 48000; quantum = 64; };';
    if (!opts.clock) return { status: 'unknown', summary: 'The audio domain is not connected, so the clock in force is not known here.', evidence: [ev('pipewire', null)], fix: { nixos } };
    let clock: ClockInForce | null;
    try {
      clock = await opts.clock.clockInForce();
    } catch (err) {
      return { status: 'unknown', summary: `PipeWire did not answer: ${(err as Error).message}`, evidence: [ev('pipewire', null)], fix: { nixos } };
    }
    if (!clock) return { status: 'unknown', summary: 'PipeWire is not running (or reports no clock).', evidence: [ev('pipewire', null)], fix: { nixos } };
    const ms = (clock.quantum / clock.rate) * 1000;
    const evidence = [ev(clock.source, `quantum ${clock.quantum} at ${clock.rate} Hz = ${ms.toFixed(2)} ms`)];
    if (ms <= 5.4) return { status: 'pass', summary: `${clock.quantum}/${clock.rate}: ${ms.toFixed(2)} ms per period.`, evidence };
    return { status: 'warn', summary: `${clock.quantum}/${clock.rate}: ${ms.toFixed(1)} ms per period, more than a live set wants.`, evidence, fix: { nixos } };
  },
};

export const CHECKS: readonly CheckDef[] = [
  preemptRt,
  threadIrqs,
  kernelConfig,
  highResTimers,
  tickless,
  governor,
  smt,
  cpuIsolation,
  cStates,
  mitigations,
  irqSharing,
  irqThreads,
  irqAffinity,
  swappiness,
  inotify,
  runningUser,
  audioGroupLimits,
  rtPriority,
  cpuDmaLatency,
  usbAutosuspend,
  timerFreq,
  filesystems,
  pipewireClock,
];

export const CHECK_IDS = CHECKS.map((c) => c.id);

/** Run every check (concurrently; reads are shared through facts). A check that throws becomes "unknown". */
export async function runChecks(facts: HostFacts, opts: CheckOptions = {}): Promise<CheckResult[]> {
  return Promise.all(
    CHECKS.map(async (def) => {
      let verdict: Verdict;
      try {
        verdict = await def.run(facts, opts);
      } catch (err) {
        verdict = { status: 'unknown', summary: `The check could not finish: ${(err as Error).message}`, evidence: [] };
      }
      return { id: def.id, title: def.title, area: def.area, why: def.why, link: def.link, ...verdict };
    }),
  );
}
