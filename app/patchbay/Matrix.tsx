'use client';
import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { MEDIA_COLORS, nodeLabel, type GLink, type GPort, type NodeView } from './graph-state';
import type { PatchViewProps } from './use-patchbay';

/**
 * Touch-first matrix: outputs down the side, inputs across the top, grouped by node; tap a cell to connect or
 * disconnect. A collapsed node is one row/column whose cell connects or disconnects the whole node (FL->FL, FR->FR).
 *
 * Built for large graphs (200 nodes / 1000 ports is 250,000 cells): the layout is a fixed 44 px grid, only the rows
 * and columns on screen (plus a margin) are in the DOM once the matrix is bigger than SMALL cells, and every cell is a
 * memoized component with primitive props, so a link change re-renders only the cells whose state changed.
 */
const CELL = 44; // px: a cell, a row, a column (touch target)
const HEAD_NODE = 44; // px: the node-name band above the inputs
const HEAD_PORT = 96; // px: the vertical port names
const HEAD = HEAD_NODE + HEAD_PORT;
const SMALL = 4000; // up to this many cells everything is rendered (no windowing)
const OVERSCAN = 4; // rows/columns rendered beyond each edge of the viewport

type Col = { sink: NodeView; port: GPort | null };
type Row = { kind: 'node'; src: NodeView } | { kind: 'port'; src: NodeView; out: GPort | null };

/** Link lookups for the cells, rebuilt only when the links change (O(links)). */
function linkIndex(links: Map<number, GLink>) {
  const ports = new Set<string>(); // out port > in port
  const outToNode = new Map<string, number>(); // out port > in node
  const nodeToIn = new Map<string, number>(); // out node > in port
  const nodes = new Map<string, number>(); // out node > in node
  const inc = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  for (const l of links.values()) {
    ports.add(`${l.outputPortId}>${l.inputPortId}`);
    inc(outToNode, `${l.outputPortId}>${l.inputNodeId}`);
    inc(nodeToIn, `${l.outputNodeId}>${l.inputPortId}`);
    inc(nodes, `${l.outputNodeId}>${l.inputNodeId}`);
  }
  return { ports, outToNode, nodeToIn, nodes };
}

type CellAction = (portLevel: boolean, on: boolean, a: number, b: number) => void;

/** One cell. Props are primitives and a stable callback, so React.memo skips every cell whose state is unchanged. */
const Cell = memo(function Cell({
  left,
  portLevel,
  a,
  b,
  on,
  partial,
  compatible,
  disabled,
  label,
  act,
}: {
  left: number;
  portLevel: boolean;
  a: number;
  b: number;
  on: boolean;
  partial: boolean;
  compatible: boolean;
  disabled: boolean;
  label: string;
  act: CellAction;
}) {
  return (
    <button
      aria-label={label}
      aria-pressed={on}
      disabled={disabled || !compatible}
      onClick={() => act(portLevel, on, a, b)}
      style={{ left, width: CELL, height: CELL }}
      className={`absolute top-0 border-t border-l border-stage-700 transition ${on ? (partial ? 'bg-accent/60 text-stage-950' : 'bg-accent text-stage-950') : compatible ? 'bg-stage-800 text-ink-dim/50 hover:bg-stage-700' : 'bg-stage-950'} disabled:cursor-not-allowed`}
    >
      {/* linked: a dot; connectable: a faint plus; different media: an empty dark cell that cannot be tapped */}
      {on ? '●' : compatible ? '+' : ''}
    </button>
  );
});

/** The viewport of the scroll box, for windowing. */
function useViewport() {
  const ref = useRef<HTMLDivElement>(null);
  const [vp, setVp] = useState({ left: 0, top: 0, width: 1024, height: 800 });
  const read = useCallback(() => {
    const el = ref.current;
    if (!el) return;
    const next = { left: el.scrollLeft, top: el.scrollTop, width: el.clientWidth, height: el.clientHeight };
    setVp((v) => (v.left === next.left && v.top === next.top && v.width === next.width && v.height === next.height ? v : next));
  }, []);
  useLayoutEffect(() => {
    read();
    const el = ref.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(read);
    ro.observe(el);
    return () => ro.disconnect();
  }, [read]);
  return { ref, vp, onScroll: read };
}

export function Matrix({
  graph,
  view,
  collapsed,
  toggleCollapse,
  actions,
  canPerform,
}: PatchViewProps) {
  const { ref, vp, onScroll } = useViewport();
  const index = useMemo(() => linkIndex(graph.links), [graph.links]);

  // layout: depends on the filtered view and the collapsed set only, never on the links
  const { sources, cols, groups, rows, portRows } = useMemo(() => {
    const sources = view.filter((v) => v.outputs.length > 0);
    const sinks = view.filter((v) => v.inputs.length > 0);
    const cols: Col[] = [];
    const groups: { sink: NodeView; start: number; span: number }[] = [];
    for (const s of sinks) {
      const start = cols.length;
      if (collapsed.has(s.node.id)) cols.push({ sink: s, port: null });
      else for (const p of s.inputs) cols.push({ sink: s, port: p });
      groups.push({ sink: s, start, span: cols.length - start });
    }
    const rows: Row[] = [];
    for (const src of sources) {
      rows.push({ kind: 'node', src });
      if (collapsed.has(src.node.id)) rows.push({ kind: 'port', src, out: null });
      else for (const out of src.outputs) rows.push({ kind: 'port', src, out });
    }
    const portRows = rows.filter((r) => r.kind === 'port').length;
    return { sources, cols, groups, rows, portRows };
  }, [view, collapsed]);

  // one stable callback for every cell; it reads the latest actions through a ref
  const actionsRef = useRef(actions);
  useEffect(() => {
    actionsRef.current = actions;
  });
  const act = useCallback<CellAction>((portLevel, on, a, b) => {
    const x = actionsRef.current;
    if (portLevel) (on ? x.disconnect : x.connect).mutate({ outputPortId: a, inputPortId: b });
    else (on ? x.disconnectNodes : x.connectNodes).mutate({ outputNodeId: a, inputNodeId: b });
  }, []);

  if (sources.length === 0 || cols.length === 0) return <p className="text-ink-dim">No outputs and inputs to show with these filters.</p>;

  const rowHead = vp.width < 600 ? 128 : 192; // the sticky output names: narrower on a phone
  const width = rowHead + cols.length * CELL;
  const height = HEAD + rows.length * CELL;
  const all = rows.length * cols.length <= SMALL;
  const r0 = all ? 0 : Math.max(0, Math.floor(vp.top / CELL) - OVERSCAN);
  const r1 = all ? rows.length : Math.min(rows.length, Math.ceil((vp.top + vp.height) / CELL) + OVERSCAN);
  const c0 = all ? 0 : Math.max(0, Math.floor(vp.left / CELL) - OVERSCAN);
  const c1 = all ? cols.length : Math.min(cols.length, Math.ceil((vp.left + vp.width) / CELL) + OVERSCAN);
  const visibleCols = cols.slice(c0, c1);
  const disabled = !canPerform || actions.busy;

  return (
    <div
      ref={ref}
      onScroll={onScroll}
      className="isolate max-h-[70dvh] overflow-auto overscroll-contain rounded-lg border border-stage-700 text-sm"
      data-testid="matrix"
      data-cells={portRows * cols.length}
    >
      <div className="relative" style={{ width, height }}>
        {/* column headers: node names, then port names; sticky at the top */}
        <div className="sticky top-0 z-20 bg-stage-900" style={{ width, height: HEAD }}>
          <div className="sticky left-0 z-30 flex h-full items-start bg-stage-900 p-2 text-xs text-ink-dim" style={{ width: rowHead }}>
            outputs ↓ / inputs →
          </div>
          {groups
            .filter((g) => g.start < c1 && g.start + g.span > c0)
            .map((g) => (
              <div
                key={g.sink.node.id}
                className="absolute top-0 border-l border-stage-700 px-1 text-xs font-semibold"
                style={{ left: rowHead + g.start * CELL, width: g.span * CELL, height: HEAD_NODE }}
              >
                <button
                  className="min-h-11 w-full truncate px-1 text-left hover:text-accent"
                  onClick={() => toggleCollapse(g.sink.node.id)}
                  title={g.sink.node.name}
                  aria-expanded={!collapsed.has(g.sink.node.id)}
                >
                  {collapsed.has(g.sink.node.id) ? '▸' : '▾'} {nodeLabel(g.sink.node)}
                </button>
              </div>
            ))}
          {visibleCols.map((c, k) => (
            <div
              key={c.port ? c.port.id : `n${c.sink.node.id}`}
              className="absolute flex items-end justify-center overflow-hidden border-l border-stage-700"
              style={{ left: rowHead + (c0 + k) * CELL, top: HEAD_NODE, width: CELL, height: HEAD_PORT }}
            >
              <span className="inline-block max-h-24 rotate-180 truncate px-1 text-xs font-normal text-ink-dim [writing-mode:vertical-rl]" title={c.port?.name}>
                {c.port ? c.port.name : 'all'}
              </span>
            </div>
          ))}
        </div>

        {rows.slice(r0, r1).map((row, k) => {
          const top = HEAD + (r0 + k) * CELL;
          const src = row.src;
          if (row.kind === 'node')
            return (
              <div key={`h${src.node.id}`} className="absolute border-t border-stage-600 bg-stage-800" style={{ top, width, height: CELL }}>
                <button
                  className="sticky left-0 min-h-11 truncate px-2 text-left text-xs font-semibold hover:text-accent"
                  style={{ maxWidth: Math.min(vp.width, 360), minWidth: rowHead }}
                  onClick={() => toggleCollapse(src.node.id)}
                  title={src.node.name}
                  aria-expanded={!collapsed.has(src.node.id)}
                >
                  {collapsed.has(src.node.id) ? '▸' : '▾'} {nodeLabel(src.node)}
                </button>
              </div>
            );
          const out = row.out;
          return (
            <div key={out ? out.id : `n${src.node.id}`} className="absolute" style={{ top, width, height: CELL }}>
              <div className="sticky left-0 z-10 flex h-full items-center truncate border-t border-stage-700 bg-stage-900 px-3 text-xs text-ink-dim" style={{ width: rowHead }} title={out?.name}>
                <span className="truncate">
                  <span style={{ color: out ? MEDIA_COLORS[out.mediaType] : undefined }}>●</span> {out ? out.name : 'all outputs'}
                </span>
              </div>
              {visibleCols.map((c, j) => {
                const left = rowHead + (c0 + j) * CELL;
                const key = c.port ? c.port.id : `n${c.sink.node.id}`;
                const sinkId = c.sink.node.id;
                if (sinkId === src.node.id) return <div key={key} className="absolute top-0 border-t border-l border-stage-700 bg-stage-950" style={{ left, width: CELL, height: CELL }} />;
                if (out && c.port) {
                  return (
                    <Cell
                      key={key}
                      left={left}
                      portLevel
                      a={out.id}
                      b={c.port.id}
                      on={index.ports.has(`${out.id}>${c.port.id}`)}
                      partial={false}
                      compatible={out.mediaType === c.port.mediaType}
                      disabled={disabled}
                      label={`${src.node.name}:${out.name} → ${c.sink.node.name}:${c.port.name}`}
                      act={act}
                    />
                  );
                }
                const count = out
                  ? index.outToNode.get(`${out.id}>${sinkId}`)
                  : c.port
                    ? index.nodeToIn.get(`${src.node.id}>${c.port.id}`)
                    : index.nodes.get(`${src.node.id}>${sinkId}`);
                return (
                  <Cell
                    key={key}
                    left={left}
                    portLevel={false}
                    a={src.node.id}
                    b={sinkId}
                    on={(count ?? 0) > 0}
                    partial={(count ?? 0) > 0}
                    compatible
                    disabled={disabled}
                    label={`${src.node.name} → ${c.sink.node.name}`}
                    act={act}
                  />
                );
              })}
            </div>
          );
        })}
      </div>
    </div>
  );
}
