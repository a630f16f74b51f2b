// Connect/disconnect through the console against bare pw-link, same daemon, same run.
//   console: tRPC mutation over HTTP (cookie + Origin) audio.connect / audio.disconnect, timed until it returns,
//            which is when PipeWire has reported the link (or its removal) on the console's pw-dump monitor.
//   bare:    `pw-link OUT IN` / `pw-link -d OUT IN`, timed from spawn to exit.
// Interleaved (console connect, console disconnect, bare connect, bare disconnect) N times so drift hits both alike.
// Target (issue 3): console p95 <= 2 x bare p95 and < 25 ms on loopback.
import { execFile } from 'node:child_process';
import { pct, ratio, startConsole, startPipeWire } from './lib.mjs';

const N = Number(process.env.N ?? 100);
const OUT = 'test-tone:capture_1';
const IN = 'test-sink:playback_FL';

const pw = startPipeWire();
let c;
try {
  c = await startConsole(8492, { ARCHIBALD_PIPEWIRE_RUNTIME_DIR: pw.runtimeDir });
  const headers = { 'content-type': 'application/json', cookie: c.cookie, origin: c.url };
  const query = async (p) => (await (await fetch(`${c.url}/api/trpc/${p}`, { headers })).json()).result.data;
  const mutate = async (p, input) => {
    const res = await fetch(`${c.url}/api/trpc/${p}`, { method: 'POST', headers, body: JSON.stringify(input) });
    const body = await res.json();
    if (!res.ok) throw new Error(`${p}: ${body.error?.message}`);
    return body.result.data;
  };
  const cli = (args) =>
    new Promise((resolve, reject) => execFile('pw-link', args, { env: pw.env }, (err, stdout, stderr) => (err ? reject(new Error(`pw-link ${args.join(' ')}: ${stderr}`)) : resolve(stdout))));

  // wait until the console's graph is live and has both ports
  let ids;
  for (let i = 0; i < 100 && !ids; i++) {
    const { snapshot, status } = await query('audio.graph');
    const node = (name) => snapshot.nodes.find((n) => n.name === name)?.id;
    const port = (full) => {
      const [n, p] = full.split(':');
      return snapshot.ports.find((x) => x.nodeId === node(n) && x.name === p)?.id;
    };
    if (status.state === 'live' && port(OUT) && port(IN)) ids = { outputPortId: port(OUT), inputPortId: port(IN) };
    else await new Promise((r) => setTimeout(r, 100));
  }
  if (!ids) throw new Error('the console never showed the test ports');

  // bare pw-link returns before the console's monitor has seen the change: wait (untimed) until it has
  const settled = async (linked) => {
    for (let i = 0; i < 200; i++) {
      const { snapshot } = await query('audio.graph');
      if (snapshot.links.some((l) => l.outputPortId === ids.outputPortId && l.inputPortId === ids.inputPortId) === linked) return;
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error('the console did not see the bare pw-link change within 1 s');
  };
  const time = async (fn) => {
    const t0 = performance.now();
    await fn();
    return performance.now() - t0;
  };
  // warm up both paths (JIT, first spawn, page cache)
  for (let i = 0; i < 5; i++) {
    await mutate('audio.connect', ids);
    await mutate('audio.disconnect', ids);
    await cli([OUT, IN]);
    await settled(true);
    await cli(['-d', OUT, IN]);
    await settled(false);
  }
  const r = { cc: [], cd: [], bc: [], bd: [] };
  for (let i = 0; i < N; i++) {
    r.cc.push(await time(() => mutate('audio.connect', ids)));
    r.cd.push(await time(() => mutate('audio.disconnect', ids)));
    r.bc.push(await time(() => cli([OUT, IN])));
    await settled(true);
    r.bd.push(await time(() => cli(['-d', OUT, IN])));
    await settled(false);
  }
  const fmt = (v) => v.toFixed(1).padStart(6);
  const row = (name, v) => console.log(`${name.padEnd(36)} p50 ${fmt(pct(v, 50))} ms   p95 ${fmt(pct(v, 95))} ms`);
  console.log(`\nconnect/disconnect, N=${N} each, ${OUT} -> ${IN}, real PipeWire ${(await cli(['--version'])).match(/libpipewire (\S+)/)?.[1] ?? ''}`);
  row('console connect (tRPC, confirmed)', r.cc);
  row('console disconnect (tRPC, confirmed)', r.cd);
  row('bare pw-link OUT IN', r.bc);
  row('bare pw-link -d OUT IN', r.bd);
  console.log('\nratios console / bare pw-link');
  console.log(`connect    p50 ${ratio(pct(r.cc, 50), pct(r.bc, 50))}   p95 ${ratio(pct(r.cc, 95), pct(r.bc, 95))}`);
  console.log(`disconnect p50 ${ratio(pct(r.cd, 50), pct(r.bd, 50))}   p95 ${ratio(pct(r.cd, 95), pct(r.bd, 95))}`);
  const ok = [[r.cc, r.bc], [r.cd, r.bd]].every(([a, b]) => pct(a, 95) <= 2 * pct(b, 95) && pct(a, 95) < 25);
  console.log(`\naudio-link: ${ok ? 'within targets' : 'OVER TARGET'} (p95 <= 2 x bare and < 25 ms)`);
} finally {
  await c?.stop();
  pw.stop();
}
