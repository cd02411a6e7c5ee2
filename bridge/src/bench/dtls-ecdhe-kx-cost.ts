/**
 * Server-side cost of the ECDHE_ECDSA key exchange alone (no sockets, no record layer), per
 * step, timed around the server's calls only: the client's work in between is not counted.
 * Used by dtls-ecdhe-bench to show what share of a handshake the public-key work is.
 */
import { createECDH, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { CIPHER_SUITES } from '../dtls/cipher-suites.js';
import type { DtlsCredentialResolver } from '../dtls/credentials.js';
import { encodeHandshake } from '../dtls/handshake-message.js';
import type { ClientHello } from '../dtls/hello.js';
import { HandshakeType } from '../dtls/wire.js';
import { EXT } from '../dtls/pki/ecc-extensions.js';
import { encodeCertificateRaw, encodeCertificateVerify, encodeCertificateX509, encodeClientKeyExchange, parseServerKeyExchange } from '../dtls/pki/ecc-messages.js';
import type { EcdheEcdsaKeyExchange } from '../dtls/pki/ecdhe-ecdsa-key-exchange.js';

export interface KxCost { serverFlight: number; certificate: number; clientKeyExchange: number; certificateVerify: number; total: number }

type Credential = { type: 'raw'; key: KeyObject; spki: Buffer } | { type: 'x509'; key: KeyObject; chain: Buffer[] };

/** Mean microseconds per step over `count` handshakes, cycling through `creds`. */
export function measureKeyExchange(kx: EcdheEcdsaKeyExchange, resolver: DtlsCredentialResolver, creds: Credential[], count: number): KxCost {
  const suite = CIPHER_SUITES.find((s) => s.id === 0xc0ae)!;
  const sum = { serverFlight: 0n, certificate: 0n, clientKeyExchange: 0n, certificateVerify: 0n };
  const timed = <T>(field: keyof typeof sum, f: () => T): T => {
    const t0 = process.hrtime.bigint();
    const r = f();
    sum[field] += process.hrtime.bigint() - t0;
    return r;
  };
  for (let i = 0; i < count; i++) {
    const c = creds[i % creds.length]!;
    const ext = new Map<number, Buffer>([
      [EXT.supported_groups, Buffer.from('00020017', 'hex')],
      [EXT.signature_algorithms, Buffer.from('00020403', 'hex')],
    ]);
    if (c.type === 'raw') {
      ext.set(EXT.client_certificate_type, Buffer.from('0102', 'hex'));
      ext.set(EXT.server_certificate_type, Buffer.from('0102', 'hex'));
    }
    const hello: ClientHello = { clientVersion: 0xfefd, random: randomBytes(32), sessionId: Buffer.alloc(0), cookie: Buffer.alloc(0), cipherSuites: [0xc0ae], extensions: ext, cookieInput: Buffer.alloc(0) };
    const transcript: Buffer[] = [];
    let seq = 0;
    const push = (type: number, body: Buffer) => transcript.push(encodeHandshake(type, seq++, body));
    const run = kx.start({ clientHello: hello, clientRandom: hello.random, serverRandom: randomBytes(32), suite, credentials: resolver, transcript: () => Buffer.concat(transcript) });
    const flight = timed('serverFlight', () => (kx.accepts(hello), run.serverMessages())) as Array<{ type: number; body: Buffer }>;
    for (const m of flight) push(m.type, m.body);
    const ske = parseServerKeyExchange(flight[1]!.body);
    if (!ske.ok) throw new Error(ske.reason);
    const cert = c.type === 'raw' ? encodeCertificateRaw(c.spki) : encodeCertificateX509(c.chain);
    // as the engine does (key-exchange.ts step 5): each message is appended after it is handed over
    const s1 = timed('certificate', () => run.clientMessage(HandshakeType.certificate, cert));
    push(HandshakeType.certificate, cert);
    const ecdh = createECDH('prime256v1');
    const cke = encodeClientKeyExchange(ecdh.generateKeys());
    const s2 = timed('clientKeyExchange', () => run.clientMessage(HandshakeType.clientKeyExchange, cke));
    push(HandshakeType.clientKeyExchange, cke);
    const cv = encodeCertificateVerify(Buffer.concat(transcript), c.key);
    const s3 = timed('certificateVerify', () => run.clientMessage(HandshakeType.certificateVerify, cv));
    push(HandshakeType.certificateVerify, cv);
    if (!s1.ok || !s2.ok || !s3.ok) throw new Error('key exchange failed in the cost measurement');
  }
  const us = (v: bigint) => Number(v / BigInt(count)) / 1000;
  const r = { serverFlight: us(sum.serverFlight), certificate: us(sum.certificate), clientKeyExchange: us(sum.clientKeyExchange), certificateVerify: us(sum.certificateVerify) };
  return { ...r, total: r.serverFlight + r.certificate + r.clientKeyExchange + r.certificateVerify };
}

/** Fresh P-256 device credentials for the measurement. */
export function p256Credential(): { key: KeyObject; publicKey: KeyObject; spki: Buffer } {
  const k = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { key: k.privateKey, publicKey: k.publicKey, spki: k.publicKey.export({ type: 'spki', format: 'der' }) };
}
