import { z } from 'zod';
import { migrate, type Db } from '../db/database';
import { AudioError } from './errors';
import type { Graph, GraphLink, GraphPort } from './graph';

/**
 * Scenes (saved routings) and auto-connect rules, stored in the embedded database. Ports are named by node.name and
 * port.name, never by id, so a scene survives id changes, daemon restarts and reboots.
 */

const AUDIO_MIGRATIONS = [
  `CREATE TABLE audio_scenes (
     name TEXT PRIMARY KEY,
     links TEXT NOT NULL,
     clock TEXT,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE TABLE audio_rules (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     name TEXT NOT NULL,
     output_node TEXT NOT NULL,
     output_port TEXT NOT NULL,
     input_node TEXT NOT NULL,
     input_port TEXT NOT NULL,
     enabled INTEGER NOT NULL DEFAULT 1,
     created_at INTEGER NOT NULL
   );`,
];

const nameText = z.string().trim().min(1).max(200).regex(/^[^\p{C}]+$/u, 'no control characters');
export const portRefSchema = z.object({ node: nameText, port: nameText });
export type PortRef = z.infer<typeof portRefSchema>;
export const sceneLinkSchema = z.object({ output: portRefSchema, input: portRefSchema });
export type SceneLink = z.infer<typeof sceneLinkSchema>;
export const sceneNameSchema = z
  .string()
  .trim()
  .min(1, 'Give the scene a name')
  .max(80, 'Keep scene names under 80 characters')
  .regex(/^[^\p{C}<>]+$/u, 'A scene name may not contain control characters or angle brackets');
export const sceneClockSchema = z.object({ quantum: z.number().int().min(0).max(8192), rate: z.number().int().min(0).max(768000) });
export const sceneSchema = z.object({
  name: sceneNameSchema,
  links: z.array(sceneLinkSchema).max(10_000),
  clock: sceneClockSchema.nullable().default(null),
});
export type Scene = z.infer<typeof sceneSchema> & { createdAt?: number; updatedAt?: number };

/** A regex as typed in the rules panel: compiled once to check it, bounded in length. */
export const patternSchema = z
  .string()
  .max(200, 'Keep a pattern under 200 characters')
  .refine((p) => {
    try {
      new RegExp(p);
      return true;
    } catch {
      return false;
    }
  }, 'Not a valid regular expression');
export const ruleInputSchema = z.object({
  name: sceneNameSchema,
  outputNode: patternSchema,
  outputPort: patternSchema.default(''),
  inputNode: patternSchema,
  inputPort: patternSchema.default(''),
  enabled: z.boolean().default(true),
});
export type RuleInput = z.infer<typeof ruleInputSchema>;
export type Rule = RuleInput & { id: number; createdAt: number };

export const exportSchema = z.object({
  format: z.literal('archibald-patchbay'),
  version: z.literal(1),
  scenes: z.array(sceneSchema).max(1000).default([]),
  rules: z.array(ruleInputSchema).max(1000).default([]),
});
export type PatchbayExport = z.infer<typeof exportSchema>;

export interface SceneDiff {
  /** links of the scene that will be made (both ports present, not linked yet) */
  add: SceneLink[];
  /** links that will be removed (exclusive only): present now and not in the scene */
  remove: SceneLink[];
  /** links of the scene already present */
  keep: SceneLink[];
  /** links of the scene whose ports do not exist now (a node is missing): skipped */
  unavailable: SceneLink[];
  clock: { quantum: number; rate: number } | null;
}

export const portRefOf = (graph: Graph, port: GraphPort): PortRef | null => {
  const node = graph.nodes.get(port.nodeId);
  return node ? { node: node.name, port: port.name } : null;
};

export const linkRefOf = (graph: Graph, link: GraphLink): SceneLink | null => {
  const out = graph.ports.get(link.outputPortId);
  const inp = graph.ports.get(link.inputPortId);
  const o = out && portRefOf(graph, out);
  const i = inp && portRefOf(graph, inp);
  return o && i ? { output: o, input: i } : null;
};

const refKey = (l: SceneLink) => JSON.stringify([l.output.node, l.output.port, l.input.node, l.input.port]);

/** Find a port by node.name + port.name and direction (the first node of that name when several share it). */
export function findPort(graph: Graph, ref: PortRef, direction: 'in' | 'out'): GraphPort | undefined {
  for (const node of graph.nodes.values()) {
    if (node.name !== ref.node) continue;
    const port = graph.portsOf(node.id).find((p) => p.name === ref.port && p.direction === direction);
    if (port) return port;
  }
  return undefined;
}

export function currentLinks(graph: Graph): SceneLink[] {
  const out: SceneLink[] = [];
  for (const link of graph.links.values()) {
    const ref = linkRefOf(graph, link);
    if (ref) out.push(ref);
  }
  return out.sort((a, b) => refKey(a).localeCompare(refKey(b)));
}

export function diffScene(graph: Graph, scene: Pick<Scene, 'links' | 'clock'>, exclusive: boolean, withClock: boolean): SceneDiff {
  const wanted = new Map(scene.links.map((l) => [refKey(l), l]));
  const present = new Map(currentLinks(graph).map((l) => [refKey(l), l]));
  const diff: SceneDiff = { add: [], remove: [], keep: [], unavailable: [], clock: withClock ? scene.clock : null };
  for (const [key, link] of wanted) {
    if (present.has(key)) diff.keep.push(link);
    else if (findPort(graph, link.output, 'out') && findPort(graph, link.input, 'in')) diff.add.push(link);
    else diff.unavailable.push(link);
  }
  if (exclusive) for (const [key, link] of present) if (!wanted.has(key)) diff.remove.push(link);
  return diff;
}

export class PatchbayStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {
    migrate(db, 'audio', AUDIO_MIGRATIONS);
  }

  listScenes(): Scene[] {
    const rows = this.db.prepare('SELECT * FROM audio_scenes ORDER BY name COLLATE NOCASE').all() as Record<string, unknown>[];
    return rows.map(rowToScene);
  }

  getScene(name: string): Scene {
    const row = this.db.prepare('SELECT * FROM audio_scenes WHERE name = ?').get(name) as Record<string, unknown> | undefined;
    if (!row) throw new AudioError('not-found', `There is no scene called "${name}".`);
    return rowToScene(row);
  }

  saveScene(scene: Scene, overwrite: boolean): Scene {
    const t = this.now();
    const exists = this.db.prepare('SELECT 1 FROM audio_scenes WHERE name = ?').get(scene.name);
    if (exists && !overwrite) throw new AudioError('conflict', `A scene called "${scene.name}" exists already: choose another name or replace it.`);
    this.db
      .prepare(
        `INSERT INTO audio_scenes (name, links, clock, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(name) DO UPDATE SET links = excluded.links, clock = excluded.clock, updated_at = excluded.updated_at`,
      )
      .run(scene.name, JSON.stringify(scene.links), scene.clock ? JSON.stringify(scene.clock) : null, t, t);
    return this.getScene(scene.name);
  }

  deleteScene(name: string): void {
    const r = this.db.prepare('DELETE FROM audio_scenes WHERE name = ?').run(name);
    if (r.changes === 0) throw new AudioError('not-found', `There is no scene called "${name}".`);
  }

  listRules(): Rule[] {
    const rows = this.db.prepare('SELECT * FROM audio_rules ORDER BY id').all() as Record<string, unknown>[];
    return rows.map(rowToRule);
  }

  createRule(rule: RuleInput): Rule {
    const r = this.db
      .prepare('INSERT INTO audio_rules (name, output_node, output_port, input_node, input_port, enabled, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(rule.name, rule.outputNode, rule.outputPort, rule.inputNode, rule.inputPort, rule.enabled ? 1 : 0, this.now());
    return this.getRule(Number(r.lastInsertRowid));
  }

  updateRule(id: number, rule: RuleInput): Rule {
    const r = this.db
      .prepare('UPDATE audio_rules SET name = ?, output_node = ?, output_port = ?, input_node = ?, input_port = ?, enabled = ? WHERE id = ?')
      .run(rule.name, rule.outputNode, rule.outputPort, rule.inputNode, rule.inputPort, rule.enabled ? 1 : 0, id);
    if (r.changes === 0) throw new AudioError('not-found', `There is no rule #${id}.`);
    return this.getRule(id);
  }

  deleteRule(id: number): void {
    const r = this.db.prepare('DELETE FROM audio_rules WHERE id = ?').run(id);
    if (r.changes === 0) throw new AudioError('not-found', `There is no rule #${id}.`);
  }

  getRule(id: number): Rule {
    const row = this.db.prepare('SELECT * FROM audio_rules WHERE id = ?').get(id) as Record<string, unknown> | undefined;
    if (!row) throw new AudioError('not-found', `There is no rule #${id}.`);
    return rowToRule(row);
  }

  exportAll(): PatchbayExport {
    return {
      format: 'archibald-patchbay',
      version: 1,
      scenes: this.listScenes().map(({ name, links, clock }) => ({ name, links, clock })),
      rules: this.listRules().map(({ name, outputNode, outputPort, inputNode, inputPort, enabled }) => ({
        name,
        outputNode,
        outputPort,
        inputNode,
        inputPort,
        enabled,
      })),
    };
  }

  /** All or nothing: one transaction. Scenes with an existing name are replaced only with `overwrite`. */
  importAll(data: PatchbayExport, overwrite: boolean): { scenes: number; rules: number } {
    return this.db.transaction(() => {
      for (const scene of data.scenes) this.saveScene(scene, overwrite);
      for (const rule of data.rules) this.createRule(rule);
      return { scenes: data.scenes.length, rules: data.rules.length };
    })();
  }
}

function rowToScene(row: Record<string, unknown>): Scene {
  return {
    name: row.name as string,
    links: JSON.parse(row.links as string) as SceneLink[],
    clock: row.clock ? (JSON.parse(row.clock as string) as Scene['clock']) : null,
    createdAt: row.created_at as number,
    updatedAt: row.updated_at as number,
  };
}

function rowToRule(row: Record<string, unknown>): Rule {
  return {
    id: row.id as number,
    name: row.name as string,
    outputNode: row.output_node as string,
    outputPort: row.output_port as string,
    inputNode: row.input_node as string,
    inputPort: row.input_port as string,
    enabled: row.enabled === 1,
    createdAt: row.created_at as number,
  };
}

/**
 * The links a rule asks for in the current graph: every output port whose node and port names match the output
 * patterns, to every input port matching the input patterns, pairing channels the same way as node-to-node connects
 * when both sides match several ports (FL->FL, or in order). Only pairs of the same media type.
 */
export function ruleMatches(graph: Graph, rule: Pick<Rule, 'outputNode' | 'outputPort' | 'inputNode' | 'inputPort'>, onlyNodes?: Set<number>) {
  const re = (p: string) => new RegExp(p || '.*');
  const [on, op, inn, ip] = [re(rule.outputNode), re(rule.outputPort), re(rule.inputNode), re(rule.inputPort)];
  const outs: GraphPort[] = [];
  const ins: GraphPort[] = [];
  for (const node of graph.nodes.values()) {
    const outNode = on.test(node.name);
    const inNode = inn.test(node.name);
    if (!outNode && !inNode) continue;
    for (const port of graph.portsOf(node.id)) {
      if (outNode && port.direction === 'out' && op.test(port.name)) outs.push(port);
      if (inNode && port.direction === 'in' && ip.test(port.name)) ins.push(port);
    }
  }
  const pairs: [GraphPort, GraphPort][] = [];
  // group by node pair, then pair channels within each node pair
  const byNode = (ports: GraphPort[]) => {
    const m = new Map<number, GraphPort[]>();
    for (const p of ports) m.set(p.nodeId, [...(m.get(p.nodeId) ?? []), p]);
    return m;
  };
  for (const [outNodeId, o] of byNode(outs)) {
    for (const [inNodeId, i] of byNode(ins)) {
      if (outNodeId === inNodeId) continue;
      if (onlyNodes && !onlyNodes.has(outNodeId) && !onlyNodes.has(inNodeId)) continue;
      pairs.push(...pairChannels(o, i));
    }
  }
  return pairs;
}

/** Pair output ports with input ports: by audio channel (FL->FL) when both sides name them, else in order (1->1). */
export function pairChannels(outs: GraphPort[], ins: GraphPort[]): [GraphPort, GraphPort][] {
  const pairs: [GraphPort, GraphPort][] = [];
  const types = new Set(outs.map((p) => p.mediaType));
  for (const type of types) {
    const o = outs.filter((p) => p.mediaType === type).sort(byId);
    const i = ins.filter((p) => p.mediaType === type).sort(byId);
    if (o.length === 0 || i.length === 0) continue;
    const named = o.every((p) => p.channel) && i.every((p) => p.channel);
    if (named) {
      for (const out of o) {
        const inp = i.find((p) => p.channel === out.channel);
        if (inp) pairs.push([out, inp]);
      }
      if (pairs.length === 0 && o.length === 1) for (const inp of i) pairs.push([o[0], inp]); // mono to stereo
    } else if (o.length === 1 && i.length > 1) {
      for (const inp of i) pairs.push([o[0], inp]); // one output feeds every input
    } else {
      for (let k = 0; k < Math.min(o.length, i.length); k++) pairs.push([o[k], i[k]]);
    }
  }
  return pairs;
}

const byId = (a: GraphPort, b: GraphPort) => a.id - b.id;
