/**
 * `npm run bench:coaps`: CoAPS through the whole bridge. Prints:
 *   - full PSK handshakes each followed by a Register (2.01) per second,
 *   - encrypted Updates per second over established sessions.
 * The bridge runs in its own process with N PSK credentials; the load runs in another. Each
 * phase also prints the CPU time each process used (from /proc/PID/stat), to show which one
 * saturates.
 *
 * Environment: BENCH_BRIDGE_NODE_ARGS (extra node flags for the bridge process, e.g.
 * `--cpu-prof --cpu-prof-dir=/tmp/prof-bridge` or `--max-semi-space-size=64`), BENCH_LOAD_NODE_ARGS (the same for each load
 * process), BENCH_SECONDS (length of each phase, default 10),
 * BENCH_SOCKETS (source ports, i.e. handshakes in flight, in the Register phase, default 64).
 */
import { fork, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CoapsLoadCommand } from './coaps-bench-load.js';
import { BRIDGE_NODE_FLAGS } from './bridge-node-flags.js';
import { PINNING_NOTE, pinToCpu } from './cpu-pinning.js';
import { pskServerCryptoMicros } from './psk-crypto-floor.js';

const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));
const ENDPOINTS = 20_000;
const KEY_HEX = '000102030405060708090a0b0c0d0e0f';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const SOCKETS = Number(process.env.BENCH_SOCKETS ?? 64);

const nodeArgsFrom = (variable: string): string[] => (process.env[variable] ?? '').split(' ').filter((a) => a.length > 0);

/** Runs one load phase in a fresh process; the result carries both processes' CPU use during it. */
function load(command: CoapsLoadCommand): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgsFrom('BENCH_LOAD_NODE_ARGS'), here('./coaps-bench-load.js')], { stdio: ['pipe', 'pipe', 'inherit'] });
    pinToCpu(child.pid!, 'load');
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as Record<string, number>) : reject(new Error(`load exited ${code}`))));
    child.stdin.end(JSON.stringify(command));
  });
}

/** "bridge 93 % (31 % kernel), load 71 % (…) of a core": which process saturates during a phase. */
function cpuLine(r: Record<string, number>): string {
  const pct = (s: number) => `${Math.round((s / (r.ms! / 1000)) * 100)} %`;
  return `CPU: bridge ${pct(r.bridgeCpu!)} (kernel ${pct(r.bridgeSys!)}), load generator ${pct(r.loadCpu!)} (kernel ${pct(r.loadSys!)}) of a core`;
}

/**
 * The floor under the bridge, measured on this machine before the bridge starts: the datagram
 * exchange of a handshake + Register between two bare Node processes (same lanes and sizes, no
 * DTLS, no CoAP), and the node:crypto calls of one server handshake in process. Their sum is what
 * the bridge's one thread must spend per handshake before any DTLS, CoAP or LwM2M logic runs.
 */
async function floor(): Promise<number> {
  const server = spawn(process.execPath, [here('./coaps-exchange-floor-server.js')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve) => server.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
  pinToCpu(server.pid!, 'server');
  await load({ cmd: 'exchange-floor', port, sockets: SOCKETS, durationMs: 1000, cpuPid: server.pid! });
  const r = await load({ cmd: 'exchange-floor', port, sockets: SOCKETS, durationMs: SECONDS * 1000, cpuPid: server.pid! });
  server.kill();
  const serverIo = (r.bridgeCpu! * 1e6) / r.completed!;
  const clientIo = (r.loadCpu! * 1e6) / r.completed!;
  const crypto = pskServerCryptoMicros();
  const perCore = 1e6 / (serverIo + crypto);
  const us = (x: number) => `${Math.round(x)} µs`;
  console.log(`floor: the datagram exchange alone (4 round trips, no DTLS or CoAP), Node to Node  ${Math.round(r.perSecond!).toLocaleString('en-US')}/s`);
  console.log(`  CPU per handshake: server ${us(serverIo)}, client ${us(clientIo)}; ${cpuLine(r).replace('bridge', 'server')}`);
  console.log(`floor: node:crypto calls of one server handshake + Register, in process  ${us(crypto)}`);
  console.log(`  server floor ${us(serverIo + crypto)} per handshake = at most ${Math.round(perCore).toLocaleString('en-US')}/s on the one core a UDP port gets in Node 20`);
  return serverIo + crypto;
}

async function main(): Promise<void> {
  console.log(`lwm2m-console CoAPS benchmark — node ${process.version}, ${ENDPOINTS} PSK endpoints; ${PINNING_NOTE}`);
  const serverFloor = await floor();
  const dataDir = mkdtempSync(join(tmpdir(), 'coaps-bench-'));
  const now = Date.now();
  const credentials = Array.from({ length: ENDPOINTS }, (_, i) => ({ endpoint: `coaps-${i}`, mode: 'psk', identity: `coaps-${i}`, keyHex: KEY_HEX, createdAt: now, updatedAt: now }));
  writeFileSync(join(dataDir, 'credentials.json'), JSON.stringify({ version: 1, credentials }), { mode: 0o600 });
  const bridge = fork(here('../main.js'), ['--coap-host', '127.0.0.1', '--coap-port', '0', '--coaps-host', '127.0.0.1', '--coaps-port', '0', '--http-port', '0', '--log-level', 'error', '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    // the flags `npm start` runs the bridge with (package.json), then any extra ones
    execArgv: [...BRIDGE_NODE_FLAGS, ...nodeArgsFrom('BENCH_BRIDGE_NODE_ARGS')],
  });
  const port = await new Promise<number>((resolve) => {
    let out = '';
    bridge.stdout!.on('data', (d) => {
      out += d;
      const m = /coaps listening on udp:\/\/[^:]+:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
  });
  const pid = bridge.pid!;
  pinToCpu(pid, 'server');
  await load({ cmd: 'register', port, sockets: 32, durationMs: 3000, endpoints: ENDPOINTS, keyHex: KEY_HEX, cpuPid: pid });
  const reg = await load({ cmd: 'register', port, sockets: SOCKETS, durationMs: SECONDS * 1000, endpoints: ENDPOINTS, keyHex: KEY_HEX, cpuPid: pid });
  console.log(`PSK handshake + Register   ${Math.round(reg.perSecond!).toLocaleString('en-US')}/s (${reg.completed} registered, ${reg.refused} refused, ${reg.stalled} stalled 2 s and restarted)`);
  console.log(`  mean latency: handshake ${reg.handshakeMs!.toFixed(1)} ms, Register ${reg.registerMs!.toFixed(1)} ms`);
  const bridgeMicros = (reg.bridgeCpu! * 1e6) / reg.completed!;
  console.log(`  ${cpuLine(reg)}; bridge CPU ${Math.round(bridgeMicros)} µs per handshake + Register, ${(bridgeMicros / serverFloor).toFixed(2)}× the floor`);
  const upd = await load({ cmd: 'updates', port, sessions: 200, durationMs: SECONDS * 1000, keyHex: KEY_HEX, cpuPid: pid });
  console.log(`encrypted Updates          ${Math.round(upd.perSecond!).toLocaleString('en-US')}/s over 200 established sessions`);
  console.log(`  ${cpuLine(upd)}`);
  await new Promise<void>((resolve) => {
    bridge.once('exit', () => resolve());
    bridge.kill('SIGTERM');
  });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
