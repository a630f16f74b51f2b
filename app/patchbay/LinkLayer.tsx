'use client';
import { EdgeLabelRenderer, useReactFlow, useStore, type Edge, type InternalNode, type ReactFlowState } from '@xyflow/react';
import { memo, useEffect, useMemo, useRef, type RefObject } from 'react';

/**
 * The links of a large graph, drawn as one SVG of plain <path>s under the nodes instead of React Flow edges.
 *
 * React Flow gives every edge its own <svg>, three store subscriptions and a position selector that runs on every
 * store update; at ~2000 links a one-link patch cost >100 ms to reach the screen. Here a link patch never touches React
 * Flow's store: the layer re-renders, each unchanged link is a memoized <path> with the same props, and the only DOM
 * change is the one path added or removed. Geometry comes from React Flow's own measured handle bounds, so the ends
 * sit on the handles exactly as its edges would (same bezier as its default edge).
 *
 * A tap on the pane selects the nearest link within 22 screen px (a 44 px wide touch target) through `hitRef`.
 */
type Curve = [number, number, number, number, number, number, number, number];
type Drawn = { id: string; curve: Curve; d: string; stroke: string; width: number; dashed: boolean };

/** React Flow's default bezier (curvature 0.25) from a right-side source to a left-side target. */
const offset = (d: number) => (d >= 0 ? 0.5 * d : 0.25 * 25 * Math.sqrt(-d));
const curveOf = (sx: number, sy: number, tx: number, ty: number): Curve => [sx, sy, sx + offset(tx - sx), sy, tx - offset(tx - sx), ty, tx, ty];
const pathOf = (c: Curve) => `M${c[0]},${c[1]} C${c[2]},${c[3]} ${c[4]},${c[5]} ${c[6]},${c[7]}`;

function handleEnd(n: InternalNode | undefined, kind: 'source' | 'target', id: string | null | undefined): [number, number] | null {
  const h = n?.internals.handleBounds?.[kind]?.find((b) => b.id === id);
  if (!n || !h) return null;
  const p = n.internals.positionAbsolute;
  return [p.x + h.x + (kind === 'source' ? h.width : 0), p.y + h.y + h.height / 2];
}

/** Squared distance from (px, py) to a cubic bezier, sampled as 24 segments. */
function distance2(c: Curve, px: number, py: number) {
  let best = Infinity;
  let ax = c[0];
  let ay = c[1];
  for (let i = 1; i <= 24; i++) {
    const t = i / 24;
    const u = 1 - t;
    const bx = u * u * u * c[0] + 3 * u * u * t * c[2] + 3 * u * t * t * c[4] + t * t * t * c[6];
    const by = u * u * u * c[1] + 3 * u * u * t * c[3] + 3 * u * t * t * c[5] + t * t * t * c[7];
    const dx = bx - ax;
    const dy = by - ay;
    const len = dx * dx + dy * dy;
    const k = len ? Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len)) : 0;
    const ex = ax + k * dx - px;
    const ey = ay + k * dy - py;
    best = Math.min(best, ex * ex + ey * ey);
    ax = bx;
    ay = by;
  }
  return best;
}

const LinkPath = memo(function LinkPath({ d, stroke, width, dashed }: { d: string; stroke: string; width: number; dashed: boolean }) {
  return <path d={d} fill="none" stroke={stroke} strokeWidth={width} strokeDasharray={dashed ? '5 5' : undefined} />;
});

/** Node geometry the links depend on: React Flow replaces a node's internals when its position, size or handles change. */
const internalsOf = (s: ReactFlowState) => Array.from(s.nodeLookup.values(), (n) => n.internals);
const sameItems = <T,>(a: T[], b: T[]) => a.length === b.length && a.every((x, i) => x === b[i]);

export const LinkLayer = memo(function LinkLayer({ edges, hitRef }: { edges: Edge[]; hitRef: RefObject<((clientX: number, clientY: number) => string | null) | null> }) {
  const internals = useStore(internalsOf, sameItems);
  const nodeLookup = useStore((s) => s.nodeLookup);
  const { screenToFlowPosition, getZoom } = useReactFlow();

  // Canvas keeps the Edge object of every unchanged link, so while no node moved a link's path is computed once
  const cache = useRef<{ internals: unknown; byEdge: WeakMap<Edge, Drawn | null> }>({ internals: null, byEdge: new WeakMap() });
  const drawn = useMemo(() => {
    // the geometry is read from nodeLookup, which React Flow mutates in place; `internals` says when it changed
    if (cache.current.internals !== internals) cache.current = { internals, byEdge: new WeakMap() };
    const { byEdge } = cache.current;
    const out: Drawn[] = [];
    for (const e of edges) {
      let item = byEdge.get(e);
      if (item === undefined) {
        const s = handleEnd(nodeLookup.get(e.source), 'source', e.sourceHandle);
        const t = handleEnd(nodeLookup.get(e.target), 'target', e.targetHandle);
        const curve = s && t ? curveOf(s[0], s[1], t[0], t[1]) : null;
        item = curve && { id: e.id, curve, d: pathOf(curve), stroke: String(e.style?.stroke ?? '#a9b4c2'), width: Number(e.style?.strokeWidth ?? 2.5), dashed: !!e.animated };
        byEdge.set(e, item);
      }
      if (item) out.push(item);
    }
    return out;
  }, [edges, nodeLookup, internals]);

  useEffect(() => {
    hitRef.current = (clientX, clientY) => {
      const p = screenToFlowPosition({ x: clientX, y: clientY });
      const reach = 22 / getZoom();
      let best: string | null = null;
      let bestD = reach * reach;
      for (const l of drawn) {
        const d = distance2(l.curve, p.x, p.y);
        if (d <= bestD) {
          bestD = d;
          best = l.id;
        }
      }
      return best;
    };
    return () => {
      hitRef.current = null;
    };
  }, [drawn, hitRef, screenToFlowPosition, getZoom]);

  return (
    <EdgeLabelRenderer>
      {/* its own compositing layer: adding a path repaints the links only, not every node's text with them
          (measured in Chromium at 2000 links: ~42 ms a frame without, 8-20 ms with) */}
      <svg className="pointer-events-none absolute top-0 left-0 overflow-visible will-change-transform" width={1} height={1} data-testid="canvas-links" data-links={drawn.length}>
        {drawn.map((l) => (
          <LinkPath key={l.id} d={l.d} stroke={l.stroke} width={l.width} dashed={l.dashed} />
        ))}
      </svg>
    </EdgeLabelRenderer>
  );
});
