'use client';
import { useReactFlow, useStore, type Edge, type InternalNode, type ReactFlowState } from '@xyflow/react';
import { memo, useEffect, useLayoutEffect, useMemo, useRef, type RefObject } from 'react';

/**
 * The links of a large graph, drawn on 2D <canvas>es under the nodes instead of React Flow edges.
 *
 * React Flow gives every edge its own <svg>, three store subscriptions and a position selector that runs on every
 * store update; at ~2000 links a one-link patch cost >100 ms to reach the screen, and even one SVG of 2000 memoized
 * paths spent ~50 ms a frame rasterising antialiased curves in software. Here a link patch never touches React Flow's
 * store, and the canvases (viewport-sized, devicePixelRatio-scaled) are redrawn only for what changed: links added
 * while the viewport stayed put are stroked on top of what is there; a removal or restyle clears the removed curves'
 * box in its layer and redraws the links of that layer crossing it, clipped; a pan, zoom or resize redraws all (culled
 * to the viewport, one stroke per colour/width/dash). Geometry comes from React Flow's own measured handle bounds, so
 * the ends sit on the handles exactly as its edges would (same bezier as its default edge).
 *
 * A tap on the pane selects the nearest link within 22 screen px (a 44 px wide touch target) through `hitRef`.
 */
type Curve = [number, number, number, number, number, number, number, number];
type Drawn = { id: string; layer: number; curve: Curve; stroke: string; width: number; dashed: boolean };

/** React Flow's default bezier (curvature 0.25) from a right-side source to a left-side target. */
const offset = (d: number) => (d >= 0 ? 0.5 * d : 0.25 * 25 * Math.sqrt(-d));
const curveOf = (sx: number, sy: number, tx: number, ty: number): Curve => [sx, sy, sx + offset(tx - sx), sy, tx - offset(tx - sx), ty, tx, ty];

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

/**
 * Links are spread over LAYERS stacked canvases by a hash of their id: a removal (or restyle) redraws only its layer,
 * ~1/LAYERS of the curves that cross the removed one's box (at 2000 links ~1600 of them cross a one-link box).
 */
const LAYERS = 8;
function layerOf(id: string) {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) | 0;
  return Math.abs(h) % LAYERS;
}

type Box = [number, number, number, number];
/** The box of a curve's control points (it holds the curve). */
const boxOf = (c: Drawn): Box => [Math.min(c.curve[0], c.curve[2], c.curve[4], c.curve[6]), Math.min(c.curve[1], c.curve[3], c.curve[5], c.curve[7]), Math.max(c.curve[0], c.curve[2], c.curve[4], c.curve[6]), Math.max(c.curve[1], c.curve[3], c.curve[5], c.curve[7])];

/** Strokes the links whose box meets `within` (flow coordinates), one path per colour / width / dash. */
function strokeAll(ctx: CanvasRenderingContext2D, links: Drawn[], within: Box) {
  const groups = new Map<string, Drawn[]>();
  for (const l of links) {
    const b = boxOf(l);
    if (b[2] < within[0] || b[0] > within[2] || b[3] < within[1] || b[1] > within[3]) continue;
    const g = `${l.stroke}|${l.width}|${l.dashed}`;
    const list = groups.get(g);
    if (list) list.push(l);
    else groups.set(g, [l]);
  }
  for (const list of groups.values()) {
    const { stroke, width, dashed } = list[0];
    ctx.strokeStyle = stroke;
    ctx.lineWidth = width;
    ctx.setLineDash(dashed ? [5, 5] : []);
    ctx.beginPath();
    for (const { curve: c } of list) {
      ctx.moveTo(c[0], c[1]);
      ctx.bezierCurveTo(c[2], c[3], c[4], c[5], c[6], c[7]);
    }
    ctx.stroke();
  }
}

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
        item = curve && { id: e.id, layer: layerOf(e.id), curve, stroke: String(e.style?.stroke ?? '#a9b4c2'), width: Number(e.style?.strokeWidth ?? 2.5), dashed: !!e.animated };
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

  const canvasRefs = useRef<(HTMLCanvasElement | null)[]>([]);
  const [tx, ty, zoom] = useStore((st) => st.transform);
  const width = useStore((st) => st.width);
  const height = useStore((st) => st.height);
  // what each layer's canvas shows now (its viewport key and links), to draw only the difference
  const shownAll = useRef(Array.from({ length: LAYERS }, () => ({ key: '', items: new Set<Drawn>() })));
  useLayoutEffect(() => {
    const parts: Drawn[][] = Array.from({ length: LAYERS }, () => []);
    for (const l of drawn) parts[l.layer].push(l);
    for (let k = 0; k < LAYERS; k++) paint(canvasRefs.current[k], parts[k], shownAll.current[k]);
  }, [drawn, tx, ty, zoom, width, height]);

  /** Brings one layer's canvas from what it shows (`shown`) to `drawn`. */
  function paint(canvas: HTMLCanvasElement | null | undefined, drawn: Drawn[], shown: { key: string; items: Set<Drawn> }) {
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    const dpr = window.devicePixelRatio || 1;
    const pw = Math.max(1, Math.round(width * dpr));
    const ph = Math.max(1, Math.round(height * dpr));
    const key = `${pw}x${ph}@${tx},${ty},${zoom}`;
    ctx.setTransform(dpr * zoom, 0, 0, dpr * zoom, dpr * tx, dpr * ty);
    // the visible flow rectangle, widened by a line width
    const view: Box = [-tx / zoom - 8, -ty / zoom - 8, (width - tx) / zoom + 8, (height - ty) / zoom + 8];
    const prev = { ...shown };
    let full = true;
    if (prev.key === key) {
      const now = new Set(drawn);
      const added = drawn.filter((l) => !prev.items.has(l));
      const removed: Drawn[] = [];
      for (const l of prev.items) if (!now.has(l)) removed.push(l);
      if (removed.length === 0) {
        // only additions: stroke them on top of what is drawn
        strokeAll(ctx, added, view);
        full = false;
      } else if (removed.length <= 16) {
        // a removal or restyle: clear the removed curves' box (device pixels, rounded out, +1 px of antialiasing),
        // redraw the links that cross it clipped to it, then stroke the added ones on top
        const pad = (Math.max(...removed.map((l) => l.width)) / 2) * zoom * dpr + 2;
        const box = removed.map(boxOf).reduce((u, r) => [Math.min(u[0], r[0]), Math.min(u[1], r[1]), Math.max(u[2], r[2]), Math.max(u[3], r[3])]);
        const rx0 = Math.max(0, Math.floor((box[0] * zoom + tx) * dpr - pad));
        const ry0 = Math.max(0, Math.floor((box[1] * zoom + ty) * dpr - pad));
        const rx1 = Math.min(pw, Math.ceil((box[2] * zoom + tx) * dpr + pad));
        const ry1 = Math.min(ph, Math.ceil((box[3] * zoom + ty) * dpr + pad));
        if ((rx1 - rx0) * (ry1 - ry0) < pw * ph * 0.5) {
          if (rx1 > rx0 && ry1 > ry0) {
            const added1 = new Set(added);
            const dirty: Box = [(rx0 / dpr - tx) / zoom - 8, (ry0 / dpr - ty) / zoom - 8, (rx1 / dpr - tx) / zoom + 8, (ry1 / dpr - ty) / zoom + 8];
            ctx.save();
            ctx.setTransform(1, 0, 0, 1, 0, 0);
            ctx.clearRect(rx0, ry0, rx1 - rx0, ry1 - ry0);
            ctx.beginPath();
            ctx.rect(rx0, ry0, rx1 - rx0, ry1 - ry0);
            ctx.clip();
            ctx.setTransform(dpr * zoom, 0, 0, dpr * zoom, dpr * tx, dpr * ty);
            strokeAll(ctx, added1.size ? drawn.filter((l) => !added1.has(l)) : drawn, dirty);
            ctx.restore();
          }
          strokeAll(ctx, added, view);
          full = false;
        }
      }
    }
    if (full) {
      if (canvas.width !== pw || canvas.height !== ph) {
        canvas.width = pw;
        canvas.height = ph;
      } else {
        ctx.save();
        ctx.setTransform(1, 0, 0, 1, 0, 0);
        ctx.clearRect(0, 0, pw, ph);
        ctx.restore();
      }
      ctx.setTransform(dpr * zoom, 0, 0, dpr * zoom, dpr * tx, dpr * ty);
      strokeAll(ctx, drawn, view);
    }
    shown.key = key;
    shown.items = new Set(drawn);
  }

  return (
    <div className="pointer-events-none absolute top-0 left-0" style={{ width, height, zIndex: -1 }} data-testid="canvas-links" data-links={drawn.length}>
      {/* above the Background (also z-index -1, earlier in the DOM), under the nodes */}
      {Array.from({ length: LAYERS }, (_, k) => (
        <canvas
          key={k}
          ref={(el) => {
            canvasRefs.current[k] = el;
          }}
          className="absolute top-0 left-0"
          style={{ width, height }}
        />
      ))}
    </div>
  );
});
