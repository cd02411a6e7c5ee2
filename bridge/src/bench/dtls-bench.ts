/**
 * DTLS benchmark: full PSK handshakes per second and encrypted application records per second
 * against a DtlsServer on loopback (load from a separate process, many source ports), and resident
 * memory per idle session (sessions established in process, clients discarded, GC, heap/RSS delta).
 *
 *   npm run bench:dtls            (builds, then runs with --expose-gc)
 *   node --expose-gc bridge/dist/bench/dtls-bench.js [idleSessions=50000] [seconds=5] [loopback|handshakes|cpu|memory]
 *
 * Figures are printed; no assertion is made (targets: 8,000 handshakes/s, <= 2 KB per idle session).
 */
import { fork } from 'node:child_process';
import dgram from 'node:dgram';
import { fileURLToPath } from 'node:url';
import { DtlsPskClient } from '../dtls/dtls-client.js';
import { DtlsServer, type DtlsSession } from '../dtls/dtls-server.js';

const KEY = Buffer.from('secretkey');
const credentials = { pskKeyFor: (id: string) => (id === 'dev1' ? KEY : undefined) };
const idleSessions = Number(process.argv[2] ?? 50_000);
const seconds = Number(process.argv[3] ?? 5);

function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) for (let i = 0; i < 3; i++) g();
}

async function overLoopback(): Promise<void> {
  const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  const server = new DtlsServer({ credentials, maxHandshakes: 10_000 });
  server.attach(socket);
  server.on('data', (s: DtlsSession, d: Buffer) => server.send(s, d));
  const port = socket.address().port;
  const load = fork(fileURLToPath(new URL('./dtls-bench-load.js', import.meta.url)));
  const ask = <T>(m: object) =>
    new Promise<T>((resolve) => {
      load.once('message', (r) => resolve(r as T));
      load.send(m);
    });

  const before = server.stats();
  const cpu0 = process.cpuUsage();
  const hs = await ask<{ completed: number; ms: number; cpu: NodeJS.CpuUsage }>({ cmd: 'handshakes', port, sockets: 256, durationMs: seconds * 1000, request: true });
  const cpu = process.cpuUsage(cpu0);
  const after = server.stats();
  const serverDone = after.handshakesCompleted - before.handshakesCompleted;
  console.log(`full PSK handshakes (CCM_8, cookie exchange, EMS), each followed by one echoed 32-byte request, 256 source ports, ${seconds} s:`);
  console.log(`  ${Math.round((serverDone / hs.ms) * 1000)} handshakes/s completed at the server (${serverDone} in ${Math.round(hs.ms)} ms; client saw ${hs.completed} echoes, ${Math.round((hs.completed / hs.ms) * 1000)}/s)`);
  const pct = (us: number) => `${Math.round((us / 1000 / hs.ms) * 100)} %`;
  console.log(`  server CPU ${pct(cpu.user + cpu.system)} of one core (kernel ${pct(cpu.system)}); server-side cost ${Math.round((cpu.user + cpu.system) / serverDone)} µs per handshake (kernel ${Math.round(cpu.system / serverDone)} µs)`);
  console.log(`  load generator CPU ${pct(hs.cpu.user + hs.cpu.system)} of one core (kernel ${pct(hs.cpu.system)})`);
  console.log(`  cookies sent ${after.cookiesSent - before.cookiesSent}, handshake timeouts ${after.handshakeTimeouts - before.handshakeTimeouts}, refused ${after.capacityRefused - before.capacityRefused}`);
  if (only === 'handshakes') {
    load.kill();
    server.close();
    return;
  }

  const r0 = server.stats();
  const cpu1 = process.cpuUsage();
  const rec = await ask<{ sent: number; echoed: number; ms: number }>({ cmd: 'records', port, sockets: 64, durationMs: seconds * 1000, window: 16, size: 64 });
  const rcpu = process.cpuUsage(cpu1);
  const r1 = server.stats();
  void r0;
  void r1;
  console.log(`encrypted application records (CCM_8, 64-byte payload), 64 sessions, echoed by the server, ${seconds} s:`);
  console.log(`  ${Math.round((rec.echoed / rec.ms) * 1000)} records/s round trip (each one decrypted and one encrypted by the server); ${rec.sent} sent`);
  console.log(`  server CPU ${Math.round(((rcpu.user + rcpu.system) / 1000 / rec.ms) * 100)} % of one core`);
  load.kill();
  server.close();
}

/**
 * Server CPU per handshake without sockets: `n` in-memory handshakes, each followed by one echoed
 * request, with only the CPU time spent inside `server.handleDatagram` counted (the client's half and
 * the datagram delivery are left out; getrusage around each call adds about 1 µs per datagram).
 * Steadier than the loopback figure on a shared machine.
 */
function serverCpu(n: number): void {
  const queue: Array<() => void> = [];
  let current: DtlsPskClient | undefined;
  let inServer = 0;
  const server = new DtlsServer({ credentials, maxSessions: 3 * n + 10_000, sessionCacheSize: 3 * n + 10_000, send: (d) => queue.push(() => current!.handleDatagram(d)) });
  server.on('data', (s: DtlsSession, d: Buffer) => server.send(s, d));
  const request = Buffer.alloc(32, 0x52);
  let measuring = false;
  /** One handshake (resuming `resume` if given) + echoed request from `rinfo`; returns the client. */
  const handshake = (rinfo: { address: string; port: number }, resume?: DtlsPskClient | undefined): DtlsPskClient => {
    let echoed = false;
    const resumeWith = resume && { sessionId: resume.sessionId, masterSecret: resume.master!, suiteId: resume.suite!.id, extendedMasterSecret: resume.usedExtendedMasterSecret };
    const c = new DtlsPskClient({ identity: 'dev1', key: KEY, retransmitMs: 0, ...(resumeWith ? { resume: resumeWith } : {}), send: (d) => queue.push(() => {
      if (!measuring) return server.handleDatagram(d, rinfo);
      // CPU time, not wall time: other processes preempting this one must not count
      const t = process.cpuUsage();
      server.handleDatagram(d, rinfo);
      const u = process.cpuUsage(t);
      inServer += u.user + u.system;
    }) });
    current = c;
    c.onEvent = (e) => {
      if (e.kind === 'connected') c.write(request);
      else if (e.kind === 'data') echoed = true;
    };
    c.start();
    while (queue.length > 0) queue.shift()!();
    if (!echoed || (resume && !c.resumed)) throw new Error(`in-memory handshake + request failed (echoed ${echoed}, resumed ${c.resumed}, connected ${c.connected})`);
    return c;
  };
  const address = (i: number, port: number) => ({ address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, port });
  /**
   * `count` handshakes; with `resumed`, each resumes one of `count` sessions made first, unmeasured
   * (and their garbage collected before measuring, so their GC is not counted against resumption).
   */
  const run = (count: number, resumed: boolean) => {
    const sessions = resumed ? Array.from({ length: count }, (_, i) => handshake(address(i, 5000))) : [];
    if (resumed) gc();
    measuring = true;
    for (let i = 0; i < count; i++) handshake(address(i, 5001), sessions[i]);
    measuring = false;
  };
  for (const resumed of [false, true]) {
    run(Math.min(2_000, n), resumed); // warm-up
    inServer = 0;
    const all0 = process.cpuUsage();
    run(n, resumed);
    const all = process.cpuUsage(all0);
    const us = inServer / n;
    const what = resumed ? 'abbreviated (resumed) PSK handshake' : 'full PSK handshake';
    console.log(`server CPU per ${what} + one echoed request, in memory (no sockets), ${n} handshakes:`);
    console.log(`  ${us.toFixed(1)} µs in DtlsServer.handleDatagram (≈ ${Math.round(1e6 / us)} handshakes/s per core, sockets excluded)`);
    if (!resumed) console.log(`  ${((all.user + all.system) / n).toFixed(1)} µs for client and server together (incl. the per-datagram getrusage calls)`);
  }
  server.close();
}

/**
 * Resident memory per idle session: establishes `n` sessions in memory (no sockets), then `n`
 * more, and reports the growth between the two plateaus divided by `n`. Measuring the second batch
 * leaves out the one-off high-water mark of handshaking itself (V8 young generation, native
 * OpenSSL contexts awaiting GC). The event loop idles a few seconds before each reading so V8's
 * memory reducer can return free pages.
 */
async function idleMemory(n: number): Promise<void> {
  const queue: Array<() => void> = [];
  let current: DtlsPskClient | undefined;
  let now = Date.now();
  const server = new DtlsServer({ credentials, now: () => now, maxSessions: 2 * n + 10, send: (d) => queue.push(() => current!.handleDatagram(d)) });
  const batch = (port: number) => {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const rinfo = { address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, port };
      current = new DtlsPskClient({ identity: 'dev1', key: KEY, retransmitMs: 0, send: (d) => queue.push(() => server.handleDatagram(d, rinfo)) });
      current.start();
      while (queue.length > 0) queue.shift()!();
      if (!current.connected) throw new Error('in-memory handshake failed');
    }
    current = undefined;
    // Idle means past the final-flight retention (RFC 6347 §4.2.4): nothing but the session is left.
    now += 241_000;
    server.tick();
    return performance.now() - t0;
  };
  const settle = async () => {
    for (let i = 0; i < 3; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 2000));
    }
    gc();
    return process.memoryUsage();
  };
  const ms = batch(1000);
  const m0 = await settle();
  batch(2000);
  const m1 = await settle();
  const per = (k: 'heapUsed' | 'rss' | 'external') => Math.round((m1[k] - m0[k]) / n);
  console.log(`idle sessions: ${n} then ${server.stats().sessions} (in-memory handshakes, ${Math.round((n / ms) * 1000)}/s with client and server on one thread)`);
  console.log(`  per idle session: RSS ${per('rss')} B, V8 heap used ${per('heapUsed')} B, external ${per('external')} B`);
  const mib = (v: number) => Math.round(v / 1048576);
  console.log(`  total RSS with ${server.stats().sessions} sessions: ${mib(m1.rss)} MiB (V8 heap ${mib(m1.heapTotal)} MiB allocated, ${mib(m1.heapUsed)} MiB used; ArrayBuffers ${mib(m1.arrayBuffers)} MiB); with ${n}: ${mib(m0.rss)} MiB`);
  server.close();
}

const only = process.argv[4]; // 'loopback', 'handshakes' (loopback handshakes only), 'cpu' or 'memory' to run one phase
if (only === undefined || only === 'loopback' || only === 'handshakes') await overLoopback();
if (only === undefined || only === 'cpu') serverCpu(20_000);
if (only === undefined || only === 'memory') await idleMemory(idleSessions);
