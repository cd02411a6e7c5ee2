/**
 * A DtlsServer with the ECDHE_ECDSA key exchange on a loopback UDP socket (port 0), answering
 * CoAP confirmable requests with 2.01 Created so that libcoap clients finish, and echoing anything
 * else; plus a helper to run a real peer (openssl, gnutls-cli, coap-client-*) with a time bound.
 */
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { DtlsServer, type DtlsSession } from '../../bridge/src/dtls/dtls-server.js';
import { pskKeyExchange } from '../../bridge/src/dtls/key-exchange.js';
import type { DtlsCredentialResolver } from '../../bridge/src/dtls/credentials.js';
import { createEcdheEcdsaKeyExchange, type EcdheEcdsaKeyExchange } from '../../bridge/src/dtls/pki/ecdhe-ecdsa-key-exchange.js';
import type { ServerIdentity } from '../../bridge/src/dtls/pki/server-identity.js';
import { spkiFingerprint } from '../../bridge/src/dtls/pki/verify.js';
import type { Logger } from '../../bridge/src/log.js';

export interface TestServer {
  port: number;
  server: DtlsServer;
  kx: EcdheEcdsaKeyExchange;
  sessions: DtlsSession[];
  /** Handshake failures the server logged (reason and alert). */
  failures: Array<{ alert: unknown; reason: unknown }>;
  received: Buffer[];
  close(): Promise<void>;
}

export async function startServer(o: { identity: ServerIdentity; trustAnchors?: Buffer[]; rawKeys?: Map<string, string>; now?: () => Date; maxDatagram?: number }): Promise<TestServer> {
  const failures: TestServer['failures'] = [];
  const log: Logger = {
    error: () => {}, warn: () => {}, info: () => {},
    debug: (message, fields) => {
      if (message === 'dtls handshake failed') failures.push({ alert: fields?.alert, reason: fields?.reason });
    },
  };
  const credentials: DtlsCredentialResolver = {
    pskKeyFor: () => undefined,
    verifyRawPublicKey: (spki) => o.rawKeys?.get(spkiFingerprint(spki)),
  };
  const kx = createEcdheEcdsaKeyExchange({ serverIdentity: o.identity, trustAnchors: o.trustAnchors ?? [], ...(o.now ? { now: o.now } : {}) });
  const server = new DtlsServer({
    credentials,
    log,
    ...(o.maxDatagram ? { maxDatagram: o.maxDatagram } : {}),
    keyExchanges: [pskKeyExchange, kx],
  });
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  server.attach(socket);
  const sessions: DtlsSession[] = [];
  const received: Buffer[] = [];
  server.on('session', (s: DtlsSession) => sessions.push(s));
  server.on('data', (s: DtlsSession, data: Buffer) => {
    received.push(data);
    server.send(s, coapAck(data) ?? data);
  });
  return {
    port: socket.address().port,
    server,
    kx,
    sessions,
    failures,
    received,
    close: async () => server.close(),
  };
}

/** RFC 7252 §3: an ACK 2.01 for a confirmable request (same Message ID and token), else undefined. */
function coapAck(req: Buffer): Buffer | undefined {
  if (req.length < 4 || req[0]! >> 6 !== 1 || ((req[0]! >> 4) & 3) !== 0) return undefined;
  const tkl = req[0]! & 0x0f;
  if (tkl > 8 || req.length < 4 + tkl) return undefined;
  return Buffer.concat([Buffer.from([0x60 | tkl, 0x41, req[2]!, req[3]!]), req.subarray(4, 4 + tkl)]);
}

export interface PeerResult { code: number | null; out: string }

/**
 * Runs a peer; its stdin stays open until `until()` is true (or the process ends), then closes so
 * that openssl/gnutls-cli quit. Killed after `timeoutMs`.
 */
export function runPeer(cmd: string, args: string[], opts: { until?: () => boolean; stdin?: string; timeoutMs?: number } = {}): Promise<PeerResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.stdin.on('error', () => {});
    const started = Date.now();
    const poll = setInterval(() => {
      if (opts.until?.() || Date.now() - started > (opts.timeoutMs ?? 10_000) - 2_000) {
        clearInterval(poll);
        if (opts.stdin) child.stdin.write(opts.stdin);
        setTimeout(() => child.stdin.end(), 300);
      }
    }, 50);
    const kill = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 10_000);
    child.on('close', (code) => {
      clearInterval(poll);
      clearTimeout(kill);
      resolve({ code, out });
    });
  });
}

/** Polls `cond` until true or `ms` elapse (datagrams and child-process exit race on the event loop). */
export async function waitFor(cond: () => boolean, ms = 2_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  return cond();
}
