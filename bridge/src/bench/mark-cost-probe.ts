/**
 * What a full mark of a million held registrations costs V8 with each store: registrations kept
 * as objects (`MemoryRegistrationStore`) or packed one string each (`PackedRegistrationStore`,
 * what `npm start` uses). Registrations are made by the real `RegistrationHandler` (3-object
 * link payload, as the register bench sends). Prints the time of three forced full collections
 * and the heap per registration.
 *
 *   node --expose-gc bridge/dist/bench/mark-cost-probe.js objects|packed [count=1000000]
 */
import { RegistrationHandler } from '../lwm2m/registration-handler.js';
import { ExpiryWheel } from '../registry/expiry-wheel.js';
import { MemoryRegistrationStore } from '../registry/memory-registration-store.js';
import { PackedRegistrationStore } from '../registry/packed-registration-store.js';
import { newRegistrationId } from '../registry/registration-id.js';

const mode = process.argv[2] === 'packed' ? 'packed' : 'objects';
const count = Number(process.argv[3] ?? 1_000_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

gc();
const emptyHeap = process.memoryUsage().heapUsed;
const store = mode === 'packed' ? new PackedRegistrationStore() : new MemoryRegistrationStore();
const now = Date.now();
const handler = new RegistrationHandler({ store, expiry: new ExpiryWheel(now), now: () => now, newId: newRegistrationId });
const payload = Buffer.from('</1/0>,</3/0>,</4/0>');
for (let i = 0; i < count; i++) {
  handler.register({ query: [`ep=held-${i}`, 'lt=600'], payload, contentFormat: 40, peer: { address: '127.0.0.1', port: 40_000 + (i & 63), transport: 'coap' } });
}

gc();
const times: string[] = [];
for (let k = 0; k < 3; k++) {
  const t = performance.now();
  gc();
  times.push((performance.now() - t).toFixed(0));
}
const perRegistration = (process.memoryUsage().heapUsed - emptyHeap) / store.size;
console.log(`${mode}: full GC ${times.join(' / ')} ms with ${store.size.toLocaleString('en-US')} registrations held; ${perRegistration.toFixed(0)} B of heap each`);
