'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useState } from 'react';
import { Button, ErrorText, inputClass, Panel } from '../components/ui';
import { useTRPC } from '../lib/trpc';
import type { BenchmarkRun } from './types';

const COLOURS = ['#ffb020', '#3ddc84', '#5ab0ff', '#ff7ad9', '#ffcc4d', '#b28cff', '#ff5d5d', '#7ee0e0'];

type Series = { label: string; counts: number[]; colour: string };

/** Latency histogram: x in microseconds, y on a log scale (a few late samples matter more than the bulk). */
export function HistogramChart({ series, maxUs }: { series: Series[]; maxUs?: number }) {
  const width = 600;
  const height = 200;
  const xMax = Math.max(10, maxUs ?? Math.max(...series.map((s) => s.counts.length)));
  const yMax = Math.log10(Math.max(10, ...series.flatMap((s) => s.counts)) + 1);
  const x = (us: number) => (us / xMax) * (width - 40) + 35;
  const y = (n: number) => height - 20 - (Math.log10(n + 1) / yMax) * (height - 30);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => Math.round(f * xMax));
  return (
    <figure>
      <svg viewBox={`0 0 ${width} ${height}`} className="h-auto w-full" role="img" aria-label="Latency histogram">
        <line x1={35} y1={height - 20} x2={width - 5} y2={height - 20} stroke="#30394a" />
        {ticks.map((t) => (
          <text key={t} x={x(t)} y={height - 5} fontSize="11" fill="#a9b4c2" textAnchor="middle">
            {t} µs
          </text>
        ))}
        {[1, 10, 100, 1000, 10000, 100000].filter((n) => Math.log10(n + 1) <= yMax).map((n) => (
          <text key={n} x={30} y={y(n) + 4} fontSize="10" fill="#a9b4c2" textAnchor="end">
            {n >= 1000 ? `${n / 1000}k` : n}
          </text>
        ))}
        {series.map((s) => (
          <polyline
            key={s.label}
            fill="none"
            stroke={s.colour}
            strokeWidth="1.5"
            points={s.counts.map((n, us) => `${x(us).toFixed(1)},${y(n).toFixed(1)}`).join(' ')}
          />
        ))}
      </svg>
      <figcaption className="flex flex-wrap gap-3 text-xs text-ink-dim">
        {series.map((s) => (
          <span key={s.label} className="inline-flex items-center gap-1">
            <span className="inline-block h-2 w-4 rounded" style={{ background: s.colour }} />
            {s.label}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

const runTotal = (run: BenchmarkRun): number[] => {
  const h = run.result?.histogram ?? [];
  const len = Math.max(0, ...h.map((c) => c.length));
  return Array.from({ length: len }, (_, i) => h.reduce((sum, c) => sum + (c[i] ?? 0), 0));
};

const runMax = (run: BenchmarkRun) => (run.result ? Math.max(...run.result.perCpu.map((c) => c.max)) : null);

export function BenchmarkPanel({ isAdmin, available, reason }: { isAdmin: boolean; available: boolean; reason?: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [durationS, setDuration] = useState(10);
  const [priority, setPriority] = useState(95);
  const [cpus, setCpus] = useState('');
  const [label, setLabel] = useState('');
  const [compare, setCompare] = useState<number[]>([]);
  const history = useQuery(trpc.tuning.benchmarkHistory.queryOptions());
  const [progress, setProgress] = useState<{ elapsedS: number; durationS: number; threads: { cpu: number; act: number; avg: number; max: number }[] } | null>(null);
  useSubscription(
    trpc.tuning.benchmarkLive.subscriptionOptions(undefined, {
      onData: (e) => {
        if (e.type === 'progress') setProgress(e.progress);
        if (e.type === 'finished') {
          setProgress(null);
          void queryClient.invalidateQueries({ queryKey: trpc.tuning.benchmarkHistory.queryKey() });
        }
      },
    }),
  );
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.tuning.benchmarkHistory.queryKey() });
  const start = useMutation(trpc.tuning.benchmarkStart.mutationOptions({ onSuccess: invalidate }));
  const cancel = useMutation(trpc.tuning.benchmarkCancel.mutationOptions({ onSuccess: invalidate }));
  const running = history.data?.running ?? null;
  const runs = (history.data?.runs ?? []).filter((r) => r.status !== 'running');
  const latest = runs.find((r) => r.result);
  const shown = compare.length > 0 ? runs.filter((r) => compare.includes(r.id)) : [];

  return (
    <Panel title="Latency (cyclictest)">
      {!available && <p className="mb-2 text-warn">{reason}</p>}
      {isAdmin ? (
        <form
          className="grid grid-cols-2 gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            start.mutate({ durationS, priority, cpus: cpus.trim() || undefined, label: label.trim() || undefined });
          }}
        >
          <label className="text-xs text-ink-dim">
            Seconds
            <input className={inputClass} type="number" min={1} max={3600} value={durationS} onChange={(e) => setDuration(Number(e.target.value))} />
          </label>
          <label className="text-xs text-ink-dim">
            Priority
            <input className={inputClass} type="number" min={1} max={99} value={priority} onChange={(e) => setPriority(Number(e.target.value))} />
          </label>
          <label className="text-xs text-ink-dim">
            CPUs (empty: all)
            <input className={inputClass} value={cpus} placeholder="e.g. 2-3" onChange={(e) => setCpus(e.target.value)} />
          </label>
          <label className="text-xs text-ink-dim">
            Label
            <input className={inputClass} value={label} placeholder="before / after" maxLength={80} onChange={(e) => setLabel(e.target.value)} />
          </label>
          <div className="col-span-2 flex items-end gap-2">
            {running ? (
              <Button type="button" variant="danger" className="w-full" onClick={() => cancel.mutate()} disabled={cancel.isPending}>
                Cancel run
              </Button>
            ) : (
              <Button type="submit" variant="primary" className="w-full" disabled={!available || start.isPending}>
                Start
              </Button>
            )}
          </div>
        </form>
      ) : (
        <p className="text-ink-dim">Runs are started from an admin device; results are below.</p>
      )}
      <ErrorText error={start.error ?? cancel.error} />

      {running && (
        <div className="mt-3" data-testid="bench-progress">
          <div className="h-3 overflow-hidden rounded bg-stage-800">
            <div className="h-full bg-accent transition-all" style={{ width: `${Math.round(((progress?.elapsedS ?? 0) / running.params.durationS) * 100)}%` }} />
          </div>
          <ul className="mt-2 grid grid-cols-2 gap-2 text-sm sm:grid-cols-4">
            {(progress?.threads ?? []).map((t) => (
              <li key={t.cpu} className="rounded bg-stage-800 px-2 py-1 tabular-nums">
                CPU {t.cpu}: now {t.act} µs, max <span className={t.max > 200 ? 'text-danger' : ''}>{t.max} µs</span>
              </li>
            ))}
          </ul>
        </div>
      )}

      {latest?.result && shown.length === 0 && (
        <div className="mt-4" data-testid="bench-result">
          <p className="mb-1 text-sm font-semibold">
            Run #{latest.id} {latest.label && `“${latest.label}”`} ({latest.status}, {latest.params.durationS} s at priority {latest.params.priority})
          </p>
          <table className="w-full text-left text-sm tabular-nums">
            <thead className="text-ink-dim">
              <tr>
                <th className="py-1">CPU</th>
                <th>min</th>
                <th>avg</th>
                <th>max</th>
                <th>over {latest.result.histogramUs} µs</th>
              </tr>
            </thead>
            <tbody>
              {latest.result.perCpu.map((c) => (
                <tr key={c.cpu}>
                  <td className="py-1">{c.cpu}</td>
                  <td>{c.min} µs</td>
                  <td>{c.avg} µs</td>
                  <td className={c.max > 200 ? 'text-danger' : ''}>{c.max} µs</td>
                  <td>{c.overflows}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <HistogramChart series={latest.result.histogram.map((counts, i) => ({ label: `CPU ${latest.result!.perCpu[i]?.cpu ?? i}`, counts, colour: COLOURS[i % COLOURS.length] }))} />
        </div>
      )}

      {shown.length > 0 && (
        <div className="mt-4">
          <p className="mb-1 text-sm font-semibold">Comparing {shown.map((r) => `#${r.id}`).join(' and ')} (all CPUs added up)</p>
          <HistogramChart series={shown.map((r, i) => ({ label: `#${r.id} ${r.label} (max ${runMax(r)} µs)`, counts: runTotal(r), colour: COLOURS[i] }))} />
        </div>
      )}

      {runs.length > 0 && (
        <div className="mt-4">
          <p className="mb-1 text-xs font-semibold text-ink-dim uppercase">History (tap two to compare)</p>
          <ul className="flex flex-col gap-1" data-testid="bench-history">
            {runs.map((r) => {
              const selected = compare.includes(r.id);
              return (
                <li key={r.id}>
                  <button
                    className={`flex min-h-11 w-full items-center gap-3 rounded-lg border px-3 text-left text-sm ${selected ? 'border-accent bg-accent/10' : 'border-stage-700 bg-stage-800/60'}`}
                    onClick={() => setCompare((c) => (selected ? c.filter((x) => x !== r.id) : [...c, r.id].slice(-2)))}
                    aria-pressed={selected}
                  >
                    <span className="font-semibold">#{r.id}</span>
                    <span className="flex-1 truncate">{r.label || new Date(r.startedAt).toLocaleString()}</span>
                    <span className="tabular-nums">{r.result ? `max ${runMax(r)} µs` : r.status === 'failed' ? r.error : r.status}</span>
                  </button>
                </li>
              );
            })}
          </ul>
        </div>
      )}
    </Panel>
  );
}

/** Round-trip latency with jack_iodelay: pick the playback and capture ends of a loopback path. */
export function RoundTripPanel({ isAdmin }: { isAdmin: boolean }) {
  const trpc = useTRPC();
  const [playback, setPlayback] = useState('');
  const [capture, setCapture] = useState('');
  const measure = useMutation(trpc.tuning.roundTrip.mutationOptions());
  if (!isAdmin) return null;
  const r = measure.data;
  return (
    <Panel title="Round trip (jack_iodelay)">
      <form
        className="grid grid-cols-1 gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          measure.mutate({ playback: playback.trim() || undefined, capture: capture.trim() || undefined, seconds: 4 });
        }}
      >
        <label className="text-xs text-ink-dim">
          Playback port
          <input className={inputClass} value={playback} placeholder="e.g. alsa_output…:playback_FL" onChange={(e) => setPlayback(e.target.value)} />
        </label>
        <label className="text-xs text-ink-dim">
          Capture port
          <input className={inputClass} value={capture} placeholder="e.g. alsa_input…:capture_FL" onChange={(e) => setCapture(e.target.value)} />
        </label>
        <div className="flex items-end">
          <Button type="submit" variant="primary" className="w-full" disabled={measure.isPending}>
            {measure.isPending ? 'Measuring…' : 'Measure'}
          </Button>
        </div>
      </form>
      <ErrorText error={measure.error} />
      {r && (
        <p className={`mt-2 text-sm ${r.status === 'measured' ? 'text-live' : 'text-warn'}`} data-testid="roundtrip-result">
          {r.message}
          {r.extraFrames !== undefined && ` The backend adds ${r.extraFrames} frames beyond the graph.`}
        </p>
      )}
    </Panel>
  );
}
