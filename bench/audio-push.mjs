// Push latency: a link made with bare `pw-link OUT IN` in a "terminal" until a client subscribed to audio.live over
// the console's tRPC WebSocket (cookie + Origin) receives the patch carrying it. N links, each removed again after.
// Baselines in the same run, same events:
//   raw monitor: our own `pw-dump --monitor` on the same daemon, from the same spawn until its batch shows the link
//                (the floor: PipeWire's own event latency, what the console's monitor gets before any work of ours);
//   pw-link -l:  in separate rounds, `pw-link OUT IN` then `pw-link -l` until it lists the link (what a terminal sees).
// Target (issue 3): p95 < 100 ms.
import { createTRPCClient, createWSClient, wsLink } from '@trpc/client';
import { execFile, spawn } from 'node:child_process';
import { tsImport } from 'tsx/esm/api';
import WebSocket from 'ws';
import { pct, ratio, startConsole, startPipeWire } from './lib.mjs';

const { JsonArrayStream } = await tsImport('../server/audio/pw-dump.ts', import.meta.url);
const N = Number(process.env.N ?? 50);
const OUT = 'test-tone:capture_2';
const IN = 'test-sink-b:playback_FR';

const pw = startPipeWire();
let c;
let monitor;
let wsClient;
try {
  c = await startConsole(8493, { ARCHIBALD_PIPEWIRE_RUNTIME_DIR: pw.runtimeDir });
  const cli = (args) =>
    new Promise((resolve, reject) => execFile('pw-link', args, { env: pw.env }, (err, stdout, stderr) => (err ? reject(new Error(`pw-link ${args.join(' ')}: ${stderr}`)) : resolve(stdout))));
  const ids = new Map([...(await cli(['-o', '-I'])).concat(await cli(['-i', '-I'])).matchAll(/^\s*(\d+)\s+(\S+)$/gm)].map((m) => [m[2], Number(m[1])]));
  const outId = ids.get(OUT);
  const inId = ids.get(IN);

  // the console's subscriber
  let onConsole = null;
  let live = false;
  wsClient = createWSClient({
    url: `${c.url.replace('http', 'ws')}/api/trpc-ws`,
    WebSocket: class extends WebSocket {
      constructor(u) {
        super(u, { headers: { origin: c.url, cookie: c.cookie } });
      }
    },
  });
  const client = createTRPCClient({ links: [wsLink({ client: wsClient })] });
  client.audio.live.subscribe(undefined, {
    onData: (msg) => {
      const now = performance.now();
      if (msg.status?.state === 'live') live = true;
      if (msg.type === 'patch' && msg.patch.links.some((l) => l.outputPortId === outId && l.inputPortId === inId)) onConsole?.(now);
      if (msg.type === 'patch' && msg.patch.removedLinks.length > 0) onConsole?.(now, 'removed');
    },
  });

  // the raw monitor
  let onRaw = null;
  monitor = spawn('pw-dump', ['--monitor', '--no-colors'], { env: pw.env, stdio: ['ignore', 'pipe', 'ignore'] });
  const splitter = new JsonArrayStream((text) => {
    const now = performance.now();
    const batch = JSON.parse(text);
    if (batch.some((o) => o.type === 'PipeWire:Interface:Link' && o.info?.['output-port-id'] === outId && o.info?.['input-port-id'] === inId)) onRaw?.(now);
  });
  monitor.stdout.on('data', (d) => splitter.push(d.toString()));

  for (let i = 0; i < 100 && !live; i++) await new Promise((r) => setTimeout(r, 100));
  if (!live) throw new Error('the console never went live');
  await new Promise((r) => setTimeout(r, 500)); // both monitors past their initial dump

  const waitFor = (set, timeoutMs = 3000) =>
    new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no event within 3 s')), timeoutMs);
      set((at) => (clearTimeout(t), resolve(at)));
    });
  const push = [];
  const raw = [];
  const round = async (record) => {
    const gotConsole = waitFor((f) => (onConsole = (at, kind) => kind !== 'removed' && f(at)));
    const gotRaw = waitFor((f) => (onRaw = f));
    const t0 = performance.now();
    await cli([OUT, IN]);
    const [tc, tr] = await Promise.all([gotConsole, gotRaw]);
    if (record) {
      push.push(tc - t0);
      raw.push(tr - t0);
    }
    onConsole = onRaw = null;
    const gone = waitFor((f) => (onConsole = (at, kind) => kind === 'removed' && f(at)));
    await cli(['-d', OUT, IN]);
    await gone;
    onConsole = null;
  };
  for (let i = 0; i < 5; i++) await round(false);
  for (let i = 0; i < N; i++) await round(true);

  // pw-link -l rounds
  const list = [];
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    await cli([OUT, IN]);
    for (let k = 0; k < 100; k++) if ((await cli(['-l'])).includes(`|-> ${IN}`)) break;
    list.push(performance.now() - t0);
    await cli(['-d', OUT, IN]);
  }

  const fmt = (v) => v.toFixed(1).padStart(6);
  const row = (name, v) => console.log(`${name.padEnd(44)} p50 ${fmt(pct(v, 50))} ms   p95 ${fmt(pct(v, 95))} ms`);
  console.log(`\npush latency, N=${N}: pw-link ${OUT} ${IN} until ...`);
  row('... the console\'s WebSocket client has it', push);
  row('... baseline: raw pw-dump --monitor has it', raw);
  row('... baseline: pw-link -l lists it', list);
  console.log(`\nratio console push / raw monitor   p50 ${ratio(pct(push, 50), pct(raw, 50))}   p95 ${ratio(pct(push, 95), pct(raw, 95))}`);
  console.log(`ratio console push / pw-link -l    p50 ${ratio(pct(push, 50), pct(list, 50))}   p95 ${ratio(pct(push, 95), pct(list, 95))}`);
  console.log(`\naudio-push: ${pct(push, 95) < 100 ? 'within target' : 'OVER TARGET'} (p95 < 100 ms)`);
} finally {
  wsClient?.close();
  monitor?.kill();
  await c?.stop();
  pw.stop();
}
