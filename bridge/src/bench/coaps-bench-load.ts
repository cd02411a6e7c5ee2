/**
 * Load process for the CoAPS benchmark (run by coaps-bench.ts): DTLS PSK clients from many
 * source ports that (1) handshake and Register, back to back, and (2) hold established
 * sessions and send encrypted Updates. Reads a JSON command on stdin, prints a JSON result.
 */
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { generate, parse } from 'coap-packet';
import { DtlsPskClient } from '../dtls/dtls-client.js';
import { CLIENT_DATAGRAM_SIZES } from './coaps-exchange-floor-server.js';

/** `cpuPid`: a process (the bridge) whose CPU time over the measured window is reported as `bridgeCpu`. */
export type CoapsLoadCommand =
  | { cmd: 'register'; port: number; sockets: number; durationMs: number; endpoints: number; keyHex: string; cpuPid?: number }
  | { cmd: 'updates'; port: number; sessions: number; durationMs: number; keyHex: string; cpuPid?: number }
  | { cmd: 'exchange-floor'; port: number; sockets: number; durationMs: number; cpuPid?: number };

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** User and system CPU seconds process `pid` has used so far (proc(5): utime and stime in /proc/PID/stat). */
function cpuSecondsOf(pid: number | undefined): { user: number; system: number } {
  if (pid === undefined) return { user: Number.NaN, system: Number.NaN };
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { user: Number(fields[11]) / TICKS_PER_SECOND, system: Number(fields[12]) / TICKS_PER_SECOND };
  } catch {
    return { user: Number.NaN, system: Number.NaN };
  }
}

interface Window {
  ms: number;
  /** CPU seconds of this process (user + system) and its system (kernel) part. */
  loadCpu: number;
  loadSys: number;
  /** The same for process `cpuPid` (the bridge). */
  bridgeCpu: number;
  bridgeSys: number;
}

/** Starts a measured window: returns a function giving the window's length and both processes' CPU seconds. */
function window(cpuPid: number | undefined): () => Window {
  const t0 = performance.now();
  const own0 = process.cpuUsage();
  const other0 = cpuSecondsOf(cpuPid);
  return () => {
    const own = process.cpuUsage(own0);
    const other = cpuSecondsOf(cpuPid);
    return {
      ms: performance.now() - t0,
      loadCpu: (own.user + own.system) / 1e6,
      loadSys: own.system / 1e6,
      bridgeCpu: other.user + other.system - other0.user - other0.system,
      bridgeSys: other.system - other0.system,
    };
  };
}

let messageId = 1;
const nextMid = () => (messageId = (messageId + 1) & 0xffff);

function register(ep: string): Buffer {
  return generate({
    code: '0.02',
    messageId: nextMid(),
    token: Buffer.from([1, 2, 3, 4]),
    options: [
      { name: 'Uri-Path', value: Buffer.from('rd') },
      { name: 'Content-Format', value: Buffer.from([40]) },
      { name: 'Uri-Query', value: Buffer.from(`ep=${ep}`) },
      { name: 'Uri-Query', value: Buffer.from('lt=600') },
    ],
    payload: Buffer.from('</1/0>,</3/0>'),
  });
}

function update(location: string[]): Buffer {
  return generate({ code: '0.02', messageId: nextMid(), token: Buffer.from([5, 6]), options: location.map((p) => ({ name: 'Uri-Path' as const, value: Buffer.from(p) })) });
}

async function socket(): Promise<dgram.Socket> {
  const s = dgram.createSocket({ type: 'udp4', recvBufferSize: 1 << 20, sendBufferSize: 1 << 20 });
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  return s;
}

/** One DTLS session on socket `s`: resolves with the client once the handshake completes. */
function session(s: dgram.Socket, port: number, ep: string, key: Buffer, onData: (d: Buffer) => void): DtlsPskClient {
  const c = new DtlsPskClient({ identity: ep, key, retransmitMs: 500, send: (d) => s.send(d, port, '127.0.0.1') });
  s.removeAllListeners('message');
  s.on('message', (m) => c.handleDatagram(m));
  c.onEvent = (e) => {
    if (e.kind === 'data') onData(e.data);
  };
  return c;
}

async function registerLoop(o: Extract<CoapsLoadCommand, { cmd: 'register' }>) {
  const key = Buffer.from(o.keyHex, 'hex');
  const sockets = await Promise.all(Array.from({ length: o.sockets }, socket));
  let completed = 0;
  let refused = 0;
  let stalled = 0;
  let handshakeMs = 0;
  let registerMs = 0;
  let next = 0;
  let running = true;
  const measured = window(o.cpuPid);
  // One handshake + Register at a time per socket. The load must stay cheaper than the bridge, so
  // each socket has one 'message' listener for all its clients and one sweep finds stalled ones.
  const lanes = sockets.map((s) => {
    const lane = { client: undefined as DtlsPskClient | undefined, ep: '', started: 0, connectedAt: 0, go: () => {} };
    s.on('message', (m) => lane.client?.handleDatagram(m));
    lane.go = () => {
      if (!running) return;
      const ep = `coaps-${next++ % o.endpoints}`;
      const c = new DtlsPskClient({ identity: ep, key, retransmitMs: 500, send: (d) => s.send(d, o.port, '127.0.0.1') });
      lane.client = c;
      lane.ep = ep;
      lane.started = performance.now();
      c.onEvent = (e) => {
        if (lane.client !== c) return;
        if (e.kind === 'connected') {
          lane.connectedAt = performance.now();
          c.write(register(ep));
        } else if (e.kind === 'data') {
          lane.client = undefined;
          if (e.data[1] === 0x41) completed++;
          else refused++;
          handshakeMs += lane.connectedAt - lane.started;
          registerMs += performance.now() - lane.connectedAt;
          setImmediate(lane.go);
        }
      };
      c.start();
    };
    return lane;
  });
  const sweep = setInterval(() => {
    const now = performance.now();
    for (const lane of lanes) {
      if (lane.client && now - lane.started > 2000) {
        lane.client.close();
        stalled++;
        lane.go();
      }
    }
  }, 250);
  for (const lane of lanes) lane.go();
  await new Promise((r) => setTimeout(r, o.durationMs));
  running = false;
  clearInterval(sweep);
  const w = measured();
  for (const s of sockets) s.close();
  const n = completed + refused;
  return { completed, refused, stalled, perSecond: (completed / w.ms) * 1000, handshakeMs: handshakeMs / n, registerMs: registerMs / n, ...w };
}

/**
 * The datagram exchange of a handshake + Register with nothing else (against
 * coaps-exchange-floor-server.ts): four round trips of prepared datagrams per lane, the same
 * lanes and sizes as `registerLoop`. What the kernel and Node's dgram cost both processes.
 */
async function exchangeFloorLoop(o: Extract<CoapsLoadCommand, { cmd: 'exchange-floor' }>) {
  const datagrams = CLIENT_DATAGRAM_SIZES.map((n, step) => Buffer.alloc(n, step));
  const sockets = await Promise.all(Array.from({ length: o.sockets }, socket));
  let completed = 0;
  let running = true;
  const measured = window(o.cpuPid);
  for (const s of sockets) {
    s.on('message', (m) => {
      const step = m[0]!;
      if (step + 1 < datagrams.length) s.send(datagrams[step + 1]!, o.port, '127.0.0.1');
      else {
        completed++;
        if (running) s.send(datagrams[0]!, o.port, '127.0.0.1');
      }
    });
    s.send(datagrams[0]!, o.port, '127.0.0.1');
  }
  await new Promise((r) => setTimeout(r, o.durationMs));
  running = false;
  const w = measured();
  for (const s of sockets) s.close();
  return { completed, perSecond: (completed / w.ms) * 1000, ...w };
}

async function updateLoop(o: Extract<CoapsLoadCommand, { cmd: 'updates' }>) {
  const key = Buffer.from(o.keyHex, 'hex');
  let completed = 0;
  let running = false;
  const clients: { c: DtlsPskClient; location: string[] }[] = [];
  // Establish and register every session first.
  for (let i = 0; i < o.sessions; i++) {
    const s = await socket();
    const ep = `coaps-${i}`;
    const entry = { c: undefined as unknown as DtlsPskClient, location: [] as string[] };
    await new Promise<void>((resolve) => {
      entry.c = session(s, o.port, ep, key, (d) => {
        if (entry.location.length === 0) {
          entry.location = parse(d).options.filter((x) => x.name === 'Location-Path').map((x) => x.value.toString());
          resolve();
          return;
        }
        if (!running) return;
        completed++;
        entry.c.write(update(entry.location));
      });
      const inner = entry.c.onEvent;
      entry.c.onEvent = (e) => {
        if (e.kind === 'connected') entry.c.write(register(ep));
        inner?.(e);
      };
      entry.c.start();
    });
    clients.push(entry);
  }
  running = true;
  const measured = window(o.cpuPid);
  for (const e of clients) e.c.write(update(e.location));
  await new Promise((r) => setTimeout(r, o.durationMs));
  running = false;
  const w = measured();
  return { completed, perSecond: (completed / w.ms) * 1000, ...w };
}

if (process.argv[1]?.endsWith('coaps-bench-load.js')) {
  let input = '';
  process.stdin.on('data', (d) => (input += d));
  process.stdin.on('end', () => {
    const command = JSON.parse(input) as CoapsLoadCommand;
    const run = command.cmd === 'register' ? registerLoop(command) : command.cmd === 'updates' ? updateLoop(command) : exchangeFloorLoop(command);
    run.then(
      (r) => process.stdout.write(JSON.stringify(r) + '\n', () => process.exit(0)),
      (e: unknown) => {
        process.stderr.write(String(e) + '\n');
        process.exit(1);
      },
    );
  });
}
