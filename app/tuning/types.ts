import type { inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '@/server/trpc/root';

type Out = inferRouterOutputs<AppRouter>['tuning'];
export type CheckReport = Out['check'];
export type CheckResult = CheckReport['results'][number];
export type CheckStatus = CheckResult['status'];
export type TweakPlan = Out['plan'];
export type AppliedTweak = Out['applied'][number];
export type BenchmarkRun = Out['benchmarkHistory']['runs'][number];
export type TweakRequest = NonNullable<NonNullable<CheckResult['fix']>['tweak']>;

export const STATUS_STYLE: Record<CheckStatus, { label: string; className: string }> = {
  pass: { label: 'Pass', className: 'bg-live/15 text-live border-live/40' },
  warn: { label: 'Warn', className: 'bg-warn/15 text-warn border-warn/40' },
  fail: { label: 'Fail', className: 'bg-danger/15 text-danger border-danger/40' },
  na: { label: 'N/A', className: 'bg-stage-800 text-ink-dim border-stage-600' },
  unknown: { label: '?', className: 'bg-stage-800 text-ink-dim border-stage-600' },
};

export const AREA_TITLES: Record<CheckResult['area'], string> = {
  kernel: 'Kernel',
  cpu: 'CPU',
  irq: 'Interrupts',
  memory: 'Memory',
  limits: 'Limits and rights',
  devices: 'Devices',
  audio: 'Audio graph',
};
