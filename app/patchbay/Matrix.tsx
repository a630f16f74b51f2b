'use client';
import { Fragment } from 'react';
import { MEDIA_COLORS, nodeLabel, type GPort, type GraphState, type NodeView } from './graph-state';
import type { PatchActions } from './use-patchbay';

/**
 * Touch-first matrix: outputs down the side, inputs across the top, grouped by node; tap a cell to connect or
 * disconnect. A collapsed node is one row/column whose cell connects or disconnects the whole node (FL->FL, FR->FR).
 */
export function Matrix({
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
  const sources = view.filter((v) => v.outputs.length > 0);
  const sinks = view.filter((v) => v.inputs.length > 0);
  const linked = new Set([...graph.links.values()].map((l) => `${l.outputPortId}>${l.inputPortId}`));
  const nodeLinks = new Map<string, number>();
  for (const l of graph.links.values()) nodeLinks.set(`${l.outputNodeId}>${l.inputNodeId}`, (nodeLinks.get(`${l.outputNodeId}>${l.inputNodeId}`) ?? 0) + 1);
  const cols: { node: NodeView; port: GPort | null }[] = sinks.flatMap((s) =>
    collapsed.has(s.node.id) ? [{ node: s, port: null }] : s.inputs.map((p) => ({ node: s, port: p as GPort | null })),
  );

  if (sources.length === 0 || sinks.length === 0) return <p className="text-ink-dim">No outputs and inputs to show with these filters.</p>;

  return (
    <div className="isolate max-h-[70dvh] overflow-auto rounded-lg border border-stage-700" data-testid="matrix">
      <table className="border-separate border-spacing-0 text-sm">
        <thead>
          <tr>
            <th className="sticky top-0 left-0 z-30 bg-stage-900 p-2 text-left text-xs text-ink-dim">outputs ↓ / inputs →</th>
            {sinks.map((s) => (
              <th
                key={s.node.id}
                colSpan={collapsed.has(s.node.id) ? 1 : s.inputs.length}
                className="sticky top-0 z-20 border-l border-stage-700 bg-stage-900 px-1 py-1 text-xs font-semibold"
              >
                <button className="min-h-11 w-full truncate px-1 text-left hover:text-accent" onClick={() => toggleCollapse(s.node.id)} title={s.node.name} aria-expanded={!collapsed.has(s.node.id)}>
                  {collapsed.has(s.node.id) ? '▸' : '▾'} {nodeLabel(s.node)}
                </button>
              </th>
            ))}
          </tr>
          <tr>
            <th className="sticky top-[52px] left-0 z-30 bg-stage-900" />
            {cols.map((c) => (
              <th key={c.port ? c.port.id : `n${c.node.node.id}`} className="sticky top-[52px] z-20 h-24 min-w-11 border-l border-stage-700 bg-stage-900 align-bottom">
                <span className="inline-block max-h-24 rotate-180 truncate px-1 text-xs font-normal text-ink-dim [writing-mode:vertical-rl]">
                  {c.port ? c.port.name : 'all'}
                </span>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {sources.map((src) => {
            const rows = collapsed.has(src.node.id) ? [null] : src.outputs;
            return (
              <Fragment key={src.node.id}>
                <tr>
                  <th colSpan={1} className="sticky left-0 z-10 border-t border-stage-600 bg-stage-800 px-2 text-left text-xs font-semibold">
                    <button className="min-h-11 max-w-48 truncate text-left hover:text-accent" onClick={() => toggleCollapse(src.node.id)} title={src.node.name} aria-expanded={!collapsed.has(src.node.id)}>
                      {collapsed.has(src.node.id) ? '▸' : '▾'} {nodeLabel(src.node)}
                    </button>
                  </th>
                  <td colSpan={cols.length} className="border-t border-stage-600 bg-stage-800" />
                </tr>
                {rows.map((out) => (
                  <tr key={out ? out.id : `n${src.node.id}`}>
                    <th className="sticky left-0 z-10 max-w-48 truncate bg-stage-900 px-3 text-left text-xs font-normal text-ink-dim">
                      <span style={{ color: out ? MEDIA_COLORS[out.mediaType] : undefined }}>●</span> {out ? out.name : 'all outputs'}
                    </th>
                    {cols.map((c) => {
                      const key = `${out?.id ?? 'n' + src.node.id}-${c.port?.id ?? 'n' + c.node.node.id}`;
                      if (c.node.node.id === src.node.id) return <td key={key} className="border-l border-t border-stage-700 bg-stage-950" />;
                      let on = false;
                      let partial = false;
                      let label = '';
                      let act: () => void = () => undefined;
                      let compatible = true;
                      if (out && c.port) {
                        compatible = out.mediaType === c.port.mediaType;
                        on = linked.has(`${out.id}>${c.port.id}`);
                        label = `${src.node.name}:${out.name} → ${c.node.node.name}:${c.port.name}`;
                        act = () =>
                          on
                            ? actions.disconnect.mutate({ outputPortId: out.id, inputPortId: c.port!.id })
                            : actions.connect.mutate({ outputPortId: out.id, inputPortId: c.port!.id });
                      } else {
                        const count = out
                          ? [...graph.links.values()].filter((l) => l.outputPortId === out.id && l.inputNodeId === c.node.node.id).length
                          : c.port
                            ? [...graph.links.values()].filter((l) => l.inputPortId === c.port!.id && l.outputNodeId === src.node.id).length
                            : (nodeLinks.get(`${src.node.id}>${c.node.node.id}`) ?? 0);
                        on = count > 0;
                        partial = on;
                        label = `${src.node.name} → ${c.node.node.name}`;
                        act = () =>
                          on
                            ? actions.disconnectNodes.mutate({ outputNodeId: src.node.id, inputNodeId: c.node.node.id })
                            : actions.connectNodes.mutate({ outputNodeId: src.node.id, inputNodeId: c.node.node.id });
                      }
                      return (
                        <td key={key} className="border-l border-t border-stage-700 p-0 text-center">
                          <button
                            aria-label={label}
                            aria-pressed={on}
                            disabled={!canPerform || !compatible || actions.busy}
                            onClick={act}
                            className={`h-11 w-11 transition ${on ? (partial ? 'bg-accent/60' : 'bg-accent') : compatible ? 'hover:bg-stage-700' : 'bg-stage-950'} disabled:cursor-not-allowed`}
                          >
                            {on ? '●' : compatible ? '' : '·'}
                          </button>
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
