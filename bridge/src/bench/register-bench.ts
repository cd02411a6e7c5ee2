/**
 * `npm run bench:register`: the registration server under load, with its ceiling measured in
 * the same run. Prints figures; asserts nothing.
 *
 *   1. Register / Update / De-register throughput and latency from a separate load process
 *      (many source ports, a window of requests in flight on each).
 *   2. The same Register load against a bare UDP echo server: the ceiling of this machine,
 *      Node's UDP path and the load generator together; the ratio bridge/ceiling is printed.
 *   3. Heap bytes per held registration at 100k and 1M registered, and the worst event-loop
 *      stall while filling to 1M as fast as the bridge goes.
 *   4. Holding 1M: the worst stall under a steady rate of Updates (as a fleet is held in service).
 *   5. The worst event-loop stall while all 1M registrations expire in the same second.
 *
 * Options (env): BENCH_HELD=1000000 (registrations held for 3–5), BENCH_OPS=200000,
 * BENCH_STEADY_RATE=5000 and BENCH_STEADY_SECONDS=20 (phase 4), BENCH_STALL_LOG_MS (the bridge
 * prints every stall longer than this, for bench/stall-attribution.ts).
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DiagnosticsReply } from '../diagnostics.js';
import { BRIDGE_NODE_FLAGS } from './bridge-node-flags.js';
import type { Phase, PhaseResult } from './load-generator.js';

const HELD = Number(process.env.BENCH_HELD ?? 1_000_000);
const OPS = Number(process.env.BENCH_OPS ?? 200_000);
/** The steady phase: Updates per second while the fleet is held, and for how long. */
const STEADY_RATE = Number(process.env.BENCH_STEADY_RATE ?? 5_000);
const STEADY_SECONDS = Number(process.env.BENCH_STEADY_SECONDS ?? 20);
const SOCKETS = 64;
const WINDOW = 8;

const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));

function runLoad(phase: Partial<Phase> & Pick<Phase, 'op' | 'port' | 'count'>): Promise<PhaseResult> {
  const full: Phase = { host: '127.0.0.1', sockets: SOCKETS, window: WINDOW, prefix: 'bench-', lifetime: 86_400, timeoutMs: 3000, ...phase };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--max-old-space-size=4096', here('./load-generator.js')], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as PhaseResult) : reject(new Error(`load generator exited ${code}`))));
    child.stdin.end(JSON.stringify(full));
  });
}

async function startBridge(): Promise<{ child: ChildProcess; port: number; stats: (gc?: boolean, reset?: boolean) => Promise<DiagnosticsReply> }> {
  const child = fork(here('../main.js'), ['--coap-host', '127.0.0.1', '--coap-port', '0', '--coaps-port', '-1', '--http-port', '0', '--log-level', 'error'], {
    // BENCH_BRIDGE_NODE_ARGS="--trace-gc" attributes stalls to garbage collection; the bridge's
    // stdout then goes to BENCH_BRIDGE_LOG (default: discarded after the listening line).
    execArgv: ['--expose-gc', ...BRIDGE_NODE_FLAGS, ...(process.env.BENCH_BRIDGE_NODE_ARGS?.split(' ').filter(Boolean) ?? [])],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  if (process.env.BENCH_BRIDGE_LOG) child.stdout!.pipe(createWriteStream(process.env.BENCH_BRIDGE_LOG));
  const port = await new Promise<number>((resolve, reject) => {
    // Only the unfinished last line is carried over: with --trace-gc the listening line can
    // come after many kilobytes of GC traces.
    let pending = '';
    child.stdout!.on('data', (d) => {
      const lines = (pending + String(d)).split('\n');
      pending = lines.pop()!.slice(-4096);
      for (const text of lines) {
        const m = /coap listening on udp:\/\/[^:]+:(\d+)/.exec(text);
        if (m) resolve(Number(m[1]));
      }
    });
    child.on('exit', () => reject(new Error('bridge exited')));
  });
  const stats = (gc = false, reset = false) =>
    new Promise<DiagnosticsReply>((resolve) => {
      child.once('message', (m) => resolve(m as DiagnosticsReply));
      child.send({ type: 'stats', gc, reset });
    });
  return { child, port, stats };
}

async function startReference(script: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [here(script)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve) => child.stdout!.once('data', (d) => resolve(Number(String(d).trim()))));
  return { child, port };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const line = (label: string, r: PhaseResult) =>
  console.log(`${label.padEnd(26)} ${fmt(r.perSecond).padStart(9)}/s  p50 ${r.p50Ms.toFixed(2)} ms  p99 ${r.p99Ms.toFixed(2)} ms  (${fmt(r.completed)} done, ${r.lost} lost${Object.keys(r.errors).length ? `, errors ${JSON.stringify(r.errors)}` : ''})`);

async function main(): Promise<void> {
  console.log(`lwm2m-console registration benchmark — node ${process.version}, ${SOCKETS} source ports × ${WINDOW} in flight`);
  const echo = await startReference('./udp-echo-server.js');
  await runLoad({ op: 'register', port: echo.port, count: 20_000 });
  const ceiling = await runLoad({ op: 'register', port: echo.port, count: OPS });
  echo.child.kill();
  const floor = await startReference('./coap-floor-server.js');
  await runLoad({ op: 'register', port: floor.port, count: 20_000 });
  const coapOnly = await runLoad({ op: 'register', port: floor.port, count: OPS });
  floor.child.kill();

  const bridge = await startBridge();
  const base = await bridge.stats(true);
  await runLoad({ op: 'register', port: bridge.port, count: 20_000, prefix: 'warm-', lifetime: 30 });
  const reg = await runLoad({ op: 'register', port: bridge.port, count: OPS, prefix: 'ops-', collectIds: true });
  const upd = await runLoad({ op: 'update', port: bridge.port, count: OPS, ids: reg.ids!, lifetime: 90_000 });
  const del = await runLoad({ op: 'deregister', port: bridge.port, count: OPS, ids: reg.ids! });
  delete reg.ids;
  console.log('');
  line('ceiling (UDP echo)', ceiling);
  line('coap package, empty handler', coapOnly);
  line('Register', reg);
  line('Update', upd);
  line('De-register', del);
  console.log(`Register bridge/ceiling    ${(reg.perSecond / ceiling.perSecond).toFixed(2)}   coap-package/ceiling ${(coapOnly.perSecond / ceiling.perSecond).toFixed(2)}   bridge/coap-package ${(reg.perSecond / coapOnly.perSecond).toFixed(2)}`);

  // Hold HELD registrations that all expire in the same second, some time after filling.
  await new Promise((r) => setTimeout(r, 32_000)); // let the warm-up registrations expire
  const empty = await bridge.stats(true, true);
  const first = Math.min(100_000, HELD);
  // Lifetimes are chosen per request so that every registration expires at `deadline`, which
  // must lie after the whole fill: estimated from the Register rate above, with a wide margin.
  const deadline = Date.now() + (HELD / Math.max(1000, reg.perSecond * 0.5)) * 1000 + STEADY_SECONDS * 1000 + 60_000;
  // A forced GC (for the heap figure) stalls the loop itself, and the delay monitor records that
  // late: read the stall first, and reset the monitor only once the GC's stall has been seen.
  const settle = async () => {
    await new Promise((r) => setTimeout(r, 200));
    await bridge.stats(false, true);
  };
  await settle();
  const fillA = await runLoad({ op: 'register', port: bridge.port, count: first, prefix: 'held-a-', deadline });
  let fillStall = (await bridge.stats()).maxStallMs;
  const at100k = await bridge.stats(true);
  await settle();
  console.log('');
  console.log(`heap per registration      ${fmt((at100k.heapUsed - empty.heapUsed) / at100k.registrations)} bytes at ${fmt(at100k.registrations)} held (fill ${fmt(fillA.perSecond)}/s, ${fillA.lost} lost)`);
  let held = at100k;
  let steadyIds: string[] = [];
  if (HELD > first) {
    const fill = await runLoad({ op: 'register', port: bridge.port, count: HELD - first, prefix: 'held-b-', deadline, collectIds: true });
    fillStall = Math.max(fillStall, (await bridge.stats()).maxStallMs);
    steadyIds = (fill.ids ?? []).filter(Boolean);
    delete fill.ids;
    held = await bridge.stats(true);
    await settle();
    console.log(`heap per registration      ${fmt((held.heapUsed - empty.heapUsed) / held.registrations)} bytes at ${fmt(held.registrations)} held (fill ${fmt(fill.perSecond)}/s, p99 ${fill.p99Ms.toFixed(1)} ms, ${fill.lost} lost)`);
  }
  console.log(`rss                        ${fmt(held.rss / 2 ** 20)} MiB (baseline ${fmt(base.rss / 2 ** 20)} MiB); worst event-loop stall while filling ${fillStall.toFixed(1)} ms`);

  // Holding the fleet, as it is held in service: Updates at a steady rate (a million devices
  // with a lifetime of about 200 s), each keeping its registration's deadline for the storm.
  if (steadyIds.length > 0) {
    await bridge.stats(false, true);
    const steady = await runLoad({ op: 'update', port: bridge.port, count: STEADY_RATE * STEADY_SECONDS, ids: steadyIds, deadline, ratePerSecond: STEADY_RATE });
    const s = await bridge.stats(false, true); // reset: the storm's figure starts here
    console.log(`holding ${fmt(held.registrations)} with ${fmt(STEADY_RATE)} Updates/s for ${STEADY_SECONDS} s: worst event-loop stall ${s.maxStallMs.toFixed(1)} ms, p99 delay ${s.p99DelayMs.toFixed(1)} ms; Update p50 ${steady.p50Ms.toFixed(2)} ms p99 ${steady.p99Ms.toFixed(2)} ms (${fmt(steady.completed)} done, ${steady.lost} lost)`);
  }
  if (Date.now() > deadline) console.log('WARNING: the fill took longer than planned; part of the fleet expired before the storm');
  const waitUntil = deadline + 3000;
  while (Date.now() < waitUntil || (await bridge.stats()).registrations > 0) await new Promise((r) => setTimeout(r, 500));
  const storm = await bridge.stats(false, true);
  console.log(`expiry storm               ${fmt(held.registrations)} registrations expiring in the same second: worst event-loop stall ${storm.maxStallMs.toFixed(1)} ms`);
  bridge.child.kill('SIGTERM');
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
