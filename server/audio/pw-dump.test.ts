import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseProfilerLines, quantumFromPeriod, isAllowedQuantum, allowedRates, latencyMs } from './clock';
import { emptySettings, Graph, mergePatch } from './graph';
import { JsonArrayStream, parseBatch } from './pw-dump';
import { parsePwMetadata } from './service';
import { diffScene, pairChannels, ruleMatches } from './scenes';

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, 'fixtures', name), 'utf8');

describe('pw-dump 0.3.65 (captured from the test daemon)', () => {
  const { objects, malformed } = parseBatch(JSON.parse(fixture('pw-dump-0.3.65.json')));
  const graph = new Graph();
  graph.apply(objects, true);
  const node = (name: string) => [...graph.nodes.values()].find((n) => n.name === name)!;
  const port = (n: string, p: string) => graph.portsOf(node(n).id).find((x) => x.name === p)!;

  it('parses nodes, ports, links and the settings metadata; nothing is malformed', () => {
    expect(malformed).toEqual([]);
    expect(node('test-sink')).toMatchObject({ description: 'Test Sink', mediaClass: 'Audio/Sink', mediaTypes: ['audio'] });
    expect(port('test-sink', 'playback_FL')).toMatchObject({ direction: 'in', channel: 'FL', mediaType: 'audio', physical: true });
    expect(port('test-sink', 'monitor_FR')).toMatchObject({ direction: 'out', channel: 'FR', monitor: true });
    expect(port('test-tone', 'capture_1')).toMatchObject({ direction: 'out', channel: null });
    expect(port('test-video', 'out_0').mediaType).toBe('video');
    expect(port('midiseq', 'out').mediaType).toBe('midi');
    expect(graph.links.size).toBe(2);
    const link = graph.linkBetween(port('test-tone', 'capture_1').id, port('test-sink', 'playback_FL').id)!;
    expect(link).toMatchObject({ linger: true, state: 'active' });
    expect(graph.settings).toMatchObject({ rate: 48000, quantum: 1024, minQuantum: 16, maxQuantum: 2048, forceQuantum: 0, allowedRates: [48000] });
  });

  it('indexes ports by node and links by port', () => {
    expect(graph.portsOf(node('test-sink').id)).toHaveLength(4);
    expect(graph.linksByPort.get(port('test-sink', 'playback_FL').id)?.size).toBe(1);
  });

  it('follows the monitor stream: batches split by the stream splitter, CLI clients never change the graph', () => {
    const g = new Graph();
    const batches: string[] = [];
    const splitter = new JsonArrayStream((t) => batches.push(t));
    const text = fixture('pw-dump-monitor-0.3.65.txt');
    for (let i = 0; i < text.length; i += 777) splitter.push(text.slice(i, i + 777)); // arbitrary chunking
    expect(batches.length).toBe(11);
    const patches = batches.map((b, i) => g.apply(parseBatch(JSON.parse(b)).objects, i === 0));
    // the captured session: link capture_2 -> FR, unlink capture_1 -> FL, quantum 128 then 0
    const withLinks = patches.filter((p) => p && (p.links.length || p.removedLinks.length));
    expect(withLinks.length).toBeGreaterThanOrEqual(2);
    // pw-dump 0.3.65 left the change to 128 out of this capture (only the later 0 is there): the service reads the
    // settings back with pw-metadata when the monitor does not confirm a change (see AudioService.setClock)
    expect(g.settings.forceQuantum).toBe(0);
    // batches made only of CLI client add/remove produce no patch
    expect(patches.filter((p) => p === null).length).toBeGreaterThan(0);
  });
});

describe('pw-dump 1.x (sample written from the documented format)', () => {
  it('parses 1.x objects: string/number props, UMP MIDI ports, port.group, alsa props', () => {
    const { objects, malformed } = parseBatch(JSON.parse(fixture('pw-dump-1.x-sample.json')));
    expect(malformed).toEqual([]);
    const g = new Graph();
    g.apply(objects, true);
    const names = [...g.nodes.values()].map((n) => n.name);
    expect(names).toEqual(expect.arrayContaining(['alsa_output.usb-Focusrite_Scarlett_2i2-00.pro-output-0', 'alsa_input.usb-Focusrite_Scarlett_2i2-00.pro-input-0', 'Midi-Bridge', 'ardour']));
    const ports = [...g.ports.values()];
    expect(ports.find((p) => p.name === 'playback_AUX0')).toMatchObject({ channel: 'AUX0', direction: 'in', mediaType: 'audio' });
    expect(ports.find((p) => /Midi Through/.test(p.name))?.mediaType).toBe('midi');
    expect(g.links.size).toBe(1);
    expect(g.settings).toMatchObject({ rate: 48000, forceQuantum: 64, forceRate: 0, allowedRates: [44100, 48000, 96000] });
  });
});

describe('malformed objects', () => {
  it('drops the bad object, keeps the rest', () => {
    const { objects, malformed } = parseBatch([
      { id: 5, type: 'PipeWire:Interface:Port', info: { direction: 'sideways', props: {} } },
      { id: 6, type: 'PipeWire:Interface:Link', info: { 'output-port-id': 'x' } },
      { nonsense: true },
      { id: 7, type: 'PipeWire:Interface:Node', info: { state: 'idle', props: { 'node.name': 'ok' } } },
      { id: 8, info: null },
    ]);
    expect(malformed.map((m) => m.objectId)).toEqual([5, 6, null]);
    expect(objects.map((o) => o.kind)).toEqual(['node', 'removed']);
    expect(parseBatch({ not: 'an array' }).malformed).toHaveLength(1);
  });

  it('the stream splitter copes with brackets in strings and split chunks', () => {
    const got: string[] = [];
    const s = new JsonArrayStream((t) => got.push(t));
    s.push('[{"a":"]}[\\"x"},');
    s.push('{"b":1}]\n[');
    s.push(']');
    expect(got.map((t) => JSON.parse(t))).toEqual([[{ a: ']}["x' }, { b: 1 }], []]);
  });
});

describe('patches', () => {
  it('a full batch after a restart removes what is gone; merged patches keep the newest per object', () => {
    const g = new Graph();
    const n = (id: number, name: string) => ({ kind: 'node' as const, id, name, description: name, mediaClass: '', state: 'idle', clientApi: null, clientId: null, isDriver: false });
    g.apply([n(1, 'a'), n(2, 'b')], true);
    const p1 = g.apply([n(3, 'c')], true)!;
    expect(p1.removedNodes.sort()).toEqual([1, 2]);
    const p2 = g.apply([{ kind: 'removed', id: 3 }])!;
    const merged = mergePatch(p1, p2);
    expect(merged.nodes).toEqual([]);
    expect(merged.removedNodes.sort()).toEqual([1, 2, 3]);
    expect(g.apply([{ kind: 'client', id: 9, applicationName: 'pw-link' }])).toBeNull();
  });
});

describe('clock', () => {
  it('allows powers of two 16..8192 and 0, rates the driver lists or a fixed list', () => {
    expect([16, 64, 8192, 0].every(isAllowedQuantum)).toBe(true);
    expect([8, 100, 16384, -1].some(isAllowedQuantum)).toBe(false);
    expect(allowedRates({ ...emptySettings(), allowedRates: [48000] })).toContain(44100);
    expect(allowedRates({ ...emptySettings(), allowedRates: [48000, 96000] })).toEqual([48000, 96000]);
    expect(latencyMs(64, 48000)).toBe(1.33);
  });

  it('parses pw-profiler 0.3.65 text output (captured): period, quantum, per-node load and errors', () => {
    const w = parseProfilerLines(fixture('pw-profiler-0.3.65.txt').split('\n'));
    expect(w.cycles).toBeGreaterThanOrEqual(4);
    expect(w.periodUs).toBe(21333);
    expect(quantumFromPeriod(w.periodUs, 48000)).toBe(1024);
    expect(w.nodes.length).toBe(3);
    expect(w.nodes.every((n) => n.errors === 0 && n.load >= 0 && n.load < 1)).toBe(true);
  });

  it('counts a follower that did not finish as an error, and an overrun cycle', () => {
    const pad = ' \t'.repeat(8 * 62);
    const line = (status: number, d2: number) => `1333\t${d2}\t0\t1333\t40\t1\t10\t700\t9\t690\t${status}\t0\t41\t1\t5\t9\t4\t4\t3\t0\t${pad}`;
    const w = parseProfilerLines([line(3, 100), line(1, 1866), 'garbage', '']);
    expect(w.cycles).toBe(2);
    expect(w.overruns).toBe(1);
    expect(w.nodes.find((n) => n.id === 40)).toMatchObject({ errors: 1, cycles: 2 });
    expect(w.nodes.find((n) => n.id === 41)?.errors).toBe(0);
    expect(quantumFromPeriod(1333, 48000)).toBe(64);
  });

  it('reads pw-metadata -n settings output', () => {
    const e = parsePwMetadata("Found \"settings\" metadata 29\nupdate: id:0 key:'clock.force-quantum' value:'64' type:''\nupdate: id:0 key:'clock.allowed-rates' value:'[ 48000 ]' type:''\n");
    expect(e).toEqual([
      { subject: 0, key: 'clock.force-quantum', value: 64 },
      { subject: 0, key: 'clock.allowed-rates', value: '[ 48000 ]' },
    ]);
  });
});

describe('channel pairing, scenes and rules on the captured graph', () => {
  const g = new Graph();
  g.apply(parseBatch(JSON.parse(fixture('pw-dump-0.3.65.json'))).objects, true);
  const node = (name: string) => [...g.nodes.values()].find((n) => n.name === name)!;
  const outs = (n: string) => g.portsOf(node(n).id).filter((p) => p.direction === 'out');
  const ins = (n: string) => g.portsOf(node(n).id).filter((p) => p.direction === 'in');

  it('pairs FL->FL, FR->FR by channel, 1->1 by order otherwise, never across media types', () => {
    expect(pairChannels(outs('test-sink'), ins('test-sink-b')).map(([o, i]) => `${o.name}>${i.name}`)).toEqual(['monitor_FL>playback_FL', 'monitor_FR>playback_FR']);
    expect(pairChannels(outs('test-tone'), ins('test-sink-b')).map(([o, i]) => `${o.name}>${i.name}`)).toEqual(['capture_1>playback_FL', 'capture_2>playback_FR']);
    expect(pairChannels(outs('test-video'), ins('test-sink'))).toEqual([]);
  });

  it('scene diff: add / keep / unavailable / remove (exclusive)', () => {
    const scene = {
      links: [
        { output: { node: 'test-tone', port: 'capture_1' }, input: { node: 'test-sink', port: 'playback_FL' } },
        { output: { node: 'test-tone', port: 'capture_2' }, input: { node: 'test-sink', port: 'playback_FR' } },
        { output: { node: 'gone-synth', port: 'out_L' }, input: { node: 'test-sink', port: 'playback_FL' } },
      ],
      clock: null,
    };
    const d = diffScene(g, scene, true, false);
    expect(d.keep).toHaveLength(1);
    expect(d.add).toHaveLength(1);
    expect(d.unavailable).toHaveLength(1);
    expect(d.remove).toEqual([{ output: { node: 'midiseq', port: 'out' }, input: { node: 'midi-monitor', port: 'input' } }]);
    expect(diffScene(g, scene, false, false).remove).toEqual([]);
  });

  it('rules match node and port names by regex, only for the nodes that appeared', () => {
    const rule = { outputNode: '^test-tone$', outputPort: '', inputNode: '^test-sink-b$', inputPort: 'playback' };
    expect(ruleMatches(g, rule).map(([o, i]) => `${o.name}>${i.name}`)).toEqual(['capture_1>playback_FL', 'capture_2>playback_FR']);
    expect(ruleMatches(g, rule, new Set([node('test-video').id]))).toEqual([]);
  });
});
