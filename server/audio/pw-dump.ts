import { z } from 'zod';

/**
 * Parsing of `pw-dump` output (0.3.65 on Debian, 1.x on the box). pw-dump prints a JSON array of objects; with
 * --monitor it prints one array per change, where a removal is `{"id":N,"info":null}` and a metadata change carries
 * only the changed keys. Each object is parsed on its own: a malformed one is dropped (the caller logs it once),
 * the rest of the batch still applies.
 */

export type MediaType = 'audio' | 'midi' | 'video' | 'other';
export type Direction = 'in' | 'out';

export interface PwNode {
  kind: 'node';
  id: number;
  name: string;
  description: string;
  mediaClass: string;
  state: string;
  clientApi: string | null;
  clientId: number | null;
  isDriver: boolean;
}

export interface PwPort {
  kind: 'port';
  id: number;
  nodeId: number;
  name: string;
  alias: string;
  direction: Direction;
  /** audio.channel (FL, FR, AUX0...) or null when unknown (UNK, absent). */
  channel: string | null;
  mediaType: MediaType;
  physical: boolean;
  terminal: boolean;
  monitor: boolean;
}

export interface PwLink {
  kind: 'link';
  id: number;
  outputNodeId: number;
  outputPortId: number;
  inputNodeId: number;
  inputPortId: number;
  state: string;
  linger: boolean;
}

export interface PwMetadataEntry {
  subject: number;
  key: string;
  /** null when the key was removed */
  value: unknown;
}

export interface PwMetadata {
  kind: 'metadata';
  id: number;
  /** null on a change notice that does not repeat the props */
  name: string | null;
  entries: PwMetadataEntry[];
}

export interface PwClient {
  kind: 'client';
  id: number;
  applicationName: string | null;
}

export interface PwRemoved {
  kind: 'removed';
  id: number;
}

export interface PwIgnored {
  kind: 'ignored';
  id: number;
}

export type PwObject = PwNode | PwPort | PwLink | PwMetadata | PwClient | PwRemoved | PwIgnored;

const id = z.number().int().nonnegative();
const props = z.record(z.string(), z.unknown());
const str = (v: unknown): string | null => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null);
const bool = (v: unknown): boolean => v === true || v === 'true' || v === 1;
const num = (v: unknown): number | null => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : null;
};

const base = z.object({ id, type: z.string() });
const removal = z.object({ id, info: z.null() });

const nodeSchema = z.object({
  id,
  info: z.object({
    state: z.string().nullish(),
    props,
  }),
});

const portSchema = z.object({
  id,
  info: z.object({
    direction: z.enum(['input', 'output']),
    props,
    params: z.record(z.string(), z.unknown()).nullish(),
  }),
});

const linkSchema = z.object({
  id,
  info: z.object({
    'output-node-id': id,
    'output-port-id': id,
    'input-node-id': id,
    'input-port-id': id,
    state: z.string().nullish(),
    props: props.nullish(),
  }),
});

const metadataSchema = z.object({
  id,
  props: props.nullish(),
  metadata: z
    .array(z.object({ subject: z.number().int(), key: z.string(), type: z.string().nullish(), value: z.unknown() }))
    .nullish(),
});

const clientSchema = z.object({ id, info: z.object({ props }) });

/** Media type of a port, from format.dsp ("32 bit float mono audio", "8 bit raw midi", "32 bit raw UMP", "32 bit float RGBA video"), or its EnumFormat. */
export function portMediaType(portProps: Record<string, unknown>, params?: Record<string, unknown> | null): MediaType {
  const dsp = str(portProps['format.dsp'])?.toLowerCase() ?? '';
  if (/midi|ump/.test(dsp)) return 'midi';
  if (/video/.test(dsp)) return 'video';
  if (/audio/.test(dsp)) return 'audio';
  const enumFormat = params?.EnumFormat;
  if (Array.isArray(enumFormat)) {
    const first = enumFormat[0] as { mediaType?: unknown; mediaSubtype?: unknown } | undefined;
    if (first?.mediaType === 'audio') return 'audio';
    if (first?.mediaType === 'video') return 'video';
    if (first?.mediaType === 'application' && first.mediaSubtype === 'control') return 'midi';
  }
  return 'other';
}

export class MalformedObject extends Error {
  constructor(
    readonly objectId: number | null,
    readonly objectType: string | null,
    message: string,
  ) {
    super(message);
  }
}

/** Parse one element of a pw-dump array. Throws MalformedObject (with a short reason) when it does not fit. */
export function parseObject(raw: unknown): PwObject {
  const removed = removal.safeParse(raw);
  if (removed.success) return { kind: 'removed', id: removed.data.id };
  const head = base.safeParse(raw);
  if (!head.success) {
    const maybeId = (raw as { id?: unknown } | null)?.id;
    throw new MalformedObject(typeof maybeId === 'number' ? maybeId : null, null, 'no numeric id or type');
  }
  const type = head.data.type.replace(/^PipeWire:Interface:/, '');
  const fail = (err: z.ZodError) => new MalformedObject(head.data.id, type, err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  switch (type) {
    case 'Node': {
      const r = nodeSchema.safeParse(raw);
      if (!r.success) throw fail(r.error);
      const p = r.data.info.props;
      const name = str(p['node.name']) ?? `node-${r.data.id}`;
      return {
        kind: 'node',
        id: r.data.id,
        name,
        description: str(p['node.description']) ?? str(p['node.nick']) ?? name,
        mediaClass: str(p['media.class']) ?? '',
        state: r.data.info.state ?? 'unknown',
        clientApi: str(p['client.api']),
        clientId: num(p['client.id']),
        isDriver: bool(p['node.driver']),
      };
    }
    case 'Port': {
      const r = portSchema.safeParse(raw);
      if (!r.success) throw fail(r.error);
      const p = r.data.info.props;
      const nodeId = num(p['node.id']);
      const name = str(p['port.name']);
      if (nodeId === null || name === null) {
        throw new MalformedObject(r.data.id, type, 'port without node.id or port.name');
      }
      const channel = str(p['audio.channel']);
      return {
        kind: 'port',
        id: r.data.id,
        nodeId,
        name,
        alias: str(p['port.alias']) ?? name,
        direction: r.data.info.direction === 'input' ? 'in' : 'out',
        channel: channel && !['UNK', 'MONO', ''].includes(channel) ? channel : null,
        mediaType: portMediaType(p, r.data.info.params),
        physical: bool(p['port.physical']),
        terminal: bool(p['port.terminal']),
        monitor: bool(p['port.monitor']) || /^monitor_/.test(name),
      };
    }
    case 'Link': {
      const r = linkSchema.safeParse(raw);
      if (!r.success) throw fail(r.error);
      const i = r.data.info;
      return {
        kind: 'link',
        id: r.data.id,
        outputNodeId: i['output-node-id'],
        outputPortId: i['output-port-id'],
        inputNodeId: i['input-node-id'],
        inputPortId: i['input-port-id'],
        state: i.state ?? 'unknown',
        linger: bool(i.props?.['object.linger']),
      };
    }
    case 'Metadata': {
      const r = metadataSchema.safeParse(raw);
      if (!r.success) throw fail(r.error);
      return {
        kind: 'metadata',
        id: r.data.id,
        name: str(r.data.props?.['metadata.name']),
        entries: (r.data.metadata ?? []).map((e) => ({ subject: e.subject, key: e.key, value: e.value ?? null })),
      };
    }
    case 'Client': {
      const r = clientSchema.safeParse(raw);
      if (!r.success) throw fail(r.error);
      return { kind: 'client', id: r.data.id, applicationName: str(r.data.info.props['application.name']) };
    }
    default:
      return { kind: 'ignored', id: head.data.id };
  }
}

/** Parse a whole batch; malformed objects are returned apart so the caller can log each once and go on. */
export function parseBatch(raw: unknown): { objects: PwObject[]; malformed: MalformedObject[] } {
  const objects: PwObject[] = [];
  const malformed: MalformedObject[] = [];
  if (!Array.isArray(raw)) return { objects, malformed: [new MalformedObject(null, null, 'a pw-dump batch must be a JSON array')] };
  for (const item of raw) {
    try {
      objects.push(parseObject(item));
    } catch (err) {
      if (err instanceof MalformedObject) malformed.push(err);
      else throw err;
    }
  }
  return { objects, malformed };
}

/**
 * Splits the byte stream of `pw-dump --monitor` into top-level JSON arrays. It tracks strings and nesting itself, so
 * it does not depend on pw-dump's indentation (which differs between versions and with -N).
 */
export class JsonArrayStream {
  private buf = '';
  private depth = 0;
  private inString = false;
  private escaped = false;
  private start = -1;
  private scanned = 0;
  /** Bounded: a batch larger than this is dropped (pw-dump never prints one; a runaway input must not eat memory). */
  constructor(
    private readonly onArray: (text: string) => void,
    private readonly maxBytes = 64 * 1024 * 1024,
  ) {}

  push(chunk: string): void {
    this.buf += chunk;
    const s = this.buf;
    let i = this.scanned;
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 92 /* \ */) this.escaped = true;
        else if (c === 34 /* " */) this.inString = false;
        continue;
      }
      if (c === 34) this.inString = this.depth > 0;
      else if (c === 91 /* [ */ || c === 123 /* { */) {
        if (this.depth === 0) this.start = i;
        this.depth++;
      } else if (c === 93 /* ] */ || c === 125 /* } */) {
        if (this.depth === 0) continue;
        this.depth--;
        if (this.depth === 0 && this.start >= 0) {
          this.onArray(s.slice(this.start, i + 1));
          this.start = -1;
        }
      }
    }
    if (this.depth === 0) {
      this.buf = '';
      this.scanned = 0;
    } else {
      // keep only the unfinished batch
      this.buf = s.slice(this.start);
      this.scanned = this.buf.length;
      this.start = 0;
      if (this.buf.length > this.maxBytes) this.reset();
    }
  }

  reset(): void {
    this.buf = '';
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    this.start = -1;
    this.scanned = 0;
  }
}
