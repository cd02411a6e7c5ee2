/**
 * Same-process A/B of the DTLS server's cost: two builds of `bridge/dist/dtls` (e.g. a copy of the
 * dist of an older commit and the current one) serve in-memory PSK handshakes + one echoed request
 * in alternating batches, driven by the same client (A's). Each batch's CPU time (client and server
 * together, no per-call getrusage) is recorded; the client being identical, the difference between
 * A and B is the servers'. Alternating in one process cancels most of a shared machine's drift;
 * min and p25 are the steadiest figures.
 *
 *   node --expose-gc bridge/dist/bench/dtls-ab-bench.js /path/to/old/bridge/dist/dtls /path/to/new/bridge/dist/dtls [rounds=30] [batch=1000]
 */
import { pathToFileURL } from 'node:url';

interface ServerLike {
  on(event: 'data', listener: (session: unknown, data: Buffer) => void): unknown;
  send(session: unknown, data: Buffer): boolean;
  handleDatagram(msg: Buffer, rinfo: { address: string; port: number }): void;
}
type ServerClass = new (options: object) => ServerLike;
interface ClientLike {
  onEvent: ((e: { kind: string }) => void) | undefined;
  start(): void;
  write(data: Buffer): void;
  handleDatagram(msg: Buffer): void;
}
type ClientClass = new (options: object) => ClientLike;

const [dirA, dirB] = [process.argv[2], process.argv[3]];
if (!dirA || !dirB) {
  console.error('usage: dtls-ab-bench.js <dtls dir A> <dtls dir B> [rounds] [batch]');
  process.exit(2);
}
const rounds = Number(process.argv[4] ?? 30);
const batch = Number(process.argv[5] ?? 1000);
const load = async (dir: string, file: string) => (await import(pathToFileURL(`${dir}/${file}`).href)) as Record<string, unknown>;
const ServerA = (await load(dirA, 'dtls-server.js')).DtlsServer as ServerClass;
const ServerB = (await load(dirB, 'dtls-server.js')).DtlsServer as ServerClass;
const Client = (await load(dirA, 'dtls-client.js')).DtlsPskClient as ClientClass;

const KEY = Buffer.from('secretkey');
const credentials = { pskKeyFor: (id: string) => (id === 'dev1' ? KEY : undefined) };
const REQUEST = Buffer.alloc(32, 0x52);

/** Returns a function running `n` handshakes + request against one long-lived server; µs of CPU each. */
function harness(Server: ServerClass): (n: number) => number {
  const queue: Array<() => void> = [];
  let current: ClientLike | undefined;
  const server = new Server({ credentials, maxSessions: 10_000_000, send: (d: Buffer) => queue.push(() => current!.handleDatagram(d)) });
  server.on('data', (s, d) => server.send(s, d));
  let k = 0;
  return (n) => {
    const t0 = process.cpuUsage();
    for (let i = 0; i < n; i++, k++) {
      const rinfo = { address: `10.${(k >> 16) & 255}.${(k >> 8) & 255}.${k & 255}`, port: 5000 };
      let echoed = false;
      const c = new Client({ identity: 'dev1', key: KEY, retransmitMs: 0, send: (d: Buffer) => queue.push(() => server.handleDatagram(d, rinfo)) });
      current = c;
      c.onEvent = (e) => {
        if (e.kind === 'connected') c.write(REQUEST);
        else if (e.kind === 'data') echoed = true;
      };
      c.start();
      while (queue.length > 0) queue.shift()!();
      if (!echoed) throw new Error('in-memory handshake + request failed');
    }
    const u = process.cpuUsage(t0);
    return (u.user + u.system) / n;
  };
}

const a = harness(ServerA);
const b = harness(ServerB);
a(batch);
b(batch); // warm-up
const ra: number[] = [];
const rb: number[] = [];
for (let r = 0; r < rounds; r++) {
  ra.push(a(batch));
  rb.push(b(batch));
}
const q = (x: number[], f: number) => x.slice().sort((p, r) => p - r)[Math.floor((x.length - 1) * f)]!.toFixed(1);
console.log(`client + server CPU per in-memory PSK handshake + echoed request (same client), ${rounds} alternating batches of ${batch}:`);
console.log(`  A ${dirA}: min ${q(ra, 0)} µs, p25 ${q(ra, 0.25)} µs, median ${q(ra, 0.5)} µs`);
console.log(`  B ${dirB}: min ${q(rb, 0)} µs, p25 ${q(rb, 0.25)} µs, median ${q(rb, 0.5)} µs`);
process.exit(0);
