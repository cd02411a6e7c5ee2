/**
 * `npm run bench:coaps`: CoAPS through the whole bridge. Prints:
 *   - full PSK handshakes each followed by a Register (2.01) per second,
 *   - encrypted Updates per second over established sessions.
 * The bridge runs in its own process with N PSK credentials; the load runs in another.
 */
import { fork, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CoapsLoadCommand } from './coaps-bench-load.js';

const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));
const ENDPOINTS = 20_000;
const KEY_HEX = '000102030405060708090a0b0c0d0e0f';

function load(command: CoapsLoadCommand): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [here('./coaps-bench-load.js')], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as Record<string, number>) : reject(new Error(`load exited ${code}`))));
    child.stdin.end(JSON.stringify(command));
  });
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'coaps-bench-'));
  const now = Date.now();
  const credentials = Array.from({ length: ENDPOINTS }, (_, i) => ({ endpoint: `coaps-${i}`, mode: 'psk', identity: `coaps-${i}`, keyHex: KEY_HEX, createdAt: now, updatedAt: now }));
  writeFileSync(join(dataDir, 'credentials.json'), JSON.stringify({ version: 1, credentials }), { mode: 0o600 });
  const bridge = fork(here('../main.js'), ['--coap-host', '127.0.0.1', '--coap-port', '0', '--coaps-host', '127.0.0.1', '--coaps-port', '0', '--http-port', '0', '--log-level', 'error', '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve) => {
    let out = '';
    bridge.stdout!.on('data', (d) => {
      out += d;
      const m = /coaps listening on udp:\/\/[^:]+:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
  });
  console.log(`lwm2m-console CoAPS benchmark — node ${process.version}, ${ENDPOINTS} PSK endpoints`);
  await load({ cmd: 'register', port, sockets: 32, durationMs: 3000, endpoints: ENDPOINTS, keyHex: KEY_HEX });
  const reg = await load({ cmd: 'register', port, sockets: 64, durationMs: 10_000, endpoints: ENDPOINTS, keyHex: KEY_HEX });
  console.log(`PSK handshake + Register   ${Math.round(reg.perSecond!).toLocaleString('en-US')}/s (${reg.completed} registered, ${reg.refused} refused)`);
  const upd = await load({ cmd: 'updates', port, sessions: 200, durationMs: 10_000, keyHex: KEY_HEX });
  console.log(`encrypted Updates          ${Math.round(upd.perSecond!).toLocaleString('en-US')}/s over 200 established sessions`);
  bridge.kill('SIGTERM');
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
