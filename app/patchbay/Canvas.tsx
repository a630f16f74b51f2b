'use client';
import '@xyflow/react/dist/style.css';
import './canvas.css';
import { Background, Controls, Handle, Position, ReactFlow, type Connection, type Edge, type Node, type NodeProps } from '@xyflow/react';
import { memo, useCallback, useMemo, useState } from 'react';
import { MEDIA_COLORS, nodeLabel, type GPort, type GraphState, type NodeView } from './graph-state';
import type { PatchActions } from './use-patchbay';

/**
 * Canvas view: nodes with their ports, drag from an output handle to an input handle to link, tap a link and
 * "Remove link" (or Delete) to unlink. Links are coloured by media type. A collapsed node has one connector per side.
 */
type PwNodeData = { view: NodeView; collapsed: boolean; toggle: (id: number) => void };

const ROW = 30;

const PwNode = memo(function PwNode({ data }: NodeProps<Node<PwNodeData>>) {
  const { view, collapsed, toggle } = data;
  const rows = Math.max(view.inputs.length, view.outputs.length);
  const handleStyle = (p: GPort, i: number) => ({ top: 44 + i * ROW + ROW / 2, background: MEDIA_COLORS[p.mediaType], width: 14, height: 14 });
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

export function Canvas({
  graph,
  view,
  collapsed,
  toggleCollapse,
  actions,
  canPerform,
}: {
  graph: GraphState;
  view: NodeView[];
  collapsed: Set<number>;
  toggleCollapse: (id: number) => void;
  actions: PatchActions;
  canPerform: boolean;
}) {
  const [moved, setMoved] = useState<Record<string, { x: number; y: number }>>({});
  const [selected, setSelected] = useState<string | null>(null);

  const nodes = useMemo<Node<PwNodeData>[]>(() => {
    const colY = [0, 0, 0];
    return view.map((v) => {
      const col = v.inputs.length === 0 ? 0 : v.outputs.length === 0 ? 2 : 1;
      const h = 60 + (collapsed.has(v.node.id) ? 1 : Math.max(v.inputs.length, v.outputs.length)) * ROW;
      const y = colY[col];
      colY[col] += h + 24;
      const id = String(v.node.id);
      return { id, type: 'pw', position: moved[id] ?? { x: col * 320, y }, data: { view: v, collapsed: collapsed.has(v.node.id), toggle: toggleCollapse } };
    });
  }, [view, collapsed, moved, toggleCollapse]);

  const edges = useMemo<Edge[]>(() => {
    const visible = new Set(view.map((v) => v.node.id));
    const out: Edge[] = [];
    const seen = new Set<string>();
    for (const l of graph.links.values()) {
      if (!visible.has(l.outputNodeId) || !visible.has(l.inputNodeId)) continue;
      const port = graph.ports.get(l.outputPortId);
      const sh = collapsed.has(l.outputNodeId) ? 'on' : `o${l.outputPortId}`;
      const th = collapsed.has(l.inputNodeId) ? 'in' : `i${l.inputPortId}`;
      const id = collapsed.has(l.outputNodeId) || collapsed.has(l.inputNodeId) ? `n${l.outputNodeId}-${sh}-${l.inputNodeId}-${th}` : `l${l.id}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const color = MEDIA_COLORS[port?.mediaType ?? 'other'];
      out.push({
        id,
        source: String(l.outputNodeId),
        sourceHandle: sh,
        target: String(l.inputNodeId),
        targetHandle: th,
        style: { stroke: color, strokeWidth: selected === id ? 5 : 2.5 },
        animated: l.state !== 'active',
        data: { linkId: l.id, outNode: l.outputNodeId, inNode: l.inputNodeId },
      });
    }
    return out;
  }, [graph.links, graph.ports, view, collapsed, selected]);

  const onConnect = useCallback(
    (c: Connection) => {
      if (!canPerform || !c.source || !c.target) return;
      const sh = c.sourceHandle ?? 'on';
      const th = c.targetHandle ?? 'in';
      if (sh.startsWith('o') && sh !== 'on' && th.startsWith('i') && th !== 'in') {
        actions.connect.mutate({ outputPortId: Number(sh.slice(1)), inputPortId: Number(th.slice(1)) });
      } else {
        actions.connectNodes.mutate({ outputNodeId: Number(c.source), inputNodeId: Number(c.target) });
      }
    },
    [actions, canPerform],
  );

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

  return (
    <div className="relative isolate h-[70dvh] min-h-96 overflow-hidden rounded-lg border border-stage-700 bg-stage-950" data-testid="canvas">
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        colorMode="dark"
        onConnect={onConnect}
        isValidConnection={isValidConnection}
        nodesConnectable={canPerform}
        onNodeDragStop={(_, n) => setMoved((m) => ({ ...m, [n.id]: n.position }))}
        onEdgeClick={(_, e) => setSelected(e.id)}
        onPaneClick={() => setSelected(null)}
        onEdgesDelete={(es) => {
          if (!canPerform) return;
          for (const e of es) {
            const d = e.data as { linkId: number; outNode: number; inNode: number };
            if (e.id.startsWith('l')) actions.disconnect.mutate({ linkId: d.linkId });
            else actions.disconnectNodes.mutate({ outputNodeId: d.outNode, inputNodeId: d.inNode });
          }
        }}
        deleteKeyCode={canPerform ? ['Delete', 'Backspace'] : null}
        connectionRadius={30}
        fitView
        minZoom={0.1}
        proOptions={{ hideAttribution: true }}
      >
        <Background />
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
