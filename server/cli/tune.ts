import os from 'node:os';
import { AuditLog, summarizeInput } from '../auth/audit';
import { TuningError } from '../tuning/errors';
import type { TuningService } from '../tuning/service';
import { TWEAKS } from '../tuning/tweaks';
import type { CheckResult, CheckStatus, TweakParams } from '../tuning/types';

/**
 * `archibald tune ...`: the same engine as the console's tuning page, on a terminal. Every apply and revert lands
 * in the console's audit log (as "cli:<user>"). Exit codes: 0 ok, 1 a failed action, 2 bad usage, 3 `check
 * --strict` found a failing check.
 */

export const TUNE_USAGE = `usage: archibald tune check [--json] [--strict]
       archibald tune apply <tweak> [--dry-run] [--json] [--<param>=<value> ...]
       archibald tune revert [<id>|--all] [--json]
       archibald tune list [--json]              applied tweaks, re-read now
       archibald tune tweaks                     the tweaks and their parameters
       archibald tune permanent                  the NixOS snippet for the applied tweaks
       archibald tune bench [--duration=10] [--priority=95] [--cpus=LIST] [--label=TEXT] [--json]

tweaks: ${Object.keys(TWEAKS).join(', ')}
examples: archibald tune apply swappiness --value=10 --dry-run
          archibald tune apply irq-affinity --cpus=1
          archibald tune apply chrt --names=ardour,qjackctl --priority=80`;

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

export class UsageError extends Error {}

interface Parsed {
  positional: string[];
  flags: Map<string, string | true>;
}

export function parseArgs(argv: readonly string[]): Parsed {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (const arg of argv) {
    const m = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/.exec(arg);
    if (m) flags.set(m[1], m[2] ?? true);
    else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
    else positional.push(arg);
  }
  return { positional, flags };
}

const MARK: Record<CheckStatus, string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', na: 'N/A ', unknown: '??? ' };

function formatCheck(r: CheckResult): string {
  const lines = [`[${MARK[r.status]}] ${r.title} (${r.id}): ${r.summary}`];
  if (r.status === 'fail' || r.status === 'warn') {
    for (const e of r.evidence.slice(0, 4)) lines.push(`         ${e.source}: ${e.value ?? '(missing)'}`);
    if (r.fix?.tweak) lines.push(`         fix now: archibald tune apply ${r.fix.tweak.id}${paramFlags(r.fix.tweak.params)}`);
    else if (r.fix?.runtime) lines.push(`         fix: ${r.fix.runtime}`);
    if (r.fix?.nixos) lines.push(...r.fix.nixos.split('\n').map((l, i) => `         ${i === 0 ? 'permanent: ' : '           '}${l}`));
  }
  return lines.join('\n');
}

function paramFlags(params: TweakParams): string {
  return Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => ` --${k}=${Array.isArray(v) ? v.join(',') : v}`)
    .join('');
}

export async function runTune(argv: readonly string[], tuning: TuningService, audit: AuditLog, io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  const { positional, flags } = parseArgs(rest);
  const json = flags.has('json');
  // The NixOS wrapper re-runs the CLI as the console's user when root starts it; it passes on who that was.
  const runAs = os.userInfo().username;
  const invokedBy = process.env.ARCHIBALD_CLI_INVOKED_BY;
  const by = invokedBy && invokedBy !== runAs ? `cli:${invokedBy} as ${runAs}` : `cli:${runAs}`;
  const record = (action: string, input: unknown, ok: boolean, result: string) =>
    audit.record({ deviceId: null, deviceName: by, role: null, ip: null, action: `tuning.${action}`, input: summarizeInput(input), result, ok });
  const print = (value: unknown, text: () => string) => io.out(json ? JSON.stringify(value, null, 2) : text());

  try {
    switch (command) {
      case 'check': {
        const report = await tuning.check();
        print(report, () => [...report.results.map(formatCheck), '', `${report.score.pass}/${report.score.total} pass (${report.score.counts.warn} warn, ${report.score.counts.fail} fail, ${report.score.counts.unknown} unknown, ${report.score.counts.na} not applicable) in ${report.durationMs} ms`].join('\n'));
        return flags.has('strict') && report.score.counts.fail > 0 ? 3 : 0;
      }
      case 'apply': {
        const [tweak] = positional;
        if (!tweak) throw new UsageError('apply needs a tweak name');
        const params: TweakParams = {};
        for (const [k, v] of flags) {
          if (['dry-run', 'json'].includes(k)) continue;
          if (v === true) throw new UsageError(`--${k} needs a value (--${k}=...)`);
          params[k] = k === 'names' || k === 'irqs' ? v.split(',').filter(Boolean) : v;
        }
        if (flags.has('dry-run')) {
          const plan = await tuning.plan(tweak, params);
          print(plan, () =>
            [
              `dry run: ${plan.title}${paramFlags(plan.params)}`,
              ...plan.writes.map((w) => `  would write ${w.path}${w.kind === 'chrt' ? ` (${w.name}, pid ${w.pid})` : ''}: ${w.old ?? '(missing)'} -> ${w.new}`),
              ...plan.notes.map((n) => `  note: ${n}`),
              plan.writes.length === 0 ? '  nothing to change' : '',
            ].filter(Boolean).join('\n'),
          );
          return 0;
        }
        const preview = await tuning.plan(tweak, params);
        if (preview.writes.length === 0) {
          print(preview, () => [`${preview.title}: nothing to change`, ...preview.notes.map((n) => `  ${n}`)].join('\n'));
          return 0;
        }
        const applied = await tuning.apply(tweak, params, by);
        record('applyTweak', { tweak, params }, true, `applied #${applied.id}`);
        print(applied, () => [`applied #${applied.id}: ${applied.title}`, ...applied.writes.map((w) => `  ${w.path}: ${w.old ?? '(missing)'} -> ${w.current ?? '(missing)'}${w.inForce ? '' : ' (NOT in force)'}`)].join('\n'));
        return applied.inForce ? 0 : 1;
      }
      case 'revert': {
        const [id] = positional;
        if (id !== undefined && !/^\d+$/.test(id)) throw new UsageError('revert takes the number of an applied tweak (see `archibald tune list`)');
        const results = id === undefined ? await tuning.revertAll(by) : [await tuning.revert(Number(id), by)];
        for (const r of results) record('revert', { id: r.id }, true, `restored ${r.restored.length}, skipped ${r.skipped.length}`);
        print(results, () =>
          results.length === 0
            ? 'nothing to revert'
            : results.map((r) => [`reverted #${r.id}`, ...r.restored.map((s) => `  restored ${s}`), ...r.skipped.map((s) => `  left alone ${s}`)].join('\n')).join('\n'),
        );
        return 0;
      }
      case 'list': {
        const applied = await tuning.applied();
        print(applied, () =>
          applied.length === 0
            ? 'no tweaks applied'
            : applied.map((a) => [`#${a.id} ${a.title}${paramFlags(a.params)} by ${a.appliedBy} at ${new Date(a.appliedAt).toISOString()}${a.inForce ? '' : ' (no longer fully in force)'}`, ...a.writes.map((w) => `  ${w.path}: ${w.current ?? '(missing)'} (was ${w.old ?? '(missing)'})`)].join('\n')).join('\n'),
        );
        return 0;
      }
      case 'tweaks':
        print(tuning.tweaks(), () => tuning.tweaks().map((t) => `${t.id.padEnd(16)} ${t.description}${t.params.length ? `\n${' '.repeat(17)}params: ${t.params.map((p) => `--${p.name}${p.default !== undefined ? `=${p.default}` : ''}`).join(' ')}` : ''}`).join('\n'));
        return 0;
      case 'permanent': {
        const snippet = await tuning.permanent();
        print({ nixos: snippet }, () => snippet || '# no tweaks applied');
        return 0;
      }
      case 'bench': {
        const num = (k: string) => (typeof flags.get(k) === 'string' ? Number(flags.get(k)) : undefined);
        const { done } = await tuning.startBenchmark({ durationS: num('duration'), priority: num('priority'), cpus: flags.get('cpus') as string | undefined, label: flags.get('label') as string | undefined });
        const stop = () => void tuning.cancelBenchmark().catch(() => undefined);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        const run = await done;
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        print(run, () =>
          run.result
            ? [`cyclictest #${run.id} ${run.status}`, ...run.result.perCpu.map((c) => `  CPU ${c.cpu}: min ${c.min} us, avg ${c.avg} us, max ${c.max} us (${c.cycles} cycles${c.overflows ? `, ${c.overflows} over ${run.params.histogramUs} us` : ''})`)].join('\n')
            : `cyclictest #${run.id} ${run.status}: ${run.error}`,
        );
        return run.status === 'done' ? 0 : 1;
      }
      default:
        throw new UsageError(command ? `unknown command "${command}"` : 'missing command');
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`archibald tune: ${err.message}\n\n${TUNE_USAGE}`);
      return 2;
    }
    if (err instanceof TuningError) {
      if (command === 'apply' || command === 'revert') record(command === 'apply' ? 'applyTweak' : 'revert', { argv: rest }, false, `${err.code}: ${err.message}`);
      io.err(`archibald tune ${command}: ${err.message}`);
      return err.code === 'unavailable' || err.code === 'not-found' ? 4 : 1;
    }
    throw err;
  }
}
