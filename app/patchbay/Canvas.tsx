'use client';
import '@xyflow/react/dist/style.css';
import './canvas.css';
import { Background, Controls, Handle, Position, ReactFlow, type Connection, type Edge, type Node, type NodeProps } from '@xyflow/react';
import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { LinkLayer } from './LinkLayer';
import { MEDIA_COLORS, nodeLabel, type GPort, type NodeView } from './graph-state';
import type { PatchViewProps } from './use-patchbay';

/**
 * Canvas view: nodes with their ports, drag from an output handle to an input handle to link, tap a link and
 * "Remove link" (or Delete) to unlink. Links are coloured by media type. A collapsed node has one connector per side.
 * Above LINK_LAYER_ABOVE links they are drawn by LinkLayer on a 2D canvas instead of as React Flow edges (a one-link
 * update strokes one curve); a tap within 22 px of a link selects it, and "Remove link" removes it.
 */
type PwNodeData = { view: NodeView; collapsed: boolean; toggle: (id: number) => void };

const ROW = 30;
type EdgeData = { linkId: number; outNode: number; inNode: number };

/** Same node and the same port objects (viewOf rebuilds NodeViews, but unchanged ports keep their identity). */
const sameList = (a: GPort[], b: GPort[]) => a.length === b.length && a.every((p, i) => p === b[i]);
const sameView = (a: NodeView, b: NodeView) => a === b || (a.node === b.node && sameList(a.inputs, b.inputs) && sameList(a.outputs, b.outputs));

const PwNode = memo(function PwNode({ data }: NodeProps<Node<PwNodeData>>) {
  const { view, collapsed, toggle } = data;
  const rows = Math.max(view.inputs.length, view.outputs.length);
  // Handles sit in the port area (positioned, below the 44 px header): the middle of their label's row.
  const handleStyle = (p: GPort, i: number) => ({ top: i * ROW + ROW / 2, background: MEDIA_COLORS[p.mediaType], width: 14, height: 14 });
  return (
    <div className="min-w-56 rounded-lg border border-stage-600 bg-stage-800 text-ink shadow" data-testid={`canvas-node-${view.node.name}`}>
      <div className="flex h-11 items-center justify-between gap-2 border-b border-stage-700 px-3">
        <span className="truncate text-sm font-semibold" title={view.node.name}>
          {nodeLabel(view.node)}
        </span>
        <button className="nodrag -mr-2 min-h-11 min-w-11 rounded text-ink-dim hover:text-accent" onClick={() => toggle(view.node.id)} aria-label={collapsed ? 'Expand node' : 'Collapse node'}>
          {collapsed ? '▸' : '▾'}
        </button>
      </div>
      {collapsed ? (
        <div className="h-8">
          {view.inputs.length > 0 && <Handle id="in" type="target" position={Position.Left} style={{ top: 60, width: 14, height: 14 }} />}
          {view.outputs.length > 0 && <Handle id="on" type="source" position={Position.Right} style={{ top: 60, width: 14, height: 14 }} />}
        </div>
      ) : (
        <div style={{ height: rows * ROW }} className="relative text-xs">
          {view.inputs.map((p, i) => (
            <div key={p.id} className="absolute left-3 truncate text-ink-dim" style={{ top: i * ROW + 7, maxWidth: '45%' }}>
              {p.name}
            </div>
          ))}
          {view.outputs.map((p, i) => (
            <div key={p.id} className="absolute right-3 truncate text-right text-ink-dim" style={{ top: i * ROW + 7, maxWidth: '45%' }}>
              {p.name}
            </div>
          ))}
          {view.inputs.map((p, i) => (
            <Handle key={p.id} id={`i${p.id}`} type="target" position={Position.Left} style={handleStyle(p, i)} data-testid={`handle-in-${p.id}`} />
          ))}
          {view.outputs.map((p, i) => (
            <Handle key={p.id} id={`o${p.id}`} type="source" position={Position.Right} style={handleStyle(p, i)} data-testid={`handle-out-${p.id}`} />
          ))}
        </div>
      )}
    </div>
  );
});

const nodeTypes = { pw: PwNode };
const PRO_OPTIONS = { hideAttribution: true };
const NO_EDGES: Edge[] = [];
/** Above this many links they are drawn by LinkLayer (one 2D canvas), not as React Flow edges. */
export const LINK_LAYER_ABOVE = 500;

export function Canvas({
  graph,
  view,
  collapsed,
  toggleCollapse,
  actions,
  canPerform,
}: PatchViewProps) {
  const [moved, setMoved] = useState<Record<string, { x: number; y: number }>>({});
  const [selected, setSelected] = useState<string | null>(null);

  // Incremental: the previous node / edge object is kept for every id whose content is unchanged, so React Flow
  // (which re-renders a node or edge when its object changes) redraws only what a patch touched.
  const nodeCache = useRef(new Map<string, Node<PwNodeData>>());
  const nodes = useMemo<Node<PwNodeData>[]>(() => {
    const colY = [0, 0, 0];
    const prev = nodeCache.current;
    const next = new Map<string, Node<PwNodeData>>();
    const out = view.map((v) => {
      const col = v.inputs.length === 0 ? 0 : v.outputs.length === 0 ? 2 : 1;
      const isCollapsed = collapsed.has(v.node.id);
      const h = 60 + (isCollapsed ? 1 : Math.max(v.inputs.length, v.outputs.length)) * ROW;
      const y = colY[col];
      colY[col] += h + 24;
      const id = String(v.node.id);
      const position = moved[id] ?? { x: col * 320, y };
      const old = prev.get(id);
      const n: Node<PwNodeData> =
        old &&
        old.position.x === position.x &&
        old.position.y === position.y &&
        old.data.collapsed === isCollapsed &&
        old.data.toggle === toggleCollapse &&
        sameView(old.data.view, v)
          ? old
          : { id, type: 'pw', position, data: { view: v, collapsed: isCollapsed, toggle: toggleCollapse } };
      next.set(id, n);
      return n;
    });
    nodeCache.current = next;
    return out;
  }, [view, collapsed, moved, toggleCollapse]);

  const edgeCache = useRef(new Map<string, Edge>());
  const edges = useMemo<Edge[]>(() => {
    const visible = new Set(view.map((v) => v.node.id));
    const prev = edgeCache.current;
    const next = new Map<string, Edge>();
    const out: Edge[] = [];
    for (const l of graph.links.values()) {
      if (!visible.has(l.outputNodeId) || !visible.has(l.inputNodeId)) continue;
      const port = graph.ports.get(l.outputPortId);
      const sh = collapsed.has(l.outputNodeId) ? 'on' : `o${l.outputPortId}`;
      const th = collapsed.has(l.inputNodeId) ? 'in' : `i${l.inputPortId}`;
      const id = collapsed.has(l.outputNodeId) || collapsed.has(l.inputNodeId) ? `n${l.outputNodeId}-${sh}-${l.inputNodeId}-${th}` : `l${l.id}`;
      if (next.has(id)) continue;
      const color = MEDIA_COLORS[port?.mediaType ?? 'other'];
      const strokeWidth = selected === id ? 5 : 2.5;
      const animated = l.state !== 'active';
      const old = prev.get(id);
      const d = old?.data as EdgeData | undefined;
      const e: Edge =
        old &&
        d &&
        old.sourceHandle === sh &&
        old.targetHandle === th &&
        old.animated === animated &&
        old.style?.stroke === color &&
        old.style?.strokeWidth === strokeWidth &&
        d.linkId === l.id &&
        d.outNode === l.outputNodeId &&
        d.inNode === l.inputNodeId
          ? old
          : {
              id,
              source: String(l.outputNodeId),
              sourceHandle: sh,
              target: String(l.inputNodeId),
              targetHandle: th,
              style: { stroke: color, strokeWidth },
              animated,
              data: { linkId: l.id, outNode: l.outputNodeId, inNode: l.inputNodeId } satisfies EdgeData,
            };
      next.set(id, e);
      out.push(e);
    }
    edgeCache.current = next;
    return out;
  }, [graph.links, graph.ports, view, collapsed, selected]);

  // Every prop handed to <ReactFlow> is stable: its StoreUpdater pushes each changed prop into the store as its own
  // update, and every update runs the selectors of all 2000 edges. Actions are read through a ref for that reason.
  const actionsRef = useRef(actions);
  useEffect(() => {
    actionsRef.current = actions;
  });
  const onConnect = useCallback(
    (c: Connection) => {
      if (!canPerform || !c.source || !c.target) return;
      const sh = c.sourceHandle ?? 'on';
      const th = c.targetHandle ?? 'in';
      if (sh.startsWith('o') && sh !== 'on' && th.startsWith('i') && th !== 'in') {
        actionsRef.current.connect.mutate({ outputPortId: Number(sh.slice(1)), inputPortId: Number(th.slice(1)) });
      } else {
        actionsRef.current.connectNodes.mutate({ outputNodeId: Number(c.source), inputNodeId: Number(c.target) });
      }
    },
    [canPerform],
  );
  const onNodeDragStop = useCallback((_: unknown, n: Node) => setMoved((m) => ({ ...m, [n.id]: n.position })), []);
  const onEdgeClick = useCallback((_: unknown, e: Edge) => setSelected(e.id), []);
  // with the link layer, a tap on the pane selects the link under the finger (LinkLayer's hit test), else clears
  const hitRef = useRef<((clientX: number, clientY: number) => string | null) | null>(null);
  const onPaneClick = useCallback((e: { clientX: number; clientY: number }) => setSelected(hitRef.current?.(e.clientX, e.clientY) ?? null), []);
  const onEdgesDelete = useCallback(
    (es: Edge[]) => {
      if (!canPerform) return;
      for (const e of es) {
        const d = e.data as EdgeData;
        if (e.id.startsWith('l')) actionsRef.current.disconnect.mutate({ linkId: d.linkId });
        else actionsRef.current.disconnectNodes.mutate({ outputNodeId: d.outNode, inputNodeId: d.inNode });
      }
    },
    [canPerform],
  );
  const deleteKeyCode = useMemo(() => (canPerform ? ['Delete', 'Backspace'] : null), [canPerform]);

  const isValidConnection = useCallback(
    (c: Connection | Edge) => {
      const sh = c.sourceHandle ?? '';
      const th = c.targetHandle ?? '';
      if (!sh.startsWith('o') || sh === 'on' || !th.startsWith('i') || th === 'in') return c.source !== c.target;
      const a = graph.ports.get(Number(sh.slice(1)));
      const b = graph.ports.get(Number(th.slice(1)));
      return !!a && !!b && a.mediaType === b.mediaType;
    },
    [graph.ports],
  );

  const removeSelected = () => {
    const e = edges.find((x) => x.id === selected);
    if (!e) return;
    const d = e.data as { linkId: number; outNode: number; inNode: number };
    if (e.id.startsWith('l')) actions.disconnect.mutate({ linkId: d.linkId });
    else actions.disconnectNodes.mutate({ outputNodeId: d.outNode, inputNodeId: d.inNode });
    setSelected(null);
  };

  const large = edges.length > LINK_LAYER_ABOVE;

  return (
    <div className="relative isolate h-[70dvh] min-h-96 overflow-hidden rounded-lg border border-stage-700 bg-stage-950" data-testid="canvas">
      <ReactFlow
        nodes={nodes}
        edges={large ? NO_EDGES : edges}
        nodeTypes={nodeTypes}
        colorMode="dark"
        onConnect={onConnect}
        isValidConnection={isValidConnection}
        nodesConnectable={canPerform}
        onNodeDragStop={onNodeDragStop}
        onEdgeClick={onEdgeClick}
        onPaneClick={onPaneClick}
        onEdgesDelete={onEdgesDelete}
        deleteKeyCode={deleteKeyCode}
        connectionRadius={30}
        fitView
        onlyRenderVisibleElements
        minZoom={0.1}
        proOptions={PRO_OPTIONS}
      >
        <Background />
        {large && <LinkLayer edges={edges} hitRef={hitRef} />}
        <Controls showInteractive={false} />
      </ReactFlow>
      {selected && canPerform && (
        <button onClick={removeSelected} className="absolute top-3 right-3 z-10 min-h-11 rounded-lg border border-danger/60 bg-stage-900 px-4 font-semibold text-danger">
          Remove link
        </button>
      )}
    </div>
  );
}
