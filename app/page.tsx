'use client';
import { useEffect, useState } from 'react';
import { Sparkline } from './components/Sparkline';
import { Panel } from './components/ui';
import { useLinkState } from './lib/connection';
import { formatBytes, formatRate, formatUptime, loadColor } from './lib/format';
import { useLiveSystem } from './lib/use-live-system';

const RATES = [1, 2, 4, 10] as const;

function useRate(): [number, (hz: number) => void] {
  const [hz, setHz] = useState(4);
  useEffect(() => {
    const saved = Number(localStorage.getItem('archibald.hz'));
    if (RATES.includes(saved as (typeof RATES)[number])) setHz(saved);
  }, []);
  return [hz, (next) => (localStorage.setItem('archibald.hz', String(next)), setHz(next))];
}

/** Overview: what a performer glances at before and during a set. */
export default function OverviewPage() {
  const [hz, setHz] = useRate();
  const { info, infoError, latest, history } = useLiveSystem(hz);
  const link = useLinkState();

  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div>
          <h1 className="text-2xl font-bold">{info?.hostname ?? 'Overview'}</h1>
          {info && (
            <p className="text-sm text-ink-dim">
              {info.cpuModel} · {info.cores} cores
            </p>
          )}
        </div>
        <div className="flex items-center gap-2">
          {info && (
            <span
              data-testid="kernel-badge"
              className={`rounded-md px-2.5 py-1.5 text-sm font-bold ${info.realtime ? 'bg-live/15 text-live' : 'bg-warn/15 text-warn'}`}
              title={info.kernel}
            >
              {info.realtime ? 'PREEMPT_RT' : (info.preempt ?? 'not RT')} · {info.kernel}
            </span>
          )}
        </div>
      </div>
      {infoError && <p className="text-danger">{infoError.message}</p>}
      {link !== 'live' && latest && (
        <p className="rounded-md border border-warn/40 bg-warn/10 px-3 py-2 text-sm text-warn" data-testid="stale-note">
          Showing the last values received at {new Date(latest.t).toLocaleTimeString()}.
        </p>
      )}

      <div className="grid gap-4 md:grid-cols-2">
        <Panel
          title="CPU"
          action={
            <div className="flex gap-1" role="group" aria-label="Update rate">
              {RATES.map((r) => (
                <button
                  key={r}
                  onClick={() => setHz(r)}
                  aria-pressed={hz === r}
                  className={`min-h-11 min-w-11 rounded-md text-sm font-semibold ${hz === r ? 'bg-accent text-stage-950' : 'bg-stage-800 text-ink-dim'}`}
                >
                  {r} Hz
                </button>
              ))}
            </div>
          }
        >
          <div className="flex items-baseline gap-2">
            <span className="text-4xl font-bold tabular-nums" data-testid="cpu-total" data-sample-t={latest?.t}>
              {latest ? `${latest.cpu.total.toFixed(0)}%` : '–'}
            </span>
            <span className="text-sm text-ink-dim">all cores</span>
          </div>
          <Sparkline values={history.map((s) => s.cpu.total)} max={100} label="CPU history" className="mt-2 h-12 w-full text-accent" />
          <ul className="mt-3 flex flex-col gap-1.5" data-testid="core-bars">
            {(latest?.cpu.cores ?? []).map((load, i) => (
              <li key={i} className="flex items-center gap-2 text-sm">
                <span className="w-12 shrink-0 text-ink-dim tabular-nums">cpu{i}</span>
                <span className="h-4 flex-1 overflow-hidden rounded bg-stage-800">
                  <span className={`block h-full ${loadColor(load)} transition-[width] duration-200`} style={{ width: `${Math.min(100, load)}%` }} />
                </span>
                <span className="w-12 shrink-0 text-right tabular-nums">{load.toFixed(0)}%</span>
                <span className="w-20 shrink-0 text-right text-xs text-ink-dim tabular-nums" title="Clock now (a performance governor holds it high)">
                  {latest?.cpu.mhz[i] ? `${(latest.cpu.mhz[i] / 1000).toFixed(2)} GHz` : ''}
                </span>
              </li>
            ))}
          </ul>
          {latest && (
            <p className="mt-3 text-sm text-ink-dim tabular-nums">
              Load {latest.load.map((l) => l.toFixed(2)).join(' · ')} · up {formatUptime(latest.uptime)}
            </p>
          )}
        </Panel>

        <Panel title="Memory">
          {latest ? (
            <>
              <div className="flex items-baseline gap-2">
                <span className="text-4xl font-bold tabular-nums" data-testid="mem-used">
                  {formatBytes(latest.mem.used)}
                </span>
                <span className="text-sm text-ink-dim">of {formatBytes(latest.mem.total)}</span>
              </div>
              <Sparkline values={history.map((s) => (s.mem.used / s.mem.total) * 100)} max={100} label="Memory history" className="mt-2 h-12 w-full text-live" />
              <p className="mt-2 text-sm text-ink-dim">
                Swap {latest.mem.swapTotal ? `${formatBytes(latest.mem.swapUsed)} of ${formatBytes(latest.mem.swapTotal)}` : 'off'}
              </p>
            </>
          ) : (
            <p className="text-ink-dim">Waiting for the first sample…</p>
          )}
        </Panel>

        <Panel title="Temperature">
          {latest && latest.temps.length > 0 ? (
            <ul className="grid grid-cols-2 gap-2">
              {latest.temps.map((t) => (
                <li key={t.label} className="rounded-lg bg-stage-800 px-3 py-2">
                  <div className="truncate text-xs text-ink-dim">{t.label}</div>
                  <div className={`text-xl font-bold tabular-nums ${t.celsius >= 85 ? 'text-danger' : t.celsius >= 70 ? 'text-warn' : ''}`}>{t.celsius.toFixed(0)} °C</div>
                </li>
              ))}
            </ul>
          ) : (
            <p className="text-ink-dim">{latest ? 'This machine reports no temperature sensors.' : 'Waiting for the first sample…'}</p>
          )}
        </Panel>

        <Panel title="Network">
          {latest ? (
            <>
              <div className="flex gap-6 tabular-nums">
                <div>
                  <div className="text-xs text-ink-dim">In</div>
                  <div className="text-xl font-bold" data-testid="net-rx">{formatRate(latest.net.rxBps)}</div>
                </div>
                <div>
                  <div className="text-xs text-ink-dim">Out</div>
                  <div className="text-xl font-bold">{formatRate(latest.net.txBps)}</div>
                </div>
              </div>
              <Sparkline values={history.map((s) => s.net.rxBps + s.net.txBps)} label="Network history" className="mt-2 h-12 w-full text-ink-dim" />
            </>
          ) : (
            <p className="text-ink-dim">Waiting for the first sample…</p>
          )}
        </Panel>
      </div>
    </div>
  );
}
