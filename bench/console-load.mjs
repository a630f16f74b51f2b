// Console process cost, measured from outside through /proc:
//   idle (no clients) for IDLE_S seconds, then 20 WebSocket clients subscribed to system.live at 4 Hz for LOAD_S seconds.
// Baseline in the same run: a bare Node http + ws server pushing a small JSON sample to 20 clients at 4 Hz, the
// floor any Node console pays. Targets (issue 2): idle RSS <= 150 MB, idle CPU <= 0.5 %, 20 clients <= 3 %.
import { createTRPCClient, createWSClient, wsLink } from '@trpc/client';
import { spawn } from 'node:child_process';
import WebSocket from 'ws';
import { ratio, startConsole, watch } from './lib.mjs';

const IDLE_S = Number(process.env.IDLE_S ?? 60);
const LOAD_S = Number(process.env.LOAD_S ?? 60);
const CLIENTS = 20;

function consoleClients(url, cookie) {
  const clients = [];
  let received = 0;
  for (let i = 0; i < CLIENTS; i++) {
    const wsClient = createWSClient({
      url: `${url.replace('http', 'ws')}/api/trpc-ws`,
      WebSocket: class extends WebSocket {
        constructor(u) {
          super(u, { headers: { origin: url, cookie } });
        }
      },
    });
    const client = createTRPCClient({ links: [wsLink({ client: wsClient })] });
    const sub = client.system.live.subscribe({ hz: 4 }, { onData: () => received++ });
    clients.push({ wsClient, sub });
  }
  return { received: () => received, close: () => clients.forEach((c) => (c.sub.unsubscribe(), c.wsClient.close())) };
}

const BASELINE_SERVER = `
const http = require('node:http'); const { WebSocketServer } = require('ws'); const os = require('node:os');
const server = http.createServer((q, s) => s.end('ok')); const wss = new WebSocketServer({ server });
setInterval(() => { const m = JSON.stringify({ t: Date.now(), load: os.loadavg(), mem: os.freemem(), cpus: os.cpus().map(c => c.times.idle) });
  for (const c of wss.clients) c.send(m); }, 250);
server.listen(Number(process.argv[1]), '127.0.0.1', () => console.log('ready'));`;

async function baseline(port) {
  const child = spawn(process.execPath, ['-e', BASELINE_SERVER, String(port)], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((r) => child.stdout.once('data', r));
  const idle = await watch(child.pid, Math.min(IDLE_S, 20));
  const sockets = Array.from({ length: CLIENTS }, () => new WebSocket(`ws://127.0.0.1:${port}`));
  const load = await watch(child.pid, Math.min(LOAD_S, 30));
  sockets.forEach((s) => s.close());
  child.kill();
  return { idle, load };
}

const port = 8490;
const c = await startConsole(port);
await new Promise((r) => setTimeout(r, 5000)); // let start-up work settle before measuring idle
const idle = await watch(c.pid, IDLE_S);
const clients = consoleClients(c.url, c.cookie);
await new Promise((r) => setTimeout(r, 2000));
const before = clients.received();
const load = await watch(c.pid, LOAD_S);
const rate = (clients.received() - before) / LOAD_S / CLIENTS;
clients.close();
await c.stop();
const base = await baseline(port + 1);

const row = (name, v, target) => console.log(`${name.padEnd(34)} ${v}${target ? `   (target ${target})` : ''}`);
console.log('\nconsole process, measured from /proc');
row('idle RSS (MB, max over window)', idle.maxRssMb.toFixed(1), '<= 150');
row('idle CPU (% of one core)', idle.cpuPercent.toFixed(2), '<= 0.5');
row(`${CLIENTS} clients x 4 Hz CPU (%)`, load.cpuPercent.toFixed(2), '<= 3');
row(`${CLIENTS} clients x 4 Hz RSS (MB, max)`, load.maxRssMb.toFixed(1));
row('samples per client per second', rate.toFixed(2), '4');
console.log('\nbaseline: bare node http+ws pushing the same rate');
row('idle RSS (MB) / CPU (%)', `${base.idle.maxRssMb.toFixed(1)} / ${base.idle.cpuPercent.toFixed(2)}`);
row(`${CLIENTS} clients CPU (%) / RSS (MB)`, `${base.load.cpuPercent.toFixed(2)} / ${base.load.maxRssMb.toFixed(1)}`);
console.log('\nratios console / baseline');
row('idle RSS', ratio(idle.maxRssMb, base.idle.maxRssMb));
row(`${CLIENTS} clients CPU`, ratio(load.cpuPercent, base.load.cpuPercent));
const ok = idle.maxRssMb <= 150 && idle.cpuPercent <= 0.5 && load.cpuPercent <= 3;
console.log(`\nconsole-load: ${ok ? 'within targets' : 'OVER TARGET'}`);
