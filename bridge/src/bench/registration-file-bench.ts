/**
 * `npm run bench:registration-file`: what keeping the registrations across a restart costs:
 * the time to save the registry on shutdown (main.ts gives a stop 5 s in all), the file's size,
 * and the time to read it back and restore it into a fresh store and expiry wheel on start.
 * In process, no sockets; CPU time from process.cpuUsage beside the wall time.
 *
 *   node bridge/dist/bench/registration-file-bench.js [count=100000]
 * Run it under the shared benchmark lock: flock /work/notes/bench.lock npm run bench:registration-file
 */
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegistrationHandler, type Peer } from '../lwm2m/registration-handler.js';
import { ExpiryWheel } from '../registry/expiry-wheel.js';
import { PackedRegistrationStore } from '../registry/packed-registration-store.js';
import { REGISTRATIONS_FILE, saveRegistrations, takeRegistrations } from '../registry/registration-file.js';
import { newRegistrationId } from '../registry/registration-id.js';

const N = Number(process.argv[2] ?? 100_000);
const now = Date.now();
const file = join(mkdtempSync(join(tmpdir(), 'registration-file-bench-')), REGISTRATIONS_FILE);

function registry() {
  const store = new PackedRegistrationStore();
  const handler = new RegistrationHandler({ store, expiry: new ExpiryWheel(now), now: () => now, newId: newRegistrationId });
  return { store, handler };
}

/** A fleet like the simulator's: four device models, one in ten over DTLS with a PSK identity. */
const models = ['</1/0>,</3/0>,</4/0>', '</>;rt="oma.lwm2m";ct=110,</1/0>,</3/0>,</5/0>,</3303/0>', '</1/0>,</3/0>,</6/0>,</3300/0>,</3300/1>', '</1/0>,</3/0>;ver=1.1,</19/0>,</19/1>'].map((p) => Buffer.from(p));
const first = registry();
for (let i = 0; i < N; i++) {
  const dtls = i % 10 === 0;
  const peer: Peer = { address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, port: 40000 + (i % 20000), transport: dtls ? 'coaps' : 'coap' };
  if (dtls) peer.security = { mode: 'psk', identity: `bench-${i}-id`, cipherSuite: 'TLS_PSK_WITH_AES_128_CCM_8' };
  first.handler.register({ query: [`ep=bench-device-${i}`, 'lt=86400', 'lwm2m=1.1', 'b=U'], payload: models[i % models.length]!, contentFormat: 40, peer });
}

const measure = <T>(work: () => T): { result: T; wallMs: number; cpuMs: number } => {
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const result = work();
  const wallMs = performance.now() - t0;
  const used = process.cpuUsage(cpu);
  return { result, wallMs, cpuMs: (used.user + used.system) / 1000 };
};

const save = measure(() => saveRegistrations(file, first.store.packedEntries(), now));
const bytes = statSync(file).size;
const second = registry();
const load = measure(() => takeRegistrations(file, now + 60_000, (list) => second.handler.restore(list)));
if (load.result?.restored !== N) throw new Error(`restored ${load.result?.restored} of ${N}`);

const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 0 });
console.log(`registrations        ${fmt(N)}`);
console.log(`save on shutdown     ${fmt(save.wallMs)} ms wall, ${fmt(save.cpuMs)} ms CPU  (${(save.wallMs * 1000 / N).toFixed(2)} µs each)`);
console.log(`file size            ${(bytes / 1024 / 1024).toFixed(1)} MiB  (${fmt(bytes / N)} bytes each)`);
console.log(`restore on start     ${fmt(load.wallMs)} ms wall, ${fmt(load.cpuMs)} ms CPU  (${(load.wallMs * 1000 / N).toFixed(2)} µs each)`);
