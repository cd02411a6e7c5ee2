/**
 * Load process for the CoAPS benchmark (run by coaps-bench.ts): DTLS PSK clients from many
 * source ports that (1) handshake and Register, back to back, and (2) hold established
 * sessions and send encrypted Updates. Reads a JSON command on stdin, prints a JSON result.
 */
import dgram from 'node:dgram';
import { generate, parse } from 'coap-packet';
import { DtlsPskClient } from '../dtls/dtls-client.js';

export type CoapsLoadCommand =
  | { cmd: 'register'; port: number; sockets: number; durationMs: number; endpoints: number; keyHex: string }
  | { cmd: 'updates'; port: number; sessions: number; durationMs: number; keyHex: string };

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
  let next = 0;
  let running = true;
  const t0 = performance.now();
  for (const s of sockets) {
    const go = () => {
      if (!running) return;
      const ep = `coaps-${next++ % o.endpoints}`;
      let done = false;
      const c = session(s, o.port, ep, key, (d) => {
        if (done) return;
        done = true;
        const code = d[1]!;
        if (code === 0x41) completed++;
        else refused++;
        setImmediate(go);
      });
      c.onEvent = ((inner) => (e) => {
        if (e.kind === 'connected') c.write(register(ep));
        inner?.(e);
      })(c.onEvent);
      c.start();
      setTimeout(() => {
        if (!done && running) {
          done = true;
          go();
        }
      }, 2000).unref();
    };
    go();
  }
  await new Promise((r) => setTimeout(r, o.durationMs));
  running = false;
  const ms = performance.now() - t0;
  for (const s of sockets) s.close();
  return { completed, refused, perSecond: (completed / ms) * 1000 };
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
  const t0 = performance.now();
  for (const e of clients) e.c.write(update(e.location));
  await new Promise((r) => setTimeout(r, o.durationMs));
  running = false;
  const ms = performance.now() - t0;
  return { completed, perSecond: (completed / ms) * 1000 };
}

if (process.argv[1]?.endsWith('coaps-bench-load.js')) {
  let input = '';
  process.stdin.on('data', (d) => (input += d));
  process.stdin.on('end', () => {
    const command = JSON.parse(input) as CoapsLoadCommand;
    (command.cmd === 'register' ? registerLoop(command) : updateLoop(command)).then(
      (r) => process.stdout.write(JSON.stringify(r) + '\n', () => process.exit(0)),
      (e: unknown) => {
        process.stderr.write(String(e) + '\n');
        process.exit(1);
      },
    );
  });
}
