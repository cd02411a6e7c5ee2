/**
 * What an abbreviated handshake (RFC 5246 §7.3 resumption) saves the server, against OpenSSL's
 * s_client: server CPU per full ECDHE-ECDSA handshake with an X.509 client certificate (the
 * verifier caches warm) against per resumed one (-sess_in). The server runs in its own process
 * (main thread pinned like the other DTLS benches) and reports its own CPU time; its idle CPU
 * (timers) is measured for 2 s before each phase and subtracted. s_client's process start
 * dominates wall time, so only CPU is reported.
 *
 *   npm run build && node bridge/dist/bench/dtls-resume-bench.js [handshakes=60]
 */
import { fork, spawnSync } from 'node:child_process';
import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import dgram from 'node:dgram';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DtlsServer } from '../dtls/dtls-server.js';
import { pskKeyExchange } from '../dtls/key-exchange.js';
import { generateCertificateAuthority, issueCertificate } from '../dtls/pki/certificate-authority.js';
import { createEcdheEcdsaKeyExchange } from '../dtls/pki/ecdhe-ecdsa-key-exchange.js';
import { generateServerIdentity, serverIdentityFromPem, serverIdentityToPem } from '../dtls/pki/server-identity.js';
import { PINNING_NOTE, pinToCpu } from './cpu-pinning.js';

/** The server process: DTLS with ECDHE-ECDSA (X.509 clients of `caDer`); reports completed handshakes on request. */
async function serve(): Promise<void> {
  const { keyPem, certPem, caDer } = JSON.parse(process.argv[3]!) as { keyPem: string; certPem: string; caDer: string };
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  const server = new DtlsServer({
    credentials: { pskKeyFor: () => undefined },
    keyExchanges: [pskKeyExchange, createEcdheEcdsaKeyExchange({ serverIdentity: serverIdentityFromPem(keyPem, certPem), trustAnchors: [Buffer.from(caDer, 'base64')] })],
  });
  server.attach(socket);
  process.on('message', () => {
    const cpu = process.cpuUsage();
    process.send!({ ...server.stats(), cpuMicros: cpu.user + cpu.system });
  });
  process.send!({ port: socket.address().port });
}

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 60);
  const dir = mkdtempSync(join(tmpdir(), 'dtls-resume-bench-'));
  const file = (name: string, content: string) => (writeFileSync(join(dir, name), content), join(dir, name));
  const ca = generateCertificateAuthority('Bench CA');
  const identity = serverIdentityToPem(generateServerIdentity('bench-server'));
  const device = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const files = {
    serverCert: file('server.pem', identity.certPem),
    devKey: file('dev.key', device.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()),
    devCert: file('dev.pem', new X509Certificate(issueCertificate({ subjectCN: 'dev', subjectPublicKey: device.publicKey, issuerKey: ca.privateKey, issuerCertDer: ca.certificateDer, validDays: 2 })).toString()),
    session: join(dir, 'session.pem'),
  };
  const child = fork(fileURLToPath(import.meta.url), ['serve', JSON.stringify({ ...identity, caDer: ca.certificateDer.toString('base64') })]);
  const port = await new Promise<number>((resolve) => child.once('message', (m) => resolve((m as { port: number }).port)));
  pinToCpu(child.pid!, 'server');
  const stats = () => new Promise<{ handshakesCompleted: number; resumptions: number; cpuMicros: number }>((resolve) => (child.once('message', (m) => resolve(m as never)), child.send('stats')));
  const sClient = (extra: string[]) =>
    spawnSync('openssl', ['s_client', '-dtls1_2', '-cipher', 'ECDHE-ECDSA-AES128-CCM8', '-cert', files.devCert, '-key', files.devKey, '-CAfile', files.serverCert, '-verify_return_error', '-connect', `127.0.0.1:${port}`, ...extra], { input: '', encoding: 'latin1', timeout: 10_000 }).stdout;
  if (!/^New, TLSv1\.2/m.test(sClient(['-sess_out', files.session]))) throw new Error('s_client did not complete a full handshake');

  console.log(`abbreviated vs full ECDHE-ECDSA handshakes (X.509 client, openssl s_client), ${count} each; ${PINNING_NOTE}`);
  for (const [label, extra, expect] of [
    ['full (verifier caches warm)', [], /^New, TLSv1\.2/m],
    ['resumed (-sess_in)', ['-sess_in', files.session], /^Reused, TLSv1\.2/m],
  ] as const) {
    const idle0 = await stats();
    await new Promise((r) => setTimeout(r, 2_000));
    const before = await stats();
    // the server's own CPU while nothing happens (timers, IPC), to subtract from the measured phase
    const idlePerMs = (before.cpuMicros - idle0.cpuMicros) / 2_000;
    const t0 = performance.now();
    for (let i = 0; i < count; i++) if (!expect.test(sClient([...extra]))) throw new Error(`${label}: unexpected s_client outcome`);
    const after = await stats();
    const wallMs = performance.now() - t0;
    const done = after.handshakesCompleted - before.handshakesCompleted;
    const busy = after.cpuMicros - before.cpuMicros - idlePerMs * wallMs;
    console.log(`  ${label}: ${done} handshakes (${after.resumptions - before.resumptions} resumed), server CPU ${Math.round(busy / done)} µs per handshake (idle ${(idlePerMs * 1000).toFixed(0)} µs/s subtracted)`);
  }
  child.kill();
}

if (process.argv[2] === 'serve') void serve();
else void main();
