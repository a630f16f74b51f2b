import type { inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '@/server/trpc/root';

/** The patchbay's client-side copy of the graph: a snapshot, then patches from the live subscription. */
type Outputs = inferRouterOutputs<AppRouter>['audio'];
export type Snapshot = Outputs['graph']['snapshot'];
export type AudioStatus = Outputs['graph']['status'];
export type GNode = Snapshot['nodes'][number];
export type GPort = Snapshot['ports'][number];
export type GLink = Snapshot['links'][number];
export type Settings = Snapshot['settings'];
export type MediaType = GPort['mediaType'];
export interface Patch {
  version: number;
  nodes: GNode[];
  ports: GPort[];
  links: GLink[];
  removedNodes: number[];
  removedPorts: number[];
  removedLinks: number[];
  settings: Settings | null;
}

export interface GraphState {
  version: number;
  nodes: Map<number, GNode>;
  ports: Map<number, GPort>;
  links: Map<number, GLink>;
  settings: Settings | null;
}

export const emptyGraph = (): GraphState => ({ version: 0, nodes: new Map(), ports: new Map(), links: new Map(), settings: null });

export function fromSnapshot(s: Snapshot): GraphState {
  return {
    version: s.version,
    nodes: new Map(s.nodes.map((n) => [n.id, n])),
    ports: new Map(s.ports.map((p) => [p.id, p])),
    links: new Map(s.links.map((l) => [l.id, l])),
    settings: s.settings,
  };
}

/** Apply a patch immutably (new Maps only for the kinds that changed, so React sees what changed). */
export function applyPatch(g: GraphState, p: Patch): GraphState {
  const upd = <T extends { id: number }>(map: Map<number, T>, add: T[], remove: number[]) => {
    if (add.length === 0 && remove.length === 0) return map;
    const next = new Map(map);
    for (const id of remove) next.delete(id);
    for (const x of add) next.set(x.id, x);
    return next;
  };
  return {
    version: p.version,
    nodes: upd(g.nodes, p.nodes, p.removedNodes),
    ports: upd(g.ports, p.ports, p.removedPorts),
    links: upd(g.links, p.links, p.removedLinks),
    settings: p.settings ?? g.settings,
  };
}

export interface NodeView {
  node: GNode;
  inputs: GPort[];
  outputs: GPort[];
}

/** Nodes with their ports, filtered by media type and name (node or port), sorted by name. */
export function viewOf(g: Pick<GraphState, 'nodes' | 'ports'>, filter: { media: Set<MediaType>; text: string }): NodeView[] {
  const text = filter.text.trim().toLowerCase();
  const byNode = new Map<number, NodeView>();
  for (const node of g.nodes.values()) byNode.set(node.id, { node, inputs: [], outputs: [] });
  for (const port of g.ports.values()) {
    if (!filter.media.has(port.mediaType)) continue;
    const v = byNode.get(port.nodeId);
    if (!v) continue;
    if (text && !v.node.name.toLowerCase().includes(text) && !v.node.description.toLowerCase().includes(text) && !port.name.toLowerCase().includes(text)) continue;
    (port.direction === 'in' ? v.inputs : v.outputs).push(port);
  }
  const out = [...byNode.values()].filter((v) => v.inputs.length + v.outputs.length > 0);
  for (const v of out) {
    v.inputs.sort((a, b) => a.id - b.id);
    v.outputs.sort((a, b) => a.id - b.id);
  }
  return out.sort((a, b) => a.node.name.localeCompare(b.node.name));
}

export const MEDIA_COLORS: Record<MediaType, string> = { audio: '#3ddc84', midi: '#ff6bd6', video: '#5ab0ff', other: '#a9b4c2' };
export const nodeLabel = (n: GNode) => (n.description && n.description !== n.name ? n.description : n.name);
