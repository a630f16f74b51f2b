'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useState } from 'react';
import { ErrorText, Panel } from '../components/ui';
import { useTRPC } from '../lib/trpc';
import { nodeLabel, type GraphState } from './graph-state';

const ms = (q: number, r: number | null | undefined) => (r ? `${((q / r) * 1000).toFixed(2)} ms` : '');

/** Quantum and rate pickers with the latency they give, what is in force now, DSP load and xruns per node. */
export function ClockPanel({ graph, canPerform }: { graph: GraphState; canPerform: boolean }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const clock = useQuery(trpc.audio.clock.queryOptions(undefined, { refetchInterval: 5000 }));
  const [dsp, setDsp] = useState<{ quantum: number | null; rate: number | null; window: { dspLoad: number | null; overruns: number; nodes: { id: number; load: number; peak: number; errors: number }[] }; totals: Record<string, number>; error: string | null } | null>(null);
  useSubscription(trpc.audio.dsp.subscriptionOptions(undefined, { onData: (d) => setDsp(d) }));
  const set = useMutation(trpc.audio.setClock.mutationOptions({ onSuccess: () => qc.invalidateQueries({ queryKey: trpc.audio.clock.queryKey() }) }));
  const s = graph.settings ?? clock.data?.settings;
  const rate = s ? s.forceRate || s.rate : null;
  const forced = s?.forceQuantum ?? 0;
  const running = [...graph.nodes.values()].filter((n) => n.state === 'running').length;

  return (
    <Panel title="Clock">
      <div className="flex flex-wrap gap-x-6 gap-y-1 text-sm" data-testid="clock-now">
        <span>
          In force: <b data-testid="clock-in-force">{dsp?.quantum ? `${dsp.quantum} @ ${dsp.rate} Hz · ${ms(dsp.quantum, dsp.rate)}` : 'measuring…'}</b>
        </span>
        <span className="text-ink-dim">
          Forced: <span data-testid="clock-forced">{forced ? `quantum ${forced}` : 'quantum free'}</span>
          {s?.forceRate ? ` · ${s.forceRate} Hz` : ' · rate free'}
        </span>
        {dsp?.window.dspLoad != null && <span className="text-ink-dim">DSP load {(dsp.window.dspLoad * 100).toFixed(1)}%</span>}
      </div>
      {running > 0 && canPerform && (
        <p className="mt-2 rounded-md border border-warn/40 bg-warn/10 px-3 py-2 text-sm text-warn">
          {running} node{running === 1 ? ' is' : 's are'} running: a change reconfigures the live graph (expect a short dropout).
        </p>
      )}
      <h3 className="mt-3 mb-1 text-xs font-semibold text-ink-dim uppercase">Quantum</h3>
      <div className="grid grid-cols-3 gap-2 sm:grid-cols-6" role="group" aria-label="Quantum">
        {(clock.data?.quanta ?? [16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192]).map((q) => (
          <button
            key={q}
            disabled={!canPerform || set.isPending}
            aria-pressed={forced === q}
            onClick={() => set.mutate({ quantum: q })}
            className={`min-h-11 rounded-lg border px-2 text-sm ${forced === q ? 'border-accent bg-accent text-stage-950' : 'border-stage-600 bg-stage-800'} disabled:opacity-50`}
          >
            <b>{q}</b>
            <span className="block text-[11px] opacity-80">{ms(q, rate)}</span>
          </button>
        ))}
        <button disabled={!canPerform || set.isPending || !forced} onClick={() => set.mutate({ quantum: 0 })} className="min-h-11 rounded-lg border border-stage-600 bg-stage-800 px-2 text-sm disabled:opacity-50">
          Release
        </button>
      </div>
      <h3 className="mt-3 mb-1 text-xs font-semibold text-ink-dim uppercase">Rate</h3>
      <div className="grid grid-cols-3 gap-2 sm:flex sm:flex-wrap" role="group" aria-label="Rate">
        {(clock.data?.rates ?? []).map((r) => (
          <button
            key={r}
            disabled={!canPerform || set.isPending}
            aria-pressed={s?.forceRate === r}
            onClick={() => set.mutate({ rate: r })}
            className={`min-h-11 rounded-lg border px-3 text-sm ${s?.forceRate === r ? 'border-accent bg-accent text-stage-950' : 'border-stage-600 bg-stage-800'} disabled:opacity-50`}
          >
            {r / 1000} kHz
          </button>
        ))}
        <button disabled={!canPerform || set.isPending || !s?.forceRate} onClick={() => set.mutate({ rate: 0 })} className="min-h-11 rounded-lg border border-stage-600 bg-stage-800 px-3 text-sm disabled:opacity-50">
          Release
        </button>
      </div>
      <ErrorText error={set.error} />
      <h3 className="mt-4 mb-1 text-xs font-semibold text-ink-dim uppercase">DSP load and xruns per node (pw-profiler)</h3>
      {dsp?.error && <p className="text-sm text-ink-dim">{dsp.error}</p>}
      <ul className="flex flex-col gap-1 text-sm" data-testid="dsp-nodes">
        {(dsp?.window.nodes ?? []).map((n) => {
          const node = graph.nodes.get(n.id);
          return (
            <li key={n.id} className="flex min-w-0 items-center gap-2">
              <span className="w-28 shrink-0 truncate sm:w-40">{node ? nodeLabel(node) : `#${n.id}`}</span>
              <span className="h-3 min-w-8 flex-1 overflow-hidden rounded bg-stage-800">
                <span className={`block h-full ${n.peak > 0.8 ? 'bg-danger' : n.peak > 0.5 ? 'bg-warn' : 'bg-live'}`} style={{ width: `${Math.min(100, n.load * 100)}%` }} />
              </span>
              <span className="w-14 shrink-0 text-right tabular-nums">{(n.load * 100).toFixed(1)}%</span>
              <span className={`w-14 shrink-0 text-right tabular-nums ${dsp?.totals[n.id] ? 'text-danger' : 'text-ink-dim'}`}>{dsp?.totals[n.id] ?? 0} xr</span>
            </li>
          );
        })}
      </ul>
    </Panel>
  );
}
