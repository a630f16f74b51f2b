/** The tuning domain's shapes, shared by the checks, the tweaks, the router, the CLI and (as types) the page. */

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'na' | 'unknown';

export const CHECK_AREAS = ['kernel', 'cpu', 'irq', 'memory', 'limits', 'devices', 'audio'] as const;
export type CheckArea = (typeof CHECK_AREAS)[number];

/** One thing a check read: the host path (or pseudo-source like "pipewire") and what it found (null: missing). */
export interface Evidence {
  source: string;
  value: string | null;
}

export interface CheckFix {
  /** A tweak that fixes it now, with the parameters the check suggests. */
  tweak?: { id: TweakId; params: TweakParams; label: string };
  /** What to do at runtime when no tweak can (a reboot with a kernel parameter, a group membership...). */
  runtime?: string;
  /** The NixOS snippet (our rt-audio module's options) that makes it permanent. */
  nixos?: string;
}

export interface CheckResult {
  id: string;
  title: string;
  area: CheckArea;
  status: CheckStatus;
  /** One line: what was found. */
  summary: string;
  evidence: Evidence[];
  /** Why it matters, in one sentence. */
  why: string;
  link: string;
  fix?: CheckFix;
}

export interface CheckReport {
  at: number;
  results: CheckResult[];
  score: { pass: number; total: number; counts: Record<CheckStatus, number> };
  durationMs: number;
}

export const TWEAK_IDS = [
  'governor',
  'swappiness',
  'inotify',
  'irq-affinity',
  'timer-freq',
  'pci-latency',
  'usb-autosuspend',
  'cpu-dma-latency',
  'chrt',
] as const;
export type TweakId = (typeof TWEAK_IDS)[number];

/** Every tweak takes a small flat object of parameters; each tweak validates its own. */
export type TweakParams = Record<string, string | number | string[]>;

/** One change a tweak makes, with the value before and the value it will write. */
export type PlannedWrite =
  | { kind: 'file'; path: string; old: string | null; new: string }
  | { kind: 'pci-latency'; slot: string; path: string; old: string | null; new: string }
  | { kind: 'chrt'; pid: number; name: string; path: string; old: string | null; new: string }
  | { kind: 'hold'; path: string; old: string | null; new: string };

export interface TweakPlan {
  tweak: TweakId;
  params: TweakParams;
  title: string;
  writes: PlannedWrite[];
  /** Writes already at their new value are left out; a note says so. */
  notes: string[];
}

export interface AppliedWriteState extends Omit<PlannedWrite, 'kind'> {
  kind: PlannedWrite['kind'];
  /** Re-read now, not assumed. */
  current: string | null;
  inForce: boolean;
}

export interface AppliedTweak {
  id: number;
  tweak: TweakId;
  title: string;
  params: TweakParams;
  appliedAt: number;
  appliedBy: string;
  writes: AppliedWriteState[];
  /** true when every write still reads back as applied. */
  inForce: boolean;
}

export interface TweakInfo {
  id: TweakId;
  title: string;
  description: string;
  params: { name: string; label: string; kind: 'cpus' | 'number' | 'choice' | 'names'; default?: string | number; choices?: string[] }[];
  /** Whether it needs the privileged helper on the box. */
  privileged: boolean;
}
