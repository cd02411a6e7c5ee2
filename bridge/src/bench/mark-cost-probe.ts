/**
 * What a full mark of a million held registrations costs V8, depending on how a record is kept:
 * as an object shaped like `Registration` (what the memory store holds), or packed into one
 * string (what a packed store would hold). Indexes are 64 `Map` shards by id and by endpoint in
 * both cases. Prints the time of three forced full collections and the heap.
 *
 *   node --expose-gc bridge/dist/bench/mark-cost-probe.js objects|string [count=1000000]
 */
const mode = process.argv[2] === 'string' ? 'string' : 'objects';
const count = Number(process.argv[3] ?? 1_000_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

const SHARDS = 64;
const byId = Array.from({ length: SHARDS }, () => new Map<string, unknown>());
const byEndpoint = Array.from({ length: SHARDS }, () => new Map<string, unknown>());
const links = Object.freeze([Object.freeze({ objectId: 1, instanceId: 0 }), Object.freeze({ objectId: 3, instanceId: 0 })]);
const noAttributes = Object.freeze({});
const now = Date.now();

for (let i = 0; i < count; i++) {
  const id = `r${Math.random().toString(36).slice(2, 14)}`;
  const endpoint = `held-${i}`;
  const fields = {
    id,
    endpoint,
    lifetime: 300,
    lwm2mVersion: '1.1',
    binding: 'U',
    queueMode: false,
    rootPath: '/',
    objectLinks: links,
    extraAttributes: noAttributes,
    address: '127.0.0.1',
    port: 40_000 + (i & 63),
    transport: 'coap',
    registeredAt: now + i,
    lastUpdateAt: now + i,
    expiresAt: now + i + 300_000,
    rawRegister: { query: `ep=${endpoint}&lt=300`, payload: '</1/0>,</3/0>', at: now + i },
  };
  const record = mode === 'objects' ? fields : JSON.stringify(fields);
  byId[i & (SHARDS - 1)]!.set(id, record);
  byEndpoint[i & (SHARDS - 1)]!.set(endpoint, mode === 'objects' ? record : id);
}

gc();
const times: string[] = [];
for (let k = 0; k < 3; k++) {
  const t = performance.now();
  gc();
  times.push((performance.now() - t).toFixed(0));
}
// Reading the indexes here keeps them alive through the collections above.
const held = byId.reduce((n, m) => n + m.size, 0) + byEndpoint.reduce((n, m) => n + m.size, 0);
console.log(`${mode}: full GC ${times.join(' / ')} ms with ${(held / 2).toLocaleString('en-US')} records held; heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`);
