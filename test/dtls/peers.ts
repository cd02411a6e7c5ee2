/**
 * Real peers for interop tests: a DtlsServer on a loopback UDP socket (port 0) that echoes, or
 * answers CoAP requests with a fixed 2.01 Created, and a helper to run external clients.
 */
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { DtlsServer, type DtlsServerOptions, type DtlsSession } from '../../bridge/src/dtls/dtls-server.js';

export const PSK_TEXT = 'secretkey';
export const PSK_HEX = Buffer.from(PSK_TEXT).toString('hex');

export interface TestServer {
  server: DtlsServer;
  port: number;
  sessions: DtlsSession[];
  received: Buffer[];
  closed: string[];
  stop(): void;
}

/** CoAP (RFC 7252 §3): answer a request with an ACK (for CON) or NON carrying 2.01 Created. */
function coapCreated(req: Buffer): Buffer | undefined {
  if (req.length < 4 || req[0]! >> 6 !== 1) return undefined;
  const type = (req[0]! >> 4) & 3;
  const tkl = req[0]! & 0x0f;
  if (tkl > 8 || req.length < 4 + tkl) return undefined;
  const head = Buffer.from([0x40 | ((type === 0 ? 2 : 1) << 4) | tkl, 0x41, req[2]!, req[3]!]);
  return Buffer.concat([head, req.subarray(4, 4 + tkl)]);
}

export async function startServer(options: Partial<DtlsServerOptions> = {}): Promise<TestServer> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const server = new DtlsServer({
    credentials: { pskKeyFor: (id) => (id === 'dev1' ? Buffer.from(PSK_TEXT) : undefined) },
    ...options,
  });
  server.attach(socket);
  const t: TestServer = {
    server,
    port: socket.address().port,
    sessions: [],
    received: [],
    closed: [],
    stop: () => server.close(),
  };
  server.on('session', (s: DtlsSession) => t.sessions.push(s));
  server.on('sessionClosed', (_s: DtlsSession, reason: string) => t.closed.push(reason));
  server.on('data', (s: DtlsSession, d: Buffer) => {
    t.received.push(d);
    server.send(s, coapCreated(d) ?? Buffer.concat([Buffer.from('echo:'), d]));
  });
  return t;
}

export interface PeerResult {
  code: number | null;
  output: string;
}

/**
 * Runs an external client. With `input`, stdin stays open (s_client and gnutls-cli quit at its end)
 * until the output matches `until`; then stdin is closed so the client shuts down gracefully.
 */
export function runPeer(cmd: string, args: string[], opts: { input?: string[]; until?: RegExp; timeoutMs?: number } = {}): Promise<PeerResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    let inputs = [...(opts.input ?? [])];
    let ended = false;
    const end = () => {
      if (!ended) {
        ended = true;
        child.stdin.end();
      }
    };
    const onOutput = (chunk: Buffer) => {
      output += chunk.toString('latin1');
      // feed the next line once the previous one was echoed
      if (inputs.length > 0 && output.includes(`echo:${inputs[0]!.trim()}`)) {
        inputs = inputs.slice(1);
        if (inputs[0]) child.stdin.write(inputs[0]);
      }
      if (opts.until && opts.until.test(output) && inputs.length <= 1) end();
    };
    child.stdout.on('data', onOutput);
    child.stderr.on('data', onOutput);
    child.stdin.on('error', () => {});
    if (opts.input?.[0]) setTimeout(() => child.stdin.write(opts.input![0]!), 300);
    else if (!opts.until) end();
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 10_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/**
 * A UDP relay between a client and the server that, for every client datagram it forwards after
 * the handshake (application data records), also sends a replayed copy and a tampered copy.
 */
export async function startMeddlingProxy(serverPort: number) {
  const front = dgram.createSocket('udp4');
  const back = dgram.createSocket('udp4');
  await new Promise<void>((r) => front.bind(0, '127.0.0.1', r));
  await new Promise<void>((r) => back.bind(0, '127.0.0.1', r));
  let clientPort = 0;
  let meddled = 0;
  front.on('message', (msg, rinfo) => {
    clientPort = rinfo.port;
    back.send(msg, serverPort, '127.0.0.1');
    if (msg[0] === 23) {
      meddled++;
      back.send(msg, serverPort, '127.0.0.1'); // replay
      const bad = Buffer.from(msg);
      bad[bad.length - 1]! ^= 0x55; // tamper with the tag
      bad.writeUIntBE(bad.readUIntBE(5, 6) + 1000, 5, 6); // under a fresh sequence number
      back.send(bad, serverPort, '127.0.0.1');
    }
  });
  back.on('message', (msg) => front.send(msg, clientPort, '127.0.0.1'));
  return {
    port: front.address().port,
    meddled: () => meddled,
    stop() {
      front.close();
      back.close();
    },
  };
}
