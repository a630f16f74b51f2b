'use client';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { ErrorText, inputClass, Panel } from '../components/ui';
import { Canvas } from './Canvas';
import { ClockPanel } from './ClockPanel';
import { viewOf, type MediaType } from './graph-state';
import { Matrix } from './Matrix';
import { RulesPanel, ScenesPanel } from './ScenesPanel';
import { useLiveGraph, usePatchActions, useRole } from './use-patchbay';

const MEDIA: MediaType[] = ['audio', 'midi', 'video'];

/** The patchbay: the live PipeWire graph as a touch matrix or a canvas, the clock, scenes and rules. */
export default function PatchbayPage() {
  const { graph, status, renderMark } = useLiveGraph();
  const { canPerform, isAdmin, role } = useRole();
  const actions = usePatchActions();
  const [mode, setMode] = useState<'matrix' | 'canvas'>('matrix');
  const [media, setMedia] = useState<Set<MediaType>>(new Set([...MEDIA, 'other']));
  const [text, setText] = useState('');
  const [collapsed, setCollapsed] = useState<Set<number>>(new Set());
  const toggleCollapse = useCallback((id: number) => setCollapsed((c) => (c.has(id) ? new Set([...c].filter((x) => x !== id)) : new Set([...c, id]))), []);
  // the view depends on nodes and ports only: a link patch keeps the same Maps, so the same view (and layout)
  const { nodes, ports } = graph;
  const view = useMemo(() => viewOf({ nodes, ports }, { media, text }), [nodes, ports, media, text]);

  useEffect(() => {
    const saved = localStorage.getItem('archibald.patchbay.mode');
    if (saved === 'canvas' || saved === 'matrix') setMode(saved);
  }, []);
  // render time of the last patch (read by the benchmark): from the patch's arrival to the frame that shows it.
  // The commit alone is not the end: React Flow applies new nodes/edges to its store in its own effects and renders
  // again, so the time is taken in a task posted from the next animation frame, i.e. after that frame is painted.
  useEffect(() => {
    const mark = renderMark.current;
    if (!mark || mark.version !== graph.version) return;
    renderMark.current = null;
    requestAnimationFrame(() => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => {
        const w = window as unknown as { __patchbayRenders?: number[] };
        (w.__patchbayRenders ??= []).push(performance.now() - mark.at);
      };
      ch.port2.postMessage(null);
    });
  }, [graph, renderMark]);

  const chooseMode = (m: 'matrix' | 'canvas') => {
    localStorage.setItem('archibald.patchbay.mode', m);
    setMode(m);
  };

  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div>
          <h1 className="text-2xl font-bold">Patchbay</h1>
          <p className="text-sm text-ink-dim" data-testid="pw-status">
            {status?.state === 'live' ? (
              <span className="text-live">PipeWire live</span>
            ) : status?.state === 'down' ? (
              <span className="text-danger">PipeWire down: {status.reason}</span>
            ) : (
              'Connecting to PipeWire…'
            )}{' '}
            · {graph.nodes.size} nodes · {graph.ports.size} ports · {graph.links.size} links
            {!canPerform && ` · ${role}: view only`}
          </p>
        </div>
        <div className="flex gap-1 rounded-lg bg-stage-800 p-1" role="group" aria-label="View">
          {(['matrix', 'canvas'] as const).map((m) => (
            <button key={m} onClick={() => chooseMode(m)} aria-pressed={mode === m} className={`min-h-11 rounded-md px-4 font-semibold capitalize ${mode === m ? 'bg-accent text-stage-950' : 'text-ink-dim'}`}>
              {m}
            </button>
          ))}
        </div>
      </div>

      <div className="flex flex-wrap items-center gap-2">
        {MEDIA.map((m) => (
          <button
            key={m}
            aria-pressed={media.has(m)}
            onClick={() => setMedia((s) => (s.has(m) ? new Set([...s].filter((x) => x !== m)) : new Set([...s, m])))}
            className={`min-h-11 rounded-full border px-4 text-sm capitalize ${media.has(m) ? 'border-accent text-ink' : 'border-stage-600 text-ink-dim line-through'}`}
          >
            {m}
          </button>
        ))}
        <input className={`${inputClass} max-w-xs flex-1`} placeholder="Filter by name" aria-label="Filter by name" value={text} onChange={(e) => setText(e.target.value)} />
        <button className="min-h-11 rounded-lg border border-stage-600 px-3 text-sm" onClick={() => setCollapsed(collapsed.size ? new Set() : new Set(view.map((v) => v.node.id)))}>
          {collapsed.size ? 'Expand all' : 'Collapse all'}
        </button>
      </div>
      <ErrorText error={actions.error} />

      {mode === 'matrix' ? (
        <Matrix graph={graph} view={view} collapsed={collapsed} toggleCollapse={toggleCollapse} actions={actions} canPerform={canPerform} />
      ) : (
        <Canvas graph={graph} view={view} collapsed={collapsed} toggleCollapse={toggleCollapse} actions={actions} canPerform={canPerform} />
      )}

      {/* grid-cols-1 is minmax(0, 1fr): a panel's widest content never widens the page on a phone */}
      <div className="grid grid-cols-1 gap-4 lg:grid-cols-2">
        <ClockPanel graph={graph} canPerform={canPerform} />
        <div className="flex min-w-0 flex-col gap-4">
          <ScenesPanel canPerform={canPerform} isAdmin={isAdmin} />
          <RulesPanel isAdmin={isAdmin} />
        </div>
      </div>
      {status?.state === 'down' && (
        <Panel>
          <p className="text-sm text-ink-dim">The console retries on its own; the graph comes back as soon as PipeWire does.</p>
        </Panel>
      )}
    </div>
  );
}
