/**
 * Load generator for dtls-bench, run as a separate process (child_process.fork) so its crypto does
 * not share a thread with the server. Each UDP socket is one source port running DtlsPskClients
 * back to back. Commands arrive as IPC messages; results go back the same way.
 */
import dgram from 'node:dgram';
import { DtlsPskClient } from '../dtls/dtls-client.js';

type Command =
  | { cmd: 'handshakes'; port: number; sockets: number; durationMs: number; request: boolean }
  | { cmd: 'records'; port: number; sockets: number; durationMs: number; window: number; size: number };

const KEY = Buffer.from('secretkey');

async function openSockets(n: number): Promise<dgram.Socket[]> {
  const out: dgram.Socket[] = [];
  for (let i = 0; i < n; i++) {
    const s = dgram.createSocket({ type: 'udp4', recvBufferSize: 1 << 20, sendBufferSize: 1 << 20 });
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
    out.push(s);
  }
  return out;
}

const REQUEST = Buffer.alloc(32, 0x52);

/** A PSK client that sends from socket `s` to the server on `port`. */
function pskClient(s: dgram.Socket, port: number): DtlsPskClient {
  return new DtlsPskClient({
    identity: 'dev1',
    key: KEY,
    retransmitMs: 500,
    send: (d) => {
      try {
        s.send(d, port, '127.0.0.1');
      } catch {
        // socket closed at the end of a phase
      }
    },
  });
}

/** `onConnected` runs when the handshake completes or, with `request`, when the echo of one request after it arrives. */
function client(s: dgram.Socket, port: number, onConnected: (c: DtlsPskClient) => void, request = false): DtlsPskClient {
  const c = pskClient(s, port);
  s.removeAllListeners('message');
  s.on('message', (m) => c.handleDatagram(m));
  c.onEvent = (e) => {
    if (e.kind === 'connected') {
      if (request) c.write(REQUEST);
      else onConnected(c);
    } else if (e.kind === 'data' && request) onConnected(c);
  };
  c.start();
  return c;
}

async function handshakes(port: number, sockets: number, durationMs: number, request: boolean): Promise<{ completed: number; ms: number; cpu: NodeJS.CpuUsage }> {
  const socks = await openSockets(sockets);
  let completed = 0;
  let running = true;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  // Each socket starts its next handshake as soon as the previous one completes (the server
  // replaces the old association: RFC 6347 §4.2.8). One 'message' listener per socket for all its
  // clients and one sweep for stalled handshakes (restarted after 1 s) keep the generator cheap.
  const lanes = socks.map((s) => {
    const lane = { client: undefined as DtlsPskClient | undefined, started: 0, next: () => {} };
    s.on('message', (m) => lane.client?.handleDatagram(m));
    lane.next = () => {
      if (!running) return;
      const c = pskClient(s, port);
      lane.client = c;
      lane.started = performance.now();
      const done = () => {
        if (lane.client !== c) return;
        lane.client = undefined;
        completed++;
        setImmediate(lane.next);
      };
      c.onEvent = (e) => {
        if (e.kind === 'connected') {
          if (request) c.write(REQUEST);
          else done();
        } else if (e.kind === 'data' && request) done();
      };
      c.start();
    };
    return lane;
  });
  const sweep = setInterval(() => {
    const now = performance.now();
    for (const lane of lanes) if (lane.client && now - lane.started > 1000) lane.next();
  }, 250);
  for (const lane of lanes) lane.next();
  await new Promise((r) => setTimeout(r, durationMs));
  running = false;
  clearInterval(sweep);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  for (const s of socks) s.close();
  return { completed, ms, cpu };
}

async function records(port: number, sockets: number, durationMs: number, window: number, size: number) {
  const socks = await openSockets(sockets);
  const clients = await Promise.all(socks.map((s) => new Promise<DtlsPskClient>((resolve) => client(s, port, resolve))));
  let echoed = 0;
  let sent = 0;
  let running = true;
  const payload = Buffer.alloc(size, 0x61);
  const t0 = performance.now();
  clients.forEach((c) => {
    c.onEvent = (e) => {
      if (e.kind !== 'data') return;
      echoed++;
      if (running) {
        c.write(payload);
        sent++;
      }
    };
    for (let i = 0; i < window; i++) {
      c.write(payload);
      sent++;
    }
  });
  // keep the pipeline full despite losses: top up every 50 ms
  const topUp = setInterval(() => {
    for (const c of clients) {
      c.write(payload);
      sent++;
    }
  }, 50);
  await new Promise((r) => setTimeout(r, durationMs));
  running = false;
  clearInterval(topUp);
  const ms = performance.now() - t0;
  for (const s of socks) s.close();
  return { sent, echoed, ms };
}

process.on('message', (m: Command) => {
  const run = m.cmd === 'handshakes' ? handshakes(m.port, m.sockets, m.durationMs, m.request) : records(m.port, m.sockets, m.durationMs, m.window, m.size);
  void run.then((result) => process.send?.(result));
});
