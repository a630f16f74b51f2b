import type { MediaType, PwLink, PwNode, PwObject, PwPort } from './pw-dump';

/**
 * The typed model of the PipeWire graph with its indexes (ports by node, links by port pair, links by port).
 * One instance, owned by the AudioService, changed only by batches from pw-dump. Every change yields a GraphPatch,
 * which is what clients receive: upserts and removals by id, never the whole graph again.
 */

export type GraphNode = Omit<PwNode, 'kind'> & { mediaTypes: MediaType[] };
export type GraphPort = Omit<PwPort, 'kind'>;
export type GraphLink = Omit<PwLink, 'kind'>;

/** The clock keys of the "settings" metadata (what pw-metadata -n settings shows). */
export interface ClockSettings {
  rate: number | null;
  quantum: number | null;
  minQuantum: number | null;
  maxQuantum: number | null;
  forceQuantum: number;
  forceRate: number;
  allowedRates: number[];
}

export interface GraphPatch {
  version: number;
  nodes: GraphNode[];
  ports: GraphPort[];
  links: GraphLink[];
  removedNodes: number[];
  removedPorts: number[];
  removedLinks: number[];
  settings: ClockSettings | null;
}

export interface GraphSnapshot {
  version: number;
  nodes: GraphNode[];
  ports: GraphPort[];
  links: GraphLink[];
  settings: ClockSettings;
}

/** Programs of our own whose client objects appear and vanish with every call: never part of the graph. */
export const CLI_CLIENTS = new Set(['pw-dump', 'pw-link', 'pw-cli', 'pw-metadata', 'pw-profiler', 'pw-top']);

export const emptySettings = (): ClockSettings => ({
  rate: null,
  quantum: null,
  minQuantum: null,
  maxQuantum: null,
  forceQuantum: 0,
  forceRate: 0,
  allowedRates: [],
});

const asNumber = (v: unknown): number | null => {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : null;
};

/** "[ 44100 48000 ]" (a SPA-JSON array in a string) or a real array. */
export function parseRateList(v: unknown): number[] {
  if (Array.isArray(v)) return v.map(asNumber).filter((n): n is number => n !== null && n > 0);
  if (typeof v === 'string') return (v.match(/\d+/g) ?? []).map(Number).filter((n) => n > 0);
  const n = asNumber(v);
  return n && n > 0 ? [n] : [];
}

export const pairKey = (outPortId: number, inPortId: number) => `${outPortId}>${inPortId}`;

export class Graph {
  version = 0;
  readonly nodes = new Map<number, GraphNode>();
  readonly ports = new Map<number, GraphPort>();
  readonly links = new Map<number, GraphLink>();
  readonly portsByNode = new Map<number, Set<number>>();
  readonly linkByPair = new Map<string, number>();
  readonly linksByPort = new Map<number, Set<number>>();
  settings: ClockSettings = emptySettings();
  private settingsId: number | null = null;
  get settingsMetadataId(): number | null {
    return this.settingsId;
  }
  private settingsValues = new Map<string, unknown>();
  /** ids of objects we ignore (CLI clients, modules...), so their removal does not count as a change */
  private readonly others = new Set<number>();

  /**
   * Apply one pw-dump batch. With `full` (the first batch after pw-dump starts: the whole current graph), every
   * object not in the batch is removed, so a rebuild after a daemon restart yields one patch with the difference.
   */
  apply(objects: PwObject[], full = false): GraphPatch | null {
    const patch = new PatchBuilder();
    const seen = full ? new Set<number>() : null;
    let settingsChanged = false;
    if (full) {
      this.settingsValues.clear();
      this.settingsId = null;
    }
    for (const obj of objects) {
      seen?.add(obj.id);
      switch (obj.kind) {
        case 'node':
          this.upsertNode(obj, patch);
          break;
        case 'port':
          this.upsertPort(obj, patch);
          break;
        case 'link':
          this.upsertLink(obj, patch);
          break;
        case 'metadata':
          if (obj.name === 'settings' || (obj.name === null && obj.id === this.settingsId)) {
            this.settingsId = obj.id;
            for (const e of obj.entries) {
              if (e.subject !== 0) continue;
              if (e.value === null) this.settingsValues.delete(e.key);
              else this.settingsValues.set(e.key, e.value);
            }
            settingsChanged = true;
          } else this.others.add(obj.id);
          break;
        case 'removed':
          this.remove(obj.id, patch);
          if (obj.id === this.settingsId) {
            this.settingsId = null;
            this.settingsValues.clear();
            settingsChanged = true;
          }
          break;
        case 'client':
        case 'ignored':
          this.others.add(obj.id);
          break;
      }
    }
    if (seen) {
      for (const id of [...this.links.keys(), ...this.ports.keys(), ...this.nodes.keys()]) if (!seen.has(id)) this.remove(id, patch);
      for (const id of this.others) if (!seen.has(id)) this.others.delete(id);
      settingsChanged = true;
    }
    if (settingsChanged) {
      const next = this.readSettings();
      if (JSON.stringify(next) !== JSON.stringify(this.settings)) {
        this.settings = next;
        patch.settings = next;
      }
    }
    if (patch.empty) return null;
    // node media types follow their ports
    for (const nodeId of patch.touchedNodes) {
      const node = this.nodes.get(nodeId);
      if (!node) continue;
      const types = this.nodeMediaTypes(nodeId);
      if (types.join() !== node.mediaTypes.join()) {
        node.mediaTypes = types;
        patch.nodes.set(nodeId, node);
      }
    }
    this.version++;
    return patch.build(this.version);
  }

  /** Forget everything (pw-dump went away): one patch removing all, so clients show an empty graph. */
  clear(): GraphPatch | null {
    return this.apply([], true);
  }

  snapshot(): GraphSnapshot {
    return {
      version: this.version,
      nodes: [...this.nodes.values()],
      ports: [...this.ports.values()],
      links: [...this.links.values()],
      settings: this.settings,
    };
  }

  linkBetween(outPortId: number, inPortId: number): GraphLink | undefined {
    const id = this.linkByPair.get(pairKey(outPortId, inPortId));
    return id === undefined ? undefined : this.links.get(id);
  }

  portsOf(nodeId: number): GraphPort[] {
    return [...(this.portsByNode.get(nodeId) ?? [])].map((id) => this.ports.get(id)!).filter(Boolean);
  }

  private nodeMediaTypes(nodeId: number): MediaType[] {
    const types = new Set<MediaType>();
    for (const p of this.portsOf(nodeId)) types.add(p.mediaType);
    return [...types].sort();
  }

  private readSettings(): ClockSettings {
    const v = this.settingsValues;
    return {
      rate: asNumber(v.get('clock.rate')),
      quantum: asNumber(v.get('clock.quantum')),
      minQuantum: asNumber(v.get('clock.min-quantum')),
      maxQuantum: asNumber(v.get('clock.max-quantum')),
      forceQuantum: asNumber(v.get('clock.force-quantum')) ?? 0,
      forceRate: asNumber(v.get('clock.force-rate')) ?? 0,
      allowedRates: parseRateList(v.get('clock.allowed-rates')),
    };
  }

  private upsertNode(obj: PwNode, patch: PatchBuilder) {
    const { kind: _kind, ...rest } = obj;
    const prev = this.nodes.get(obj.id);
    const node: GraphNode = { ...rest, mediaTypes: prev?.mediaTypes ?? this.nodeMediaTypes(obj.id) };
    if (prev && sameJson(prev, node)) return;
    this.nodes.set(obj.id, node);
    patch.nodes.set(obj.id, node);
  }

  private upsertPort(obj: PwPort, patch: PatchBuilder) {
    const { kind: _kind, ...port } = obj;
    const prev = this.ports.get(obj.id);
    if (prev && sameJson(prev, port)) return;
    if (prev && prev.nodeId !== port.nodeId) this.portsByNode.get(prev.nodeId)?.delete(obj.id);
    this.ports.set(obj.id, port);
    let set = this.portsByNode.get(port.nodeId);
    if (!set) this.portsByNode.set(port.nodeId, (set = new Set()));
    set.add(obj.id);
    patch.ports.set(obj.id, port);
    patch.touchedNodes.add(port.nodeId);
    if (prev) patch.touchedNodes.add(prev.nodeId);
  }

  private upsertLink(obj: PwLink, patch: PatchBuilder) {
    const { kind: _kind, ...link } = obj;
    const prev = this.links.get(obj.id);
    if (prev && sameJson(prev, link)) return;
    if (prev) this.unindexLink(prev);
    this.links.set(obj.id, link);
    this.linkByPair.set(pairKey(link.outputPortId, link.inputPortId), link.id);
    for (const portId of [link.outputPortId, link.inputPortId]) {
      let set = this.linksByPort.get(portId);
      if (!set) this.linksByPort.set(portId, (set = new Set()));
      set.add(link.id);
    }
    patch.links.set(obj.id, link);
  }

  private unindexLink(link: GraphLink) {
    if (this.linkByPair.get(pairKey(link.outputPortId, link.inputPortId)) === link.id) {
      this.linkByPair.delete(pairKey(link.outputPortId, link.inputPortId));
    }
    this.linksByPort.get(link.outputPortId)?.delete(link.id);
    this.linksByPort.get(link.inputPortId)?.delete(link.id);
  }

  private remove(id: number, patch: PatchBuilder) {
    const link = this.links.get(id);
    if (link) {
      this.unindexLink(link);
      this.links.delete(id);
      patch.removedLinks.add(id);
      patch.links.delete(id);
      return;
    }
    const port = this.ports.get(id);
    if (port) {
      this.ports.delete(id);
      this.portsByNode.get(port.nodeId)?.delete(id);
      this.linksByPort.delete(id);
      patch.removedPorts.add(id);
      patch.ports.delete(id);
      patch.touchedNodes.add(port.nodeId);
      return;
    }
    if (this.nodes.delete(id)) {
      this.portsByNode.delete(id);
      patch.removedNodes.add(id);
      patch.nodes.delete(id);
      return;
    }
    this.others.delete(id);
  }
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

class PatchBuilder {
  nodes = new Map<number, GraphNode>();
  ports = new Map<number, GraphPort>();
  links = new Map<number, GraphLink>();
  removedNodes = new Set<number>();
  removedPorts = new Set<number>();
  removedLinks = new Set<number>();
  touchedNodes = new Set<number>();
  settings: ClockSettings | null = null;

  get empty() {
    return (
      this.nodes.size + this.ports.size + this.links.size + this.removedNodes.size + this.removedPorts.size + this.removedLinks.size === 0 &&
      this.settings === null
    );
  }

  build(version: number): GraphPatch {
    return {
      version,
      nodes: [...this.nodes.values()],
      ports: [...this.ports.values()],
      links: [...this.links.values()],
      removedNodes: [...this.removedNodes],
      removedPorts: [...this.removedPorts],
      removedLinks: [...this.removedLinks],
      settings: this.settings,
    };
  }
}

/**
 * Merge patches for a subscriber that has not taken the previous one yet: newest value per object, so the pending
 * state is bounded by the size of the graph, never a backlog of events.
 */
export function mergePatch(into: GraphPatch, next: GraphPatch): GraphPatch {
  const merge = <T extends { id: number }>(prev: T[], removed: number[], add: T[], remove: number[]) => {
    const map = new Map(prev.map((x) => [x.id, x]));
    const gone = new Set(removed);
    for (const id of remove) {
      map.delete(id);
      gone.add(id);
    }
    for (const x of add) {
      map.set(x.id, x);
      gone.delete(x.id);
    }
    return { items: [...map.values()], removed: [...gone] };
  };
  const n = merge(into.nodes, into.removedNodes, next.nodes, next.removedNodes);
  const p = merge(into.ports, into.removedPorts, next.ports, next.removedPorts);
  const l = merge(into.links, into.removedLinks, next.links, next.removedLinks);
  return {
    version: next.version,
    nodes: n.items,
    ports: p.items,
    links: l.items,
    removedNodes: n.removed,
    removedPorts: p.removed,
    removedLinks: l.removed,
    settings: next.settings ?? into.settings,
  };
}
