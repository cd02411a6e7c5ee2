/**
 * `npm run bench:registry`: the registration core alone, in process, without sockets: how
 * fast the handler, store, expiry and console hub go, and how long the event loop stalls while
 * a million registrations are filled and then all expire in the same second (fake clock).
 * Separates the LwM2M work from the `coap` package and UDP (see register-bench.ts).
 *
 *   node --expose-gc bridge/dist/bench/registry-probe.js [count=1000000]
 * Add --trace-gc to see which stalls are garbage collection.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startBridge } from '../bridge.js';
import { DEFAULT_CONFIG } from '../config.js';
import { silentLogger } from '../log.js';

const N = Number(process.argv[2] ?? 1_000_000);
let fakeNow = Date.now();
const bridge = await startBridge(
  { ...DEFAULT_CONFIG, coapHost: '127.0.0.1', coapPort: 0, coapsPort: -1, httpPort: 0, dataDir: mkdtempSync(join(tmpdir(), 'probe-')) },
  { log: silentLogger, now: () => fakeNow },
);
const payload = Buffer.from('</1/0>,</3/0>,</4/0>');
const peer = (i: number) => ({ address: '127.0.0.1', port: 40000 + (i % 64), transport: 'coap' as const });
const publish = (events: Parameters<typeof bridge.events.publish>[0][]) => events.forEach((e) => bridge.events.publish(e));
const ms = (ns: number) => (ns / 1e6).toFixed(1);

// 1. Registers as fast as the core goes (yielding every 1,000).
let t0 = performance.now();
const ids: string[] = [];
for (let i = 0; i < N; i++) {
  const r = bridge.handler.register({ query: [`ep=probe-${i}`, 'lt=600'], payload, contentFormat: 40, peer: peer(i) });
  publish(r.events);
  if (i < 100_000 && r.outcome.ok && r.outcome.code === '2.01') ids.push(r.outcome.locationPath[1]!);
  if (i % 1000 === 0) await new Promise((r) => setImmediate(r));
}
let seconds = (performance.now() - t0) / 1000;
console.log(`Registers (no sockets)    ${Math.round(N / seconds).toLocaleString('en-US')}/s  (${N.toLocaleString('en-US')} in ${seconds.toFixed(1)} s)`);

// 2. Updates of the first 100,000, round-robin.
const updates = Math.min(300_000, N * 3);
t0 = performance.now();
for (let i = 0; i < updates; i++) {
  publish(bridge.handler.update(ids[i % ids.length]!, { query: ['lt=600'], payload: new Uint8Array(), peer: peer(i) }).events);
  if (i % 1000 === 0) await new Promise((r) => setImmediate(r));
}
seconds = (performance.now() - t0) / 1000;
console.log(`Updates (no sockets)      ${Math.round(updates / seconds).toLocaleString('en-US')}/s  (${((seconds * 1e6) / updates).toFixed(1)} µs each)`);

// 3. Expiry storm: every registration expires in the same second.
(globalThis as { gc?: () => void }).gc?.();
await new Promise((r) => setTimeout(r, 300));
const delay = monitorEventLoopDelay({ resolution: 5 });
delay.enable();
fakeNow += 700_000;
t0 = performance.now();
while (bridge.store.size > 0) await new Promise((r) => setTimeout(r, 50));
await new Promise((r) => setTimeout(r, 300));
console.log(`expiry storm              ${N.toLocaleString('en-US')} expired in ${((performance.now() - t0) / 1000).toFixed(2)} s; event-loop delay max ${ms(delay.max)} ms, p99 ${ms(delay.percentile(99))} ms`);
await bridge.close();
process.exit(0);
