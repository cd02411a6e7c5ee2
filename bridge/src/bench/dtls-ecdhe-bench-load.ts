/**
 * Load generator for dtls-ecdhe-bench, run as a separate process (child_process.fork) so its
 * ECDH, ECDSA signing and signature checks do not share a thread with the server. Each UDP socket
 * is one source port running ECDHE-ECDSA handshakes back to back, cycling through the device
 * credentials it was given.
 */
import dgram from 'node:dgram';
import { createPrivateKey } from 'node:crypto';
import { DtlsEcdheClient, type EcdheClientOptions } from '../dtls/pki/ecdhe-client.js';

interface Device { keyPem: string; spki?: string; chain?: string[] }
type Command = { cmd: 'handshakes'; port: number; sockets: number; durationMs: number; mode: 'rpk' | 'x509'; devices: Device[] };

function credentials(mode: 'rpk' | 'x509', devices: Device[]): EcdheClientOptions['credential'][] {
  return devices.map((d) => {
    const privateKey = createPrivateKey(d.keyPem);
    return mode === 'rpk'
      ? { type: 'raw' as const, privateKey, spki: Buffer.from(d.spki!, 'base64') }
      : { type: 'x509' as const, privateKey, chain: d.chain!.map((c) => Buffer.from(c, 'base64')) };
  });
}

async function handshakes(c: Command): Promise<{ completed: number; failed: number; ms: number; cpuMicros: number; latencies: number[] }> {
  const creds = credentials(c.mode, c.devices);
  const socks: dgram.Socket[] = [];
  for (let i = 0; i < c.sockets; i++) {
    const s = dgram.createSocket({ type: 'udp4', recvBufferSize: 1 << 20, sendBufferSize: 1 << 20 });
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
    socks.push(s);
  }
  let completed = 0;
  let failed = 0;
  let nextDevice = 0;
  let running = true;
  const latencies: number[] = [];
  const live = new Set<DtlsEcdheClient>();
  const t0 = performance.now();
  // the load's own CPU: on two cores its half of the public-key work bounds the rate as much as the server's
  const cpu0 = process.cpuUsage();
  for (const s of socks) {
    const next = () => {
      if (!running) return;
      const started = performance.now();
      let done = false;
      const send = (d: Buffer) => {
        if (running) s.send(d, c.port, '127.0.0.1');
      };
      // The load generator skips checking the server's signature: that is client work, and the
      // figure wanted is what the server can do.
      const client = new DtlsEcdheClient({ credential: creds[nextDevice++ % creds.length]!, retransmitMs: 1000, send, verifyServerSignature: false });
      live.add(client);
      s.removeAllListeners('message');
      s.on('message', (m) => client.handleDatagram(m));
      client.onEvent = (e) => {
        if (done || e.kind === 'data') return;
        done = true;
        live.delete(client);
        if (e.kind === 'connected') {
          completed++;
          latencies.push(performance.now() - started);
        } else failed++;
        setImmediate(next);
      };
      client.start();
      // A stalled handshake (lost datagram beyond one retransmission) is abandoned after 3 s.
      setTimeout(() => {
        if (!done && running) {
          done = true;
          failed++;
          client.close();
          live.delete(client);
          next();
        }
      }, 3000).unref();
    };
    next();
  }
  await new Promise((r) => setTimeout(r, c.durationMs));
  running = false;
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  for (const client of live) client.close();
  for (const s of socks) s.close();
  return { completed, failed, ms, cpuMicros: cpu.user + cpu.system, latencies };
}

process.on('message', (m: Command) => {
  void handshakes(m).then((r) => {
    process.send?.(r);
  });
});
