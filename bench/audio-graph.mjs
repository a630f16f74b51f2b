// A synthetic PipeWire graph of 200 nodes, 1000 ports and 2000 links (100 sources x 5 outputs, 100 sinks x 5 inputs,
// every output linked to 4 inputs), its objects shaped like real pw-dump 0.3.65 output (copied from the captured
// fixture, params included).
//
// 1. Server side, through the real model code (server/audio: parseBatch + Graph.apply), per update:
//    the whole graph as one batch (pw-dump's first batch / a rebuild after a restart), and a monitor batch of one link.
//    Baseline in the same run: JSON.parse alone of the same text.
// 2. Browser side (Debian's Chromium, headless): the real /patchbay page of a real console, whose audio.live
//    subscription is answered by this bench through Playwright's routeWebSocket (every other subscription goes to the
//    console): the page's own tRPC client, state module and components receive the snapshot and patches that the
//    real Graph produced for the synthetic graph. What is timed is what the page records in window.__patchbayRenders:
//    from the patch's arrival in onData to a task posted from the first animation frame after the commit that shows
//    it (so React Flow's own follow-up store updates and the paint are included). Target: < 50 ms per update.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { tsImport } from 'tsx/esm/api';
import { pct, root, startConsole } from './lib.mjs';

const { parseBatch } = await tsImport('../server/audio/pw-dump.ts', import.meta.url);
const { Graph } = await tsImport('../server/audio/graph.ts', import.meta.url);
const REPS = Number(process.env.REPS ?? 20);
const UPDATES = Number(process.env.UPDATES ?? 20);

// ------------------------------------------------------------------ the synthetic graph
const fixture = JSON.parse(readFileSync(path.join(root, 'server/audio/fixtures/pw-dump-0.3.65.json'), 'utf8'));
const tNode = fixture.find((o) => o.type === 'PipeWire:Interface:Node' && o.info?.props?.['node.name'] === 'test-sink');
const tPort = fixture.find((o) => o.type === 'PipeWire:Interface:Port');
const tLink = fixture.find((o) => o.type === 'PipeWire:Interface:Link');
const clone = (o) => structuredClone(o);
const CH = ['FL', 'FR', 'FC', 'LFE', 'RL'];
let nextId = 1000;
const objects = [];
const outs = [];
const ins = [];
for (let n = 0; n < 200; n++) {
  const source = n < 100;
  const node = clone(tNode);
  node.id = nextId++;
  Object.assign(node.info.props, { 'node.name': `syn-${source ? 'src' : 'sink'}-${n}`, 'node.description': `Synthetic ${source ? 'Source' : 'Sink'} ${n}`, 'media.class': source ? 'Audio/Source' : 'Audio/Sink', 'object.id': node.id });
  node.info['n-input-ports'] = source ? 0 : 5;
  node.info['n-output-ports'] = source ? 5 : 0;
  objects.push(node);
  for (const ch of CH) {
    const port = clone(tPort);
    port.id = nextId++;
    port.info.direction = source ? 'output' : 'input';
    const name = source ? `capture_${ch}` : `playback_${ch}`;
    Object.assign(port.info.props, { 'node.id': node.id, 'object.id': port.id, 'port.name': name, 'port.alias': `${node.info.props['node.description']}:${name}`, 'port.direction': source ? 'out' : 'in', 'audio.channel': ch });
    objects.push(port);
    (source ? outs : ins).push({ id: port.id, nodeId: node.id });
  }
}
const makeLink = (o, i, id = nextId++) => {
  const link = clone(tLink);
  link.id = id;
  Object.assign(link.info, { 'output-node-id': o.nodeId, 'output-port-id': o.id, 'input-node-id': i.nodeId, 'input-port-id': i.id });
  Object.assign(link.info.props, { 'link.output.node': o.nodeId, 'link.output.port': o.id, 'link.input.node': i.nodeId, 'link.input.port': i.id, 'object.id': id });
  return link;
};
for (let k = 0; k < outs.length; k++) for (let j = 0; j < 4; j++) objects.push(makeLink(outs[k], ins[(k * 4 + j * 97) % ins.length]));
const counts = (t) => objects.filter((o) => o.type === `PipeWire:Interface:${t}`).length;
const fullText = JSON.stringify(objects, null, 2); // pw-dump pretty-prints
// one monitor batch: a link that is not in the graph yet (out 0 -> in 499), and its removal
const extra = makeLink(outs[0], ins[499]);
const addText = JSON.stringify([extra], null, 2);
const removeText = JSON.stringify([{ id: extra.id, info: null }], null, 2);

// ------------------------------------------------------------------ 1. server side
const median = (v) => pct(v, 50);
const timeIt = (fn) => {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
};
const applyText = (graph, text, full) => graph.apply(parseBatch(JSON.parse(text)).objects, full);
for (let i = 0; i < 3; i++) applyText(new Graph(), fullText, true); // warm up
const jsonFull = [], firstFull = [], rebuildFull = [], jsonSmall = [], small = [];
const g = new Graph();
applyText(g, fullText, true);
for (let i = 0; i < REPS; i++) {
  jsonFull.push(timeIt(() => JSON.parse(fullText)));
  firstFull.push(timeIt(() => applyText(new Graph(), fullText, true)));
  rebuildFull.push(timeIt(() => applyText(g, fullText, true)));
  jsonSmall.push(timeIt(() => JSON.parse(addText)));
  small.push(timeIt(() => (applyText(g, addText, false), applyText(g, removeText, false))) / 2);
}
const fmt = (v) => v.toFixed(2).padStart(8);
const row = (name, v, base) => console.log(`${name.padEnd(58)} median ${fmt(median(v))} ms   p95 ${fmt(pct(v, 95))} ms${base ? `   x${(median(v) / median(base)).toFixed(1)} JSON.parse` : ''}`);
console.log(`\nsynthetic graph: ${counts('Node')} nodes, ${counts('Port')} ports, ${counts('Link')} links, ${(fullText.length / 1e6).toFixed(1)} MB of pw-dump JSON`);
console.log(`server model (parseBatch + Graph.apply), ${REPS} reps`);
row('baseline: JSON.parse of the whole graph', jsonFull);
row('whole graph into an empty model (first batch)', firstFull, jsonFull);
row('whole graph again, nothing changed (rebuild after restart)', rebuildFull, jsonFull);
row('baseline: JSON.parse of a one-link monitor batch', jsonSmall);
row('one-link monitor batch (add or remove), parse + diff', small, jsonSmall);

// ------------------------------------------------------------------ 2. browser side
const model = new Graph();
const fullPatch = model.apply(parseBatch(objects).objects, true);
const live = { state: 'live', reason: null, since: Date.now(), retryInMs: null };
const emptySnapshot = { version: 0, nodes: [], ports: [], links: [], settings: fullPatch.settings ?? { rate: 48000, quantum: 1024, minQuantum: 16, maxQuantum: 8192, forceQuantum: 0, forceRate: 0, allowedRates: [48000] } };
const updates = [];
for (let i = 0; i < UPDATES; i++) {
  updates.push(model.apply(parseBatch([extra]).objects));
  updates.push(model.apply(parseBatch([{ id: extra.id, info: null }]).objects));
}

const c = await startConsole(8494);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const results = {};
try {
  for (const [mode, collapse] of [['matrix', false], ['matrix', true], ['canvas', false]]) {
    const ctx = await browser.newContext({ viewport: { width: 820, height: 1180 }, deviceScaleFactor: 1 });
    const [name, ...rest] = c.cookie.split('=');
    await ctx.addCookies([{ name, value: rest.join('='), url: c.url }]);
    await ctx.addInitScript((m) => localStorage.setItem('archibald.patchbay.mode', m), mode);
    const page = await ctx.newPage();
    let feed = null;
    await page.routeWebSocket(/\/api\/trpc-ws/, (ws) => {
      const server = ws.connectToServer();
      server.onMessage((m) => ws.send(m));
      ws.onMessage((m) => {
        const parsed = typeof m === 'string' && m.startsWith('[') || (typeof m === 'string' && m.startsWith('{')) ? JSON.parse(m) : null;
        const msgs = parsed ? (Array.isArray(parsed) ? parsed : [parsed]) : [];
        const mine = msgs.filter((x) => x.params?.path === 'audio.live' || (x.method === 'subscription.stop' && feed?.id === x.id));
        for (const x of mine) {
          if (x.method !== 'subscription') continue;
          const send = (data) => ws.send(JSON.stringify({ id: x.id, jsonrpc: '2.0', result: { type: 'data', data } }));
          ws.send(JSON.stringify({ id: x.id, jsonrpc: '2.0', result: { type: 'started' } }));
          send({ type: 'snapshot', snapshot: emptySnapshot, status: live });
          feed = { id: x.id, send };
        }
        const others = msgs.filter((x) => !mine.includes(x));
        if (!parsed) server.send(m);
        else if (others.length) server.send(JSON.stringify(Array.isArray(parsed) ? others : others[0]));
      });
    });
    await page.goto(`${c.url}/patchbay`);
    await page.getByText('PipeWire live').waitFor({ timeout: 20_000 });
    const renders = () => page.evaluate(() => window.__patchbayRenders ?? []);
    const sendAndWait = async (patch) => {
      const before = (await renders()).length;
      feed.send({ type: 'patch', patch, status: live });
      await page.waitForFunction((n) => (window.__patchbayRenders ?? []).length > n, before, { timeout: 60_000, polling: 10 });
      return (await renders())[before];
    };
    const first = await sendAndWait(fullPatch);
    await page.getByText(`${counts('Node')} nodes · ${counts('Port')} ports · ${counts('Link')} links`).waitFor();
    if (collapse) {
      // wait until the collapse is committed (the toggle says so and no node header is expanded), not a fixed delay
      await page.getByRole('button', { name: 'Collapse all' }).click();
      await page.getByRole('button', { name: 'Expand all' }).waitFor({ timeout: 60_000 });
      await page.waitForFunction(() => document.querySelector('[data-testid=matrix] [aria-expanded=false]') && !document.querySelector('[data-testid=matrix] [aria-expanded=true]'), null, { timeout: 60_000 });
    }
    // a canvas link is a React Flow edge, or above 500 links a curve on the page's own <canvas> link layer, which says
    // in its data-links attribute how many links it draws (they are pixels, not DOM elements)
    if (mode === 'canvas') await page.locator('.react-flow__edge, [data-testid=canvas-links]:not([data-links="0"])').first().waitFor({ state: 'attached', timeout: 60_000 });
    else await page.locator('[data-testid=matrix] button[aria-pressed]').first().waitFor({ state: 'attached', timeout: 60_000 });
    // in the DOM (the matrix renders only what is on screen) and in the whole matrix (its data-cells attribute)
    const layerEl = page.locator('[data-testid=canvas-links]');
    const layer = mode === 'canvas' && (await layerEl.count()) ? await layerEl.getAttribute('data-links') : null;
    const drawnOnCanvas = layer != null;
    const cells = drawnOnCanvas ? Number(layer) : await page.locator('[data-testid=matrix] button[aria-pressed], .react-flow__edge').count();
    const total = mode === 'canvas' ? null : Number(await page.getByTestId('matrix').getAttribute('data-cells'));
    const each = [];
    for (const p of updates) each.push(await sendAndWait(p));
    const label = `${mode}${collapse ? ' (all nodes collapsed)' : ''}`;
    results[label] = { first, each, cells, total, drawnOnCanvas };
    await ctx.close();
  }
} finally {
  await browser.close();
  await c.stop();
}
console.log(`\nbrowser: /patchbay in Chromium at 820x1180, audio.live fed by this bench (see the header), ${updates.length} one-link updates`);
for (const [label, r] of Object.entries(results)) {
  console.log(`${label.padEnd(30)} whole graph arrives ${fmt(r.first)} ms   one-link update median ${fmt(median(r.each))} ms   p95 ${fmt(pct(r.each, 95))} ms   (${r.drawnOnCanvas ? `${r.cells} links drawn on the canvas layer, its data-links` : r.total == null ? `${r.cells} edges in the DOM` : `${r.cells} of ${r.total} cells in the DOM`})`);
}
const worst = Math.max(...Object.values(results).map((r) => pct(r.each, 95)));
console.log(`\naudio-graph: ${worst < 50 ? 'within target' : 'OVER TARGET'} (an update renders in < 50 ms; worst p95 ${worst.toFixed(1)} ms)`);
