/**
 * ECDHE-ECDSA handshake benchmark: full TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 handshakes per second
 * (cookie exchange, P-256 ECDHE, server ECDSA signature, client authentication by raw public key
 * or X.509 chain, CertificateVerify check, EMS) against a DtlsServer on loopback, with the load
 * from a separate process. "cold" uses a different device key for every handshake (nothing
 * cached), "warm" cycles through 100 devices (reconnecting devices hit the verifier caches).
 *
 *   npm run bench:dtls-ecdhe
 *   node bridge/dist/bench/dtls-ecdhe-bench.js [seconds=5] [sockets=64]
 *
 * First the key exchange alone (server calls timed in process), then full handshakes.
 * Figures are printed; no assertion is made (target: 3,000 handshakes/s on 2 cores).
 */
import { fork } from 'node:child_process';
import dgram from 'node:dgram';
import { generateKeyPairSync } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { DtlsServer } from '../dtls/dtls-server.js';
import { pskKeyExchange } from '../dtls/key-exchange.js';
import { generateCertificateAuthority, issueCertificate } from '../dtls/pki/certificate-authority.js';
import { createEcdheEcdsaKeyExchange } from '../dtls/pki/ecdhe-ecdsa-key-exchange.js';
import { generateServerIdentity } from '../dtls/pki/server-identity.js';
import { spkiFingerprint } from '../dtls/pki/verify.js';
import { measureKeyExchange } from './dtls-ecdhe-kx-cost.js';
import { p256ServerCryptoMicros } from './p256-crypto-floor.js';
import { PINNING_NOTE, pinToCpu } from './cpu-pinning.js';
import { createPrivateKey } from 'node:crypto';

const seconds = Number(process.argv[2] ?? 5);
const sockets = Number(process.argv[3] ?? 64);

interface Device { keyPem: string; spki: string; chain: string[]; fingerprint: string }

function makeDevices(n: number, ca: ReturnType<typeof generateCertificateAuthority>): Device[] {
  const out: Device[] = [];
  for (let i = 0; i < n; i++) {
    const k = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const spki = k.publicKey.export({ type: 'spki', format: 'der' });
    const cert = issueCertificate({ subjectCN: `dev${i}`, subjectPublicKey: k.publicKey, issuerKey: ca.privateKey, issuerCertDer: ca.certificateDer, validDays: 2 });
    out.push({ keyPem: k.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), spki: spki.toString('base64'), chain: [cert.toString('base64')], fingerprint: spkiFingerprint(spki) });
  }
  return out;
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main(): Promise<void> {
  const ca = generateCertificateAuthority('Bench CA');
  const identity = generateServerIdentity('bench-server');
  // Enough distinct devices that the cold run never repeats one.
  const cold = makeDevices(Math.max(2_000, seconds * 2_500), ca);
  const warm = cold.slice(-100); // the cold runs start from the front and never get this far
  const endpoints = new Map(cold.map((d, i) => [d.fingerprint, `dev${i}`]));

  // 1. The key exchange alone, in process: what the public-key work costs the server.
  const resolver = { pskKeyFor: () => undefined, verifyRawPublicKey: (spki: Buffer) => endpoints.get(spkiFingerprint(spki)) };
  const kxOnly = createEcdheEcdsaKeyExchange({ serverIdentity: identity, trustAnchors: [ca.certificateDer] });
  const asCred = (d: Device, type: 'raw' | 'x509') =>
    type === 'raw'
      ? { type, key: createPrivateKey(d.keyPem), spki: Buffer.from(d.spki, 'base64') }
      : { type, key: createPrivateKey(d.keyPem), chain: d.chain.map((c) => Buffer.from(c, 'base64')) };
  // 0. The floor: node:crypto's P-256 calls of one server handshake, nothing else.
  const floor = p256ServerCryptoMicros();
  console.log(
    `floor: node:crypto P-256 calls of one server handshake (keygen, signature, ECDH, CertificateVerify), in process: ` +
      `${floor.warm.toFixed(0)} µs with the client's key known = ${Math.round(1e6 / floor.warm)}/s on one core, ` +
      `${floor.cold.toFixed(0)} µs importing it = ${Math.round(1e6 / floor.cold)}/s`,
  );
  console.log('ECDHE-ECDSA key exchange alone (server calls only, in process, µs per handshake):');
  for (const [type, label, devices] of [
    ['raw', 'raw public key, cold', cold.slice(0, 1000)],
    ['raw', 'raw public key, warm', warm],
    ['x509', 'X.509 chain,    cold', cold.slice(1000, 2000)],
    ['x509', 'X.509 chain,    warm', warm],
  ] as const) {
    const c = measureKeyExchange(kxOnly, resolver, devices.map((d) => asCred(d, type)), 1000);
    console.log(
      `  ${label}: ${c.total.toFixed(0)} µs (server flight incl. ECDHE keygen + signature ${c.serverFlight.toFixed(0)}, ` +
        `client Certificate ${c.certificate.toFixed(0)}, ClientKeyExchange/ECDH ${c.clientKeyExchange.toFixed(0)}, CertificateVerify ${c.certificateVerify.toFixed(0)}) ` +
        `= ${Math.round(1e6 / c.total)} key exchanges/s on one core`,
    );
  }

  // 2. Full handshakes over loopback UDP, load from another process.
  const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  const server = new DtlsServer({
    credentials: { pskKeyFor: () => undefined, verifyRawPublicKey: (spki) => endpoints.get(spkiFingerprint(spki)) },
    keyExchanges: [pskKeyExchange, createEcdheEcdsaKeyExchange({ serverIdentity: identity, trustAnchors: [ca.certificateDer] })],
    maxHandshakes: 10_000,
  });
  server.attach(socket);
  const port = socket.address().port;
  const load = fork(fileURLToPath(new URL('./dtls-ecdhe-bench-load.js', import.meta.url)));
  // the server runs in this process
  pinToCpu(process.pid, 'server');
  pinToCpu(load.pid!, 'load');
  const ask = (m: object) =>
    new Promise<{ completed: number; failed: number; ms: number; cpuMicros: number; latencies: number[] }>((resolve) => {
      load.once('message', (r) => resolve(r as never));
      load.send(m);
    });

  // Warm-up (JIT in both processes, socket buffers), not reported.
  const strip = (ds: Device[]) => ds.map(({ keyPem, spki, chain }) => ({ keyPem, spki, chain }));
  await ask({ cmd: 'handshakes', port, sockets, durationMs: 1000, mode: 'rpk', devices: strip(warm) });
  console.log(`ECDHE-ECDSA (TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8, P-256) full handshakes, ${sockets} source ports, ${seconds} s each; ${PINNING_NOTE}:`);
  for (const [mode, label, devices] of [
    ['rpk', 'raw public key, cold', cold],
    ['rpk', 'raw public key, warm', warm],
    ['x509', 'X.509 chain,    cold', cold],
    ['x509', 'X.509 chain,    warm', warm],
  ] as const) {
    const before = server.stats();
    const cpu0 = process.cpuUsage();
    const r = await ask({ cmd: 'handshakes', port, sockets, durationMs: seconds * 1000, mode, devices: strip(devices) });
    const cpu = process.cpuUsage(cpu0);
    const after = server.stats();
    const done = after.handshakesCompleted - before.handshakesCompleted;
    const lat = [...r.latencies].sort((a, b) => a - b);
    console.log(
      `  ${label}: ${Math.round((done / r.ms) * 1000)} handshakes/s at the server (${done} in ${Math.round(r.ms)} ms, failed ${r.failed + after.handshakesFailed - before.handshakesFailed}), ` +
        `server CPU ${Math.round(((cpu.user + cpu.system) / 1000 / r.ms) * 100)} % of one core, ${Math.round((cpu.user + cpu.system) / Math.max(done, 1))} µs per handshake, ` +
        `load generator CPU ${Math.round((r.cpuMicros / 1000 / r.ms) * 100)} % (${Math.round(r.cpuMicros / Math.max(r.completed, 1))} µs per handshake), ` +
        `latency p50 ${percentile(lat, 50).toFixed(1)} ms p99 ${percentile(lat, 99).toFixed(1)} ms`,
    );
  }
  load.kill();
  server.close();
}

void main();
